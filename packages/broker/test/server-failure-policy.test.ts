/**
 * The one failure policy, on a real socket (handler.ts, server/dispatch.ts): a handler
 * that throws something unexpected gets the API's error response with
 * UNKNOWN_SERVER_ERROR per requested item, the error is logged with its stack, and the
 * same connection goes on serving (the storage out of reach is KAFKA_STORAGE_ERROR,
 * retriable, and a warning); only a CloseConnection (a protocol violation, a
 * failed acks=0 Produce) closes it. Produce alone isolates partitions, as Kafka's
 * ReplicaManager: answering a partition already written with an error would make the
 * producer write it again. Also the LOGBOOK_FAIL_NEXT test hook.
 */

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
  ApiVersionsApi,
  createApiVersionsRequest,
  createMetadataRequest,
  createMetadataRequestTopic,
  createProduceRequest,
  createProduceRequestPartitionData,
  createProduceRequestTopicData,
  decodeResponseFrame,
  ErrorCode,
  encodeBatch,
  MetadataApi,
  ProduceApi,
} from "@logbook/protocol";
import { memoryLogger, StorageUnavailableError } from "@logbook/storage";
import {
  type InProcessBroker,
  startInProcess,
} from "../../../integration-tests/helpers/in-process.js";
import { WireClient } from "../../../integration-tests/helpers/wire-client.js";
import { fetchAll, fetchOnce } from "../../../integration-tests/helpers/wire-data.js";
import type { Handler } from "../src/handler.js";
import { HandlerRegistry } from "../src/registry.js";
import { plaintextSession } from "../src/server/client-session.js";
import { ProtocolViolation } from "../src/server/dispatch.js";
import { injectFailures, parseFailNext } from "../src/server/fail-next.js";

const logger = memoryLogger();
let b: InProcessBroker;

before(async () => {
  b = await startInProcess({}, logger);
});
after(async () => {
  await b.stop();
});

/** Serves `apiKey` with `fail` until the returned function restores the real handler. */
function failing(apiKey: number, fail: () => never | Promise<never>): () => void {
  const real = b.broker.registry.get(apiKey);
  assert.ok(real);
  return b.broker.registry.override({ ...real, handle: fail });
}

function produceTwoTopics(acks: number) {
  return createProduceRequest({
    acks,
    timeoutMs: 1000,
    topicData: ["a", "b"].map((name, i) =>
      createProduceRequestTopicData({
        name,
        partitionData: Array.from({ length: i + 1 }, (_, index) =>
          createProduceRequestPartitionData({ index, records: null }),
        ),
      }),
    ),
  });
}

function explodeInStorage(): never {
  throw new TypeError("cannot read the segment of nothing");
}

test("a handler that throws gets UNKNOWN_SERVER_ERROR per partition, a logged stack, and the connection keeps serving", async () => {
  const restore = failing(ProduceApi.apiKey, explodeInStorage);
  const c = await WireClient.connect(b.port);
  try {
    const res = await c.request(ProduceApi, 9, produceTwoTopics(-1));
    assert.deepEqual(
      res.body.responses.map((t) => [
        t.name,
        t.partitionResponses.map((p) => [p.index, p.errorCode, p.baseOffset]),
      ]),
      [
        ["a", [[0, ErrorCode.UNKNOWN_SERVER_ERROR, -1n]]],
        [
          "b",
          [
            [0, ErrorCode.UNKNOWN_SERVER_ERROR, -1n],
            [1, ErrorCode.UNKNOWN_SERVER_ERROR, -1n],
          ],
        ],
      ],
    );
    const logged = logger.events.find((e) => e.level === "error" && e.fields.api === "Produce");
    assert.ok(logged, "the failure is logged at error level");
    assert.equal(logged.fields.version, 9);
    assert.equal(logged.fields.error, "cannot read the segment of nothing");
    assert.match(
      String(logged.fields.stack),
      /TypeError: cannot read[^\n]*\n\s+at (Object\.)?explodeInStorage/,
    );

    // The same connection answers the next requests, the failing API included.
    restore();
    const av = await c.request(
      ApiVersionsApi,
      3,
      createApiVersionsRequest({ clientSoftwareName: "t", clientSoftwareVersion: "1" }),
    );
    assert.equal(av.body.errorCode, ErrorCode.NONE);
    const again = await c.request(ProduceApi, 9, produceTwoTopics(-1));
    assert.equal(
      again.body.responses[0]?.partitionResponses[0]?.errorCode,
      ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
    );
    assert.equal(c.closedNow, false);
  } finally {
    restore();
    c.close();
  }
});

/**
 * Makes Metadata fail asynchronously with `error`, connects and asks for topics x and y;
 * `restore` puts the handler back.
 */
async function metadataFailingWith(error: Error) {
  const restore = failing(MetadataApi.apiKey, async () => {
    await new Promise((r) => setImmediate(r));
    throw error;
  });
  const c = await WireClient.connect(b.port);
  try {
    const res = await c.request(
      MetadataApi,
      12,
      createMetadataRequest({
        topics: ["x", "y"].map((name) => createMetadataRequestTopic({ name })),
      }),
    );
    return { restore, c, res, codes: res.body.topics.map((t) => [t.name, t.errorCode]) };
  } catch (e) {
    restore();
    c.close();
    throw e;
  }
}

test("an async failure of Metadata answers each requested topic with UNKNOWN_SERVER_ERROR", async () => {
  const { restore, c, res, codes } = await metadataFailingWith(new Error("registry unavailable"));
  try {
    assert.deepEqual(codes, [
      ["x", ErrorCode.UNKNOWN_SERVER_ERROR],
      ["y", ErrorCode.UNKNOWN_SERVER_ERROR],
    ]);
    assert.deepEqual(res.body.brokers, []);
    restore();
    const ok = await c.request(MetadataApi, 12, createMetadataRequest({ topics: [] }));
    assert.equal(ok.body.brokers.length, 1);
  } finally {
    restore();
    c.close();
  }
});

// The database restarted under a broker (#17): a request that could not reach it was
// answered UNKNOWN_SERVER_ERROR, which clients do not retry; Kafka answers a failing log
// directory with the retriable KAFKA_STORAGE_ERROR.
test("the storage out of reach is answered KAFKA_STORAGE_ERROR per item, logged as a warning", async () => {
  const warned = logger.events.length;
  const { restore, c, codes } = await metadataFailingWith(
    new StorageUnavailableError("reading x-0: connect ECONNREFUSED"),
  );
  try {
    assert.deepEqual(codes, [
      ["x", ErrorCode.KAFKA_STORAGE_ERROR],
      ["y", ErrorCode.KAFKA_STORAGE_ERROR],
    ]);
    const events = logger.events
      .slice(warned)
      .filter((e) => e.fields.api === "Metadata" && e.level !== "debug");
    assert.deepEqual(
      events.map((e) => [e.level, e.fields.error]),
      [["warn", "reading x-0: connect ECONNREFUSED"]],
    );
    assert.equal(c.closedNow, false);
  } finally {
    restore();
    c.close();
  }
});

test("a ProtocolViolation thrown by a handler still closes the connection", async () => {
  const restore = failing(MetadataApi.apiKey, () => {
    throw new ProtocolViolation("cannot be answered in its schema");
  });
  const c = await WireClient.connect(b.port);
  try {
    await assert.rejects(c.request(MetadataApi, 12, createMetadataRequest()), /closed/);
    await c.closed;
    assert.ok(
      logger.events.some(
        (e) => e.level === "warn" && e.fields.reason === "cannot be answered in its schema",
      ),
    );
  } finally {
    restore();
    c.close();
  }
});

test("an acks=0 Produce that throws closes the connection: there is no response to carry the error", async () => {
  const restore = failing(ProduceApi.apiKey, explodeInStorage);
  const c = await WireClient.connect(b.port);
  try {
    c.write(c.frame(ProduceApi, 9, produceTwoTopics(0)).frame);
    await c.closed;
    assert.ok(logger.events.some((e) => e.level === "error" && e.fields.api === "Produce"));
  } finally {
    restore();
    c.close();
  }
});

test("responses answered before a failing acks=0 Produce still reach the client before the close", async () => {
  // Responses leave at the end of the event-loop turn that completed them; a close in
  // that same turn must not drop them.
  const restore = failing(ProduceApi.apiKey, explodeInStorage);
  const c = await WireClient.connect(b.port);
  try {
    const av = c.frame(
      ApiVersionsApi,
      3,
      createApiVersionsRequest({ clientSoftwareName: "t", clientSoftwareVersion: "1" }),
    );
    c.write(Buffer.concat([av.frame, c.frame(ProduceApi, 9, produceTwoTopics(0)).frame]));
    const res = decodeResponseFrame(ApiVersionsApi, 3, await c.nextFrame());
    assert.equal(res.header.correlationId, av.correlationId);
    assert.equal(res.body.errorCode, ErrorCode.NONE);
    await c.closed;
  } finally {
    restore();
    c.close();
  }
});

test("LOGBOOK_FAIL_NEXT: <apiKey>[:count], comma-separated; nothing when unset", () => {
  assert.deepEqual(parseFailNext(undefined), new Map());
  assert.deepEqual(parseFailNext(""), new Map());
  assert.deepEqual(
    parseFailNext("0:2, 3"),
    new Map([
      [0, 2],
      [3, 1],
    ]),
  );
  assert.throws(() => parseFailNext("produce"), /not <apiKey>\[:count\]/);
});

test("LOGBOOK_FAIL_NEXT makes exactly the next `count` requests of that API throw", async () => {
  const registry = new HandlerRegistry();
  const real = b.broker.registry.get(ApiVersionsApi.apiKey) as Handler;
  registry.register(real);
  injectFailures(registry, parseFailNext("18:2"), memoryLogger());
  const hooked = registry.get(ApiVersionsApi.apiKey) as Handler;
  const ctx = {
    header: { requestApiKey: 18, requestApiVersion: 3, correlationId: 1, clientId: "t" },
    version: 3,
    broker: b.broker,
    peer: "t",
    session: plaintextSession("t"),
  };
  const req = createApiVersionsRequest({ clientSoftwareName: "t", clientSoftwareVersion: "1" });
  for (let i = 0; i < 2; i++) assert.throws(() => hooked.handle(req, ctx), /on purpose/);
  assert.deepEqual(await hooked.handle(req, ctx), await real.handle(req, ctx));
  assert.throws(
    () => injectFailures(registry, parseFailNext("99"), memoryLogger()),
    /99 is not served/,
  );
});

async function oneRecord(value: string): Promise<Buffer> {
  return encodeBatch({
    baseTimestamp: BigInt(Date.now()),
    records: [
      {
        attributes: 0,
        timestampDelta: 0n,
        offsetDelta: 0,
        key: null,
        value: Buffer.from(value),
        headers: [],
      },
    ],
  });
}

/**
 * Makes the topics (one partition each); looking up the last one's partition throws
 * `error` until the returned function puts the lookup back.
 */
async function topicsOneBroken(names: string[], error: Error): Promise<() => void> {
  for (const name of names) {
    const r = await b.broker.topics.create(name, 1, new Map());
    assert.ok(r.ok, `create ${name}`);
  }
  const broken = names[names.length - 1];
  const topics = b.broker.topics;
  const real = topics.partition.bind(topics);
  topics.partition = async (topic, partition) => {
    if (topic === broken) throw error;
    return real(topic, partition);
  };
  return () => {
    topics.partition = real;
  };
}

test("Produce: a partition that throws fails alone; the written partition keeps its offset (not written twice by a retry)", async () => {
  const restore = await topicsOneBroken(["good", "broken"], new TypeError("segment vanished"));
  const c = await WireClient.connect(b.port);
  try {
    const res = await c.request(
      ProduceApi,
      9,
      createProduceRequest({
        acks: -1,
        timeoutMs: 5000,
        topicData: [
          createProduceRequestTopicData({
            name: "good",
            partitionData: [{ index: 0, records: await oneRecord("kept") }],
          }),
          createProduceRequestTopicData({
            name: "broken",
            partitionData: [{ index: 0, records: await oneRecord("lost") }],
          }),
        ],
      }),
    );
    const codes = res.body.responses.map((t) => [
      t.name,
      t.partitionResponses[0]?.errorCode,
      t.partitionResponses[0]?.baseOffset,
    ]);
    assert.deepEqual(codes, [
      ["good", ErrorCode.NONE, 0n],
      ["broken", ErrorCode.UNKNOWN_SERVER_ERROR, -1n],
    ]);
    const logged = logger.events.find(
      (e) => e.level === "error" && e.fields.error === "segment vanished",
    );
    assert.ok(logged, "the partition's failure is logged at error level");
    assert.match(String(logged.fields.stack), /TypeError: segment vanished/);
    assert.equal(c.closedNow, false);
  } finally {
    restore();
    c.close();
  }
  const read = await fetchAll(b.port, "good", 0);
  assert.deepEqual(
    read.records.map((r) => r.value),
    ["kept"],
  );
});

test("Produce and Fetch: a partition whose storage is out of reach fails alone with KAFKA_STORAGE_ERROR", async () => {
  const restore = await topicsOneBroken(
    ["reachable", "unreachable"],
    new StorageUnavailableError("opening: ECONNREFUSED"),
  );
  const c = await WireClient.connect(b.port);
  try {
    const res = await c.request(
      ProduceApi,
      9,
      createProduceRequest({
        acks: -1,
        timeoutMs: 5000,
        topicData: ["reachable", "unreachable"].map((name) =>
          createProduceRequestTopicData({
            name,
            partitionData: [{ index: 0, records: null }],
          }),
        ),
      }),
    );
    // Records are null: the reachable partition answers as Kafka does for an empty produce.
    const byTopic = new Map(
      res.body.responses.map((t) => [t.name, t.partitionResponses[0]?.errorCode]),
    );
    assert.equal(byTopic.get("unreachable"), ErrorCode.KAFKA_STORAGE_ERROR);
    assert.notEqual(byTopic.get("reachable"), ErrorCode.KAFKA_STORAGE_ERROR);
    for (const [topic, code] of [
      ["reachable", ErrorCode.NONE],
      ["unreachable", ErrorCode.KAFKA_STORAGE_ERROR],
    ] as const) {
      const fetched = await fetchOnce(b.port, topic, [0]);
      assert.equal(fetched.errorCode, ErrorCode.NONE);
      assert.equal(fetched.responses[0]?.partitions[0]?.errorCode, code, `fetch ${topic}`);
    }
    assert.equal(c.closedNow, false);
  } finally {
    restore();
    c.close();
  }
});
