import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { connect } from "node:net";
import { after, before, describe, test } from "node:test";
import { ErrorCode } from "@logbook/protocol";
import { Kafka, logLevel } from "kafkajs";
import { startTestBroker, type TestBroker } from "../src/index.js";

const client = (kafka: TestBroker, retries = 5) =>
  new Kafka({
    clientId: "testing-package",
    brokers: kafka.brokers,
    logLevel: logLevel.NOTHING,
    retry: { retries, initialRetryTime: 20, maxRetryTime: 200 },
  });

describe("startTestBroker", () => {
  let kafka: TestBroker;
  before(async () => {
    kafka = await startTestBroker({
      topics: { orders: 3, audit: { partitions: 1, configs: { "cleanup.policy": "compact" } } },
    });
  });
  after(() => kafka.stop());

  test("serves on 127.0.0.1 with the topics asked for, configs included", async () => {
    assert.match(kafka.bootstrap, /^127\.0\.0\.1:\d+$/);
    assert.deepEqual(kafka.brokers, [kafka.bootstrap]);
    const admin = client(kafka).admin();
    await admin.connect();
    try {
      const { topics } = await admin.fetchTopicMetadata({ topics: ["orders", "audit"] });
      assert.deepEqual(topics.map((t) => [t.name, t.partitions.length]).sort(), [
        ["audit", 1],
        ["orders", 3],
      ]);
      const configs = await admin.describeConfigs({
        resources: [{ type: 2, name: "audit", configNames: ["cleanup.policy"] }],
        includeSynonyms: false,
      });
      assert.equal(configs.resources[0]?.configEntries[0]?.configValue, "compact");
    } finally {
      await admin.disconnect();
    }
  });

  test("a record produced is consumed back", async () => {
    const k = client(kafka);
    const producer = k.producer();
    await producer.connect();
    await producer.send({ topic: "orders", messages: [{ key: "k1", value: "first" }] });
    await producer.disconnect();
    const consumer = k.consumer({ groupId: "round-trip", maxWaitTimeInMs: 50 });
    await consumer.connect();
    await consumer.subscribe({ topic: "orders", fromBeginning: true });
    const got = await new Promise<string>((resolve) => {
      void consumer.run({ eachMessage: async ({ message }) => resolve(String(message.value)) });
    });
    await consumer.disconnect();
    assert.equal(got, "first");
  });

  test("failNext with a retriable code: the client retries and succeeds; seen() counts every attempt", async () => {
    const before = kafka.seen("Produce");
    const control = kafka.failNext("Produce", ErrorCode.NOT_LEADER_OR_FOLLOWER, 2);
    const producer = client(kafka).producer();
    await producer.connect();
    try {
      const [meta] = await producer.send({ topic: "orders", messages: [{ value: "retried" }] });
      assert.equal(meta?.errorCode, 0);
    } finally {
      await producer.disconnect();
    }
    assert.equal(control.taken, 2);
    assert.equal(kafka.seen("Produce") - before, 3);
  });

  test("failNext with a fatal code reaches the application as that error", async () => {
    kafka.failNext(0, ErrorCode.TOPIC_AUTHORIZATION_FAILED);
    const producer = client(kafka, 0).producer();
    await producer.connect();
    try {
      await assert.rejects(
        producer.send({ topic: "orders", messages: [{ value: "refused" }] }),
        (e: Error & { type?: string; cause?: { type?: string } }) =>
          (e.type ?? e.cause?.type) === "TOPIC_AUTHORIZATION_FAILED" || /authoriz/i.test(e.message),
      );
    } finally {
      await producer.disconnect();
    }
  });

  test("a control that returns nothing lets the request through and is not used up", async () => {
    const control = kafka.control(
      "Produce",
      (req) => {
        const body = req.body as { topicData: { name: string }[] };
        return body.topicData.some((t) => t.name === "audit")
          ? { errorCode: ErrorCode.INVALID_RECORD }
          : undefined;
      },
      { times: Number.POSITIVE_INFINITY },
    );
    const producer = client(kafka, 0).producer();
    await producer.connect();
    try {
      await producer.send({ topic: "orders", messages: [{ value: "passes" }] });
      await assert.rejects(
        producer.send({ topic: "audit", messages: [{ key: "a", value: "refused" }] }),
      );
      await assert.rejects(
        producer.send({ topic: "audit", messages: [{ key: "a", value: "refused again" }] }),
      );
    } finally {
      await producer.disconnect();
      control.remove();
    }
    assert.equal(control.taken, 2);
  });

  test("delayNext holds a request back at least that long", async () => {
    kafka.delayNext("ListOffsets", 300);
    const admin = client(kafka).admin();
    await admin.connect();
    try {
      const started = Date.now();
      const offsets = await admin.fetchTopicOffsets("orders");
      assert.ok(Date.now() - started >= 300, "answered before the delay");
      assert.equal(offsets.length, 3);
    } finally {
      await admin.disconnect();
    }
  });

  test("dropNext closes the connection; the client reconnects and carries on", async () => {
    const before = kafka.seen("Produce");
    const producer = client(kafka).producer();
    await producer.connect();
    const control = kafka.dropNext("Produce");
    try {
      const [meta] = await producer.send({ topic: "orders", messages: [{ value: "after drop" }] });
      assert.equal(meta?.errorCode, 0);
    } finally {
      await producer.disconnect();
    }
    assert.equal(control.taken, 1);
    assert.equal(kafka.seen("Produce") - before, 2);
  });

  test("a control's own response is what the client gets", async () => {
    const { createApiVersionsResponse } = await import("@logbook/protocol");
    kafka.control("ApiVersions", () => ({
      response: createApiVersionsResponse({ errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED }),
    }));
    const admin = client(kafka, 0).admin();
    await assert.rejects(admin.connect());
    await admin.disconnect();
    kafka.clearControls();
  });

  test("unknown API names and refused topics throw", async () => {
    assert.throws(() => kafka.failNext("NoSuchApi", 1), /unknown Kafka API "NoSuchApi"/);
    await assert.rejects(kafka.createTopic("orders", 1), /TOPIC_ALREADY_EXISTS/);
  });
});

test("disk storage lives in a temporary directory removed at stop; a stopped broker refuses connections", async () => {
  const kafka = await startTestBroker({ storage: "disk", topics: { t: 1 } });
  const dir = kafka.broker.config.dataDir;
  assert.ok(existsSync(dir), `${dir} exists while the broker runs`);
  const port = kafka.port;
  await kafka.stop();
  assert.equal(existsSync(dir), false);
  await assert.rejects(
    new Promise<void>((resolve, reject) => {
      const s = connect(port, "127.0.0.1", () => {
        s.destroy();
        resolve();
      });
      s.on("error", reject);
    }),
    /ECONNREFUSED/,
  );
});
