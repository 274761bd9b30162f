/**
 * The reference Kafka starts, answers, and stops: the base of the differential tests,
 * the Java, Streams and Kafka-tools tests. Prints how long the start took here.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { ApiVersionsApi, createApiVersionsRequest } from "@logbook/protocol";
import {
  KAFKA_VERSION,
  type KafkaProcess,
  runKafkaTool,
  startKafka,
} from "./helpers/kafka-process.js";
import { WireClient } from "./helpers/wire-client.js";

let kafka: KafkaProcess;

before(async () => {
  kafka = await startKafka();
  console.log(`reference Kafka ${KAFKA_VERSION} started in ${kafka.startMs} ms`);
});
after(async () => {
  assert.equal(await kafka.stop(), 143, "kafka exits on SIGTERM");
});

test("the reference Kafka answers ApiVersions with the APIs of Kafka 4", async () => {
  const c = await WireClient.connect(kafka.port);
  try {
    const r = await c.request(
      ApiVersionsApi,
      3,
      createApiVersionsRequest({ clientSoftwareName: "logbook-test", clientSoftwareVersion: "0" }),
    );
    assert.equal(r.body.errorCode, 0);
    const keys = new Set(r.body.apiKeys.map((k) => k.apiKey));
    // ConsumerGroupHeartbeat (68) exists only in Kafka 3.7+ brokers.
    for (const k of [0, 1, 3, 18, 68]) assert.ok(keys.has(k), `api ${k} advertised`);
  } finally {
    c.close();
  }
});

test("Kafka's own tools run against it (kafka-topics --create, --list)", async () => {
  const create = await runKafkaTool("org.apache.kafka.tools.TopicCommand", [
    "--bootstrap-server",
    kafka.bootstrap,
    "--create",
    "--topic",
    "ref-smoke",
    "--partitions",
    "2",
  ]);
  assert.equal(create.code, 0, create.stderr);
  assert.match(create.stdout, /Created topic ref-smoke\./);
  const list = await runKafkaTool("org.apache.kafka.tools.TopicCommand", [
    "--bootstrap-server",
    kafka.bootstrap,
    "--list",
  ]);
  assert.equal(list.code, 0, list.stderr);
  assert.deepEqual(list.stdout.trim().split("\n"), ["ref-smoke"]);
});
