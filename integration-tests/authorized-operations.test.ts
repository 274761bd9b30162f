/**
 * Authorized-operation fields against the reference Kafka. With no authorizer (Kafka's
 * default, and Logbook has no ACLs) Kafka allows everything, so when a request asks for
 * them it lists every operation that applies to the resource (kafka-python 3.x's
 * describe_topics shows them), for unknown topics too; when not asked they stay "not
 * provided" (INT32_MIN). DescribeTopicPartitions always lists them.
 * The same requests go to Kafka and to Logbook and the fields must match.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
  createDescribeClusterRequest,
  createDescribeTopicPartitionsRequest,
  createDescribeTopicPartitionsRequestTopicRequest,
  createMetadataRequest,
  createMetadataRequestTopic,
  DescribeClusterApi,
  DescribeTopicPartitionsApi,
  MetadataApi,
} from "@logbook/protocol";
import { Kafka, logLevel } from "kafkajs";
import { type BrokerProcess, removeDir, startBroker } from "./helpers/broker-process.js";
import { type KafkaProcess, startKafka } from "./helpers/kafka-process.js";
import { WireClient } from "./helpers/wire-client.js";
import { createTopics } from "./interop/scenarios.js";

const NOT_PROVIDED = -2147483648;
/** READ, WRITE, CREATE, DELETE, ALTER, DESCRIBE, DESCRIBE_CONFIGS, ALTER_CONFIGS. */
const TOPIC_OPS = [3, 4, 5, 6, 7, 8, 10, 11].reduce((m, op) => m | (1 << op), 0);
/** CREATE, ALTER, DESCRIBE, CLUSTER_ACTION, DESCRIBE_CONFIGS, ALTER_CONFIGS, IDEMPOTENT_WRITE. */
const CLUSTER_OPS = [5, 7, 8, 9, 10, 11, 12].reduce((m, op) => m | (1 << op), 0);

let kafka: KafkaProcess;
let logbook: BrokerProcess;

before(async () => {
  [kafka, logbook] = await Promise.all([startKafka(), startBroker()]);
  for (const s of [kafka, logbook]) {
    const admin = new Kafka({ brokers: [s.bootstrap], logLevel: logLevel.NOTHING });
    await createTopics(admin, [{ topic: "t", numPartitions: 1 }]);
  }
});

after(async () => {
  await kafka?.stop();
  if (logbook?.isAlive()) assert.equal(await logbook.stop(), 0, logbook.stderr());
  if (logbook !== undefined) await removeDir(logbook.dataDir);
});

/** The authorized-operation fields of each request, as one broker answers them. */
async function fields(port: number): Promise<Record<string, unknown>> {
  const c = await WireClient.connect(port);
  try {
    const out: Record<string, unknown> = {};
    const metadata = async (version: number, include: boolean) => {
      const r = await c.request(
        MetadataApi,
        version,
        createMetadataRequest({
          topics: ["t", "no-such-topic"].map((name) => createMetadataRequestTopic({ name })),
          allowAutoTopicCreation: false,
          includeClusterAuthorizedOperations: include,
          includeTopicAuthorizedOperations: include,
        }),
      );
      return {
        topics: r.body.topics.map((t) => [t.name, t.errorCode, t.topicAuthorizedOperations]),
        cluster: r.body.clusterAuthorizedOperations,
      };
    };
    for (const v of [8, 10, 12]) {
      out[`Metadata v${v} asked`] = await metadata(v, true);
      out[`Metadata v${v} not asked`] = await metadata(v, false);
    }
    for (const include of [true, false]) {
      const r = await c.request(
        DescribeClusterApi,
        1,
        createDescribeClusterRequest({
          includeClusterAuthorizedOperations: include,
          endpointType: 1,
        }),
      );
      out[`DescribeCluster ${include ? "asked" : "not asked"}`] =
        r.body.clusterAuthorizedOperations;
    }
    const p = await c.request(
      DescribeTopicPartitionsApi,
      0,
      createDescribeTopicPartitionsRequest({
        topics: ["t", "no-such-topic"].map((name) =>
          createDescribeTopicPartitionsRequestTopicRequest({ name }),
        ),
        responsePartitionLimit: 100,
      }),
    );
    out.DescribeTopicPartitions = p.body.topics.map((t) => [
      t.name,
      t.errorCode,
      t.topicAuthorizedOperations,
    ]);
    return out;
  } finally {
    c.close();
  }
}

test("authorized operations: Logbook answers as Kafka without an authorizer", async () => {
  const expected = await fields(kafka.port);
  // Kafka's own answer, so a change of the reference shows here rather than as a diff.
  assert.deepEqual(expected["Metadata v12 asked"], {
    topics: [
      ["t", 0, TOPIC_OPS],
      ["no-such-topic", 3, TOPIC_OPS],
    ],
    cluster: NOT_PROVIDED,
  });
  assert.equal((expected["Metadata v8 asked"] as { cluster: number }).cluster, CLUSTER_OPS);
  assert.equal(expected["DescribeCluster asked"], CLUSTER_OPS);
  assert.deepEqual(expected["Metadata v12 not asked"], {
    topics: [
      ["t", 0, NOT_PROVIDED],
      ["no-such-topic", 3, NOT_PROVIDED],
    ],
    cluster: NOT_PROVIDED,
  });
  assert.deepEqual(expected.DescribeTopicPartitions, [
    ["no-such-topic", 3, TOPIC_OPS],
    ["t", 0, TOPIC_OPS],
  ]);
  assert.deepEqual(await fields(logbook.port), expected);
});
