import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  buildBatch,
  createFetchRequestForgottenTopic,
  ErrorCode,
  FetchApi,
  type FetchRequest,
  ProduceApi,
} from "@logbook/protocol";
import { type DataTestBroker, dataTestBroker, records } from "./helpers/data-broker.js";
import {
  batchBaseOffsets,
  type FetchPartitionSpec,
  fetchedPartitions,
  fetchRequest,
  onlyProduceResult,
  produceRequest,
} from "./helpers/data-requests.js";

async function produceN(
  b: DataTestBroker,
  topic: string,
  partition: number,
  batches: number,
  perBatch = 1,
  valueBytes = 0,
) {
  for (let i = 0; i < batches; i++) {
    const recs =
      valueBytes > 0
        ? [{ timestamp: 1n, key: null, value: Buffer.alloc(valueBytes, 1) }]
        : records(perBatch);
    const r = onlyProduceResult(
      await b.call(ProduceApi, 9, produceRequest(topic, partition, await buildBatch(recs))),
    );
    assert.equal(r.errorCode, ErrorCode.NONE);
  }
}

function fetch(
  b: DataTestBroker,
  parts: FetchPartitionSpec[],
  init: Partial<FetchRequest> = {},
  version = 12,
) {
  return b.call(FetchApi, version, fetchRequest(parts, init));
}

describe("Fetch handler", () => {
  let b: DataTestBroker;
  before(async () => {
    b = await dataTestBroker("memory:", 2);
    b.topics.add("f", 3);
    b.topics.add("big", 2);
    b.topics.add("z", 1);
    await produceN(b, "f", 0, 3, 2); // offsets 0-5 in batches at 0, 2, 4
    await produceN(b, "big", 0, 2, 1, 3000);
    await produceN(b, "big", 1, 2, 1, 3000);
  });
  after(() => b.close());

  it("returns whole batches, including the one holding the fetch offset", async () => {
    const res = await fetch(b, [{ topic: "f", partition: 0, offset: 3n }]);
    const p = fetchedPartitions(res).get("f:0");
    assert.equal(p?.errorCode, ErrorCode.NONE);
    assert.deepEqual(batchBaseOffsets(p?.records ?? null), [2n, 4n]);
    assert.equal(p?.highWatermark, 6n);
    assert.equal(p?.lastStableOffset, 6n);
    assert.equal(p?.logStartOffset, 0n);
    assert.equal(p?.preferredReadReplica, -1);
    assert.equal(res.sessionId, 0);
  });

  it("answers every requested partition, with errors where needed", async () => {
    const res = await fetch(b, [
      { topic: "f", partition: 0, offset: 0n },
      { topic: "f", partition: 1, offset: 0n },
      { topic: "f", partition: 7, offset: 0n },
      { topic: "missing", partition: 0, offset: 0n },
      { topic: "f", partition: 2, offset: 99n },
    ]);
    const parts = fetchedPartitions(res);
    assert.equal(parts.size, 5);
    assert.equal(parts.get("f:1")?.errorCode, ErrorCode.NONE);
    assert.equal(parts.get("f:1")?.records?.length, 0);
    assert.equal(parts.get("f:7")?.errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    assert.equal(parts.get("missing:0")?.errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    const oor = parts.get("f:2");
    assert.equal(oor?.errorCode, ErrorCode.OFFSET_OUT_OF_RANGE);
    // -1 offsets with the error, as Kafka answers (integration-tests/differential).
    assert.equal(oor?.highWatermark, -1n);
    assert.equal(oor?.logStartOffset, -1n);
  });

  it("names topics by id from v13 and answers UNKNOWN_TOPIC_ID for unknown ids", async () => {
    const id = (b.topics.get("f")?.id as Buffer) ?? Buffer.alloc(16);
    const unknown = Buffer.alloc(16, 7);
    const res = await fetch(
      b,
      [
        { topic: "", topicId: id, partition: 0, offset: 0n },
        { topic: "x", topicId: unknown, partition: 0, offset: 0n },
      ],
      {},
      13,
    );
    const parts = fetchedPartitions(res);
    assert.deepEqual(batchBaseOffsets(parts.get(`${id.toString("hex")}:0`)?.records ?? null), [
      0n,
      2n,
      4n,
    ]);
    assert.equal(parts.get(`${unknown.toString("hex")}:0`)?.errorCode, ErrorCode.UNKNOWN_TOPIC_ID);
  });

  it("treats max_bytes as soft: one oversized batch for the first partition, nothing more", async () => {
    const res = await fetch(
      b,
      [
        { topic: "big", partition: 0, offset: 0n, maxBytes: 100 },
        { topic: "big", partition: 1, offset: 0n, maxBytes: 100 },
      ],
      { maxBytes: 1000 },
    );
    const parts = fetchedPartitions(res);
    assert.deepEqual(batchBaseOffsets(parts.get("big:0")?.records ?? null), [0n]);
    assert.equal(parts.get("big:1")?.records?.length, 0);
    assert.equal(parts.get("big:1")?.highWatermark, 2n);
  });

  it("bounds read_committed fetches by the last stable offset", async () => {
    const log = await b.topics.partition("f", 0);
    // Loaded first: loading the producer state installs its own LSO hook.
    if (log !== undefined) await b.dataPlane.producerState(log);
    log?.setLastStableOffsetHook(() => 2);
    try {
      const committed = fetchedPartitions(
        await fetch(b, [{ topic: "f", partition: 0, offset: 0n }], { isolationLevel: 1 }),
      );
      assert.deepEqual(batchBaseOffsets(committed.get("f:0")?.records ?? null), [0n]);
      assert.equal(committed.get("f:0")?.lastStableOffset, 2n);
      assert.deepEqual(committed.get("f:0")?.abortedTransactions, []);
      const all = fetchedPartitions(
        await fetch(b, [{ topic: "f", partition: 0, offset: 0n }], { isolationLevel: 0 }),
      );
      assert.deepEqual(batchBaseOffsets(all.get("f:0")?.records ?? null), [0n, 2n, 4n]);
      assert.equal(all.get("f:0")?.abortedTransactions, null);
    } finally {
      log?.setLastStableOffsetHook(null);
    }
  });

  it("serves zstd batches below v10 too, as Kafka 4 does", async () => {
    const zstd = await buildBatch(records(2), { compression: 4 });
    assert.equal(
      onlyProduceResult(await b.call(ProduceApi, 9, produceRequest("z", 0, zstd))).errorCode,
      ErrorCode.NONE,
    );
    const old = fetchedPartitions(
      await fetch(b, [{ topic: "z", partition: 0, offset: 0n }], {}, 9),
    );
    assert.equal(old.get("z:0")?.errorCode, ErrorCode.NONE);
    assert.deepEqual(batchBaseOffsets(old.get("z:0")?.records ?? null), [0n]);
    const current = fetchedPartitions(
      await fetch(b, [{ topic: "z", partition: 0, offset: 0n }], {}, 10),
    );
    assert.deepEqual(batchBaseOffsets(current.get("z:0")?.records ?? null), [0n]);
  });

  it("long-polls until an append arrives, then removes its listeners", async () => {
    const pending = fetch(b, [{ topic: "f", partition: 1, offset: 0n }], {
      maxWaitMs: 60_000,
      minBytes: 1,
    });
    // Let the fetch read once and start waiting before the append.
    await new Promise((r) => setImmediate(r));
    await produceN(b, "f", 1, 1);
    const res = await pending;
    assert.deepEqual(batchBaseOffsets(fetchedPartitions(res).get("f:1")?.records ?? null), [0n]);
    // A second long-poll ends at its deadline with an empty answer (no listener leaked into it).
    const empty = await fetch(b, [{ topic: "f", partition: 1, offset: 1n }], {
      maxWaitMs: 20,
      minBytes: 1,
    });
    assert.equal(fetchedPartitions(empty).get("f:1")?.records?.length, 0);
  });

  it("answers a waiting fetch when the data plane closes", async () => {
    const c = await dataTestBroker();
    c.topics.add("w", 1);
    const pending = c.call(
      FetchApi,
      12,
      fetchRequest([{ topic: "w", partition: 0, offset: 0n }], { maxWaitMs: 60_000 }),
    );
    await new Promise((r) => setImmediate(r));
    await c.dataPlane.close();
    const res = await pending;
    assert.equal(fetchedPartitions(res).get("w:0")?.errorCode, ErrorCode.NONE);
    await c.close();
  });
});

describe("Fetch sessions (KIP-227)", () => {
  let b: DataTestBroker;
  before(async () => {
    b = await dataTestBroker("memory:", 2);
    b.topics.add("s", 2);
    await produceN(b, "s", 0, 2);
    await produceN(b, "s", 1, 1);
  });
  after(() => b.close());

  it("creates a session, then answers incremental requests with changed partitions only", async () => {
    const parts = [
      { topic: "s", partition: 0, offset: 0n },
      { topic: "s", partition: 1, offset: 0n },
    ];
    const full = await fetch(b, parts, { sessionId: 0, sessionEpoch: 0 });
    assert.notEqual(full.sessionId, 0);
    assert.equal(fetchedPartitions(full).size, 2);

    // The client moves its offsets to the end; nothing new and no offsets changed: empty.
    const caughtUp = [
      { topic: "s", partition: 0, offset: 2n },
      { topic: "s", partition: 1, offset: 1n },
    ];
    const inc1 = await fetch(b, caughtUp, {
      sessionId: full.sessionId,
      sessionEpoch: 1,
      minBytes: 0,
    });
    assert.equal(inc1.errorCode, ErrorCode.NONE);
    assert.equal(inc1.sessionId, full.sessionId);
    assert.equal(fetchedPartitions(inc1).size, 0);

    // New data on partition 1 only: only it comes back.
    await produceN(b, "s", 1, 1);
    const inc2 = await fetch(b, [{ topic: "s", partition: 1, offset: 1n }], {
      sessionId: full.sessionId,
      sessionEpoch: 2,
    });
    const got = fetchedPartitions(inc2);
    assert.deepEqual([...got.keys()], ["s:1"]);
    assert.deepEqual(batchBaseOffsets(got.get("s:1")?.records ?? null), [1n]);

    // Forgetting partition 0 drops it from the session.
    const inc3 = await fetch(b, [{ topic: "s", partition: 1, offset: 2n }], {
      sessionId: full.sessionId,
      sessionEpoch: 3,
      minBytes: 0,
      forgottenTopicsData: [createFetchRequestForgottenTopic({ topic: "s", partitions: [0] })],
    });
    assert.equal(fetchedPartitions(inc3).size, 0);
    await produceN(b, "s", 0, 1);
    const inc4 = await fetch(b, [], { sessionId: full.sessionId, sessionEpoch: 4, minBytes: 0 });
    assert.equal(fetchedPartitions(inc4).size, 0, "partition 0 is no longer in the session");
  });

  it("refuses unknown sessions and wrong epochs", async () => {
    const unknown = await fetch(b, [], { sessionId: 12345, sessionEpoch: 1 });
    assert.equal(unknown.errorCode, ErrorCode.FETCH_SESSION_ID_NOT_FOUND);
    const full = await fetch(b, [{ topic: "s", partition: 0, offset: 0n }], { sessionEpoch: 0 });
    const wrong = await fetch(b, [], { sessionId: full.sessionId, sessionEpoch: 5 });
    assert.equal(wrong.errorCode, ErrorCode.INVALID_FETCH_SESSION_EPOCH);
    assert.equal(wrong.sessionId, 0);
  });

  it("evicts the least recently used session when the cache is full", async () => {
    const one = await fetch(b, [{ topic: "s", partition: 0, offset: 0n }], { sessionEpoch: 0 });
    const two = await fetch(b, [{ topic: "s", partition: 0, offset: 0n }], { sessionEpoch: 0 });
    const used = await fetch(b, [], { sessionId: one.sessionId, sessionEpoch: 1, minBytes: 0 });
    assert.equal(used.errorCode, ErrorCode.NONE);
    await fetch(b, [{ topic: "s", partition: 0, offset: 0n }], { sessionEpoch: 0 });
    assert.equal(b.dataPlane.fetchSessions.size, 2);
    const evicted = await fetch(b, [], { sessionId: two.sessionId, sessionEpoch: 1 });
    assert.equal(evicted.errorCode, ErrorCode.FETCH_SESSION_ID_NOT_FOUND);
    const kept = await fetch(b, [], { sessionId: one.sessionId, sessionEpoch: 2, minBytes: 0 });
    assert.equal(kept.errorCode, ErrorCode.NONE);
  });

  it("closes a session with epoch -1 and answers sessionless", async () => {
    const full = await fetch(b, [{ topic: "s", partition: 0, offset: 0n }], { sessionEpoch: 0 });
    const closing = await fetch(b, [{ topic: "s", partition: 0, offset: 0n }], {
      sessionId: full.sessionId,
      sessionEpoch: -1,
    });
    assert.equal(closing.sessionId, 0);
    assert.equal(fetchedPartitions(closing).size, 1);
    const gone = await fetch(b, [], { sessionId: full.sessionId, sessionEpoch: 1 });
    assert.equal(gone.errorCode, ErrorCode.FETCH_SESSION_ID_NOT_FOUND);
  });
});
