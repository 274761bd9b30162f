import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  BatchField,
  buildBatch,
  createInitProducerIdRequest,
  ErrorCode,
  encodeBatch,
  InitProducerIdApi,
  ProduceApi,
} from "@logbook/protocol";
import {
  type DataTestBroker,
  dataTestBroker,
  idempotentBatch,
  records,
  tempEngine,
} from "./helpers/data-broker.js";
import { onlyProduceResult, produceRequest } from "./helpers/data-requests.js";

async function produce(
  b: DataTestBroker,
  topic: string,
  batch: Buffer | null,
  version = 9,
  partition = 0,
) {
  return onlyProduceResult(
    await b.call(ProduceApi, version, produceRequest(topic, partition, batch)),
  );
}

describe("Produce handler", () => {
  let b: DataTestBroker;
  before(async () => {
    b = await dataTestBroker();
    b.topics.add("t", 2);
    b.topics.add("small", 1, { maxMessageBytes: 200 });
    b.topics.add("compacted", 1, { log: { cleanupPolicy: { delete: false, compact: true } } });
    b.topics.add("appendtime", 1, { log: { messageTimestampType: "LogAppendTime" } });
    b.topics.add("__internal", 1, { internal: true });
  });
  after(() => b.close());

  it("assigns consecutive base offsets and reports the log start (v5+)", async () => {
    const r1 = await produce(b, "t", await buildBatch(records(3)));
    const r2 = await produce(b, "t", await buildBatch(records(2)));
    assert.equal(r1.errorCode, ErrorCode.NONE);
    assert.equal(r1.baseOffset, 0n);
    assert.equal(r2.baseOffset, 3n);
    assert.equal(r2.logAppendTimeMs, -1n);
    assert.equal(r2.logStartOffset, 0n);
    const other = await produce(b, "t", await buildBatch(records(1)), 9, 1);
    assert.equal(other.baseOffset, 0n, "partitions have their own offsets");
  });

  it("reports the append time on LogAppendTime topics", async () => {
    const before = Date.now();
    const r = await produce(b, "appendtime", await buildBatch(records(1)));
    assert.equal(r.errorCode, ErrorCode.NONE);
    assert.ok(r.logAppendTimeMs >= BigInt(before));
  });

  it("answers unknown topics and partitions without creating them", async () => {
    assert.equal(
      (await produce(b, "nope", await buildBatch(records(1)))).errorCode,
      ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
    );
    assert.equal(
      (await produce(b, "t", await buildBatch(records(1)), 9, 5)).errorCode,
      ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
    );
    assert.equal(b.topics.get("nope"), undefined);
  });

  it("refuses writes to internal topics", async () => {
    const r = await produce(b, "__internal", await buildBatch(records(1)));
    assert.equal(r.errorCode, ErrorCode.INVALID_TOPIC_EXCEPTION);
  });

  it("refuses v0-v2 per partition with UNSUPPORTED_VERSION", async () => {
    const r = await produce(b, "t", await buildBatch(records(1)), 2);
    assert.equal(r.errorCode, ErrorCode.UNSUPPORTED_VERSION);
  });

  it("refuses acks other than -1, 0, 1", async () => {
    const res = await b.call(
      ProduceApi,
      9,
      produceRequest("t", 0, await buildBatch(records(1)), 2),
    );
    assert.equal(onlyProduceResult(res).errorCode, ErrorCode.INVALID_REQUIRED_ACKS);
  });

  it("sends nothing for acks=0, and fails the request (closing the connection) on an error", async () => {
    assert.equal(
      await b.callRaw(ProduceApi, 9, produceRequest("t", 1, await buildBatch(records(1)), 0)),
      null,
    );
    await assert.rejects(
      b.callRaw(ProduceApi, 9, produceRequest("nope", 0, await buildBatch(records(1)), 0)),
    );
  });

  it("refuses a bad CRC and truncated framing with CORRUPT_MESSAGE", async () => {
    const bad = await buildBatch(records(2));
    bad[bad.length - 1] = (bad[bad.length - 1] as number) ^ 0xff;
    assert.equal((await produce(b, "t", bad)).errorCode, ErrorCode.CORRUPT_MESSAGE);
    const cut = (await buildBatch(records(2))).subarray(0, 70);
    assert.equal((await produce(b, "t", cut)).errorCode, ErrorCode.CORRUPT_MESSAGE);
  });

  it("refuses magic != 2, two batches, control batches and count mismatches with INVALID_RECORD", async () => {
    const magic1 = await buildBatch(records(1));
    magic1.writeInt8(1, BatchField.magic);
    assert.equal((await produce(b, "t", magic1)).errorCode, ErrorCode.INVALID_RECORD);
    const two = Buffer.concat([await buildBatch(records(1)), await buildBatch(records(1))]);
    assert.equal((await produce(b, "t", two)).errorCode, ErrorCode.INVALID_RECORD);
    const control = await encodeBatch({
      isControl: true,
      records: [
        {
          attributes: 0,
          timestampDelta: 0n,
          offsetDelta: 0,
          key: Buffer.alloc(4),
          value: null,
          headers: [],
        },
      ],
    });
    assert.equal((await produce(b, "t", control)).errorCode, ErrorCode.INVALID_RECORD);
    const mismatch = await encodeBatch({
      lastOffsetDelta: 5,
      records: [
        {
          attributes: 0,
          timestampDelta: 0n,
          offsetDelta: 0,
          key: null,
          value: Buffer.from("x"),
          headers: [],
        },
      ],
    });
    assert.equal((await produce(b, "t", mismatch)).errorCode, ErrorCode.INVALID_RECORD);
    const noSeq = await buildBatch(records(1), {
      producerId: 4n,
      producerEpoch: 0,
      baseSequence: -1,
    });
    assert.equal((await produce(b, "t", noSeq)).errorCode, ErrorCode.INVALID_RECORD);
    assert.equal((await produce(b, "t", null)).errorCode, ErrorCode.INVALID_RECORD);
  });

  it("refuses transactional batches with INVALID_TXN_STATE", async () => {
    const txn = await buildBatch(records(1), {
      isTransactional: true,
      producerId: 1n,
      producerEpoch: 0,
      baseSequence: 0,
    });
    const res = await b.call(ProduceApi, 9, produceRequest("t", 0, txn, -1, "txn"));
    assert.equal(onlyProduceResult(res).errorCode, ErrorCode.INVALID_TXN_STATE);
  });

  it("enforces the topic's max.message.bytes", async () => {
    const big = await buildBatch([{ timestamp: 1n, key: null, value: Buffer.alloc(300) }]);
    assert.equal((await produce(b, "small", big)).errorCode, ErrorCode.MESSAGE_TOO_LARGE);
    assert.equal(
      (await produce(b, "small", await buildBatch(records(1)))).errorCode,
      ErrorCode.NONE,
    );
  });

  it("refuses zstd below v7 only", async () => {
    const zstd = await buildBatch(records(2), { compression: 4 });
    assert.equal(
      (await produce(b, "t", zstd, 6)).errorCode,
      ErrorCode.UNSUPPORTED_COMPRESSION_TYPE,
    );
    assert.equal(
      (await produce(b, "t", await buildBatch(records(2), { compression: 4 }), 7)).errorCode,
      ErrorCode.NONE,
    );
  });

  it("refuses keyless records on compacted topics, naming the record (v8+)", async () => {
    const mixed = await buildBatch([
      { timestamp: 1n, key: Buffer.from("a"), value: Buffer.from("1") },
      { timestamp: 2n, key: null, value: Buffer.from("2") },
    ]);
    const r = await produce(b, "compacted", mixed);
    assert.equal(r.errorCode, ErrorCode.INVALID_RECORD);
    assert.deepEqual(
      r.recordErrors.map((e) => e.batchIndex),
      [1],
    );
    assert.equal(
      (await produce(b, "compacted", await buildBatch(records(2, "v", true)))).errorCode,
      ErrorCode.NONE,
    );
  });
});

describe("Produce with an idempotent producer", () => {
  let b: DataTestBroker;
  before(async () => {
    b = await dataTestBroker();
    b.topics.add("idem", 1);
    b.topics.add("idem-appendtime", 1, { log: { messageTimestampType: "LogAppendTime" } });
  });
  after(() => b.close());

  it("answers a duplicate with the original's timestamp, as Kafka does", async () => {
    const init = await b.call(
      InitProducerIdApi,
      4,
      createInitProducerIdRequest({ transactionalId: null }),
    );
    const pid = init.producerId;
    // LogAppendTime: the stamp is only known once written; a retry sent while the
    // original is in flight must still get it.
    const batch = await idempotentBatch(pid, 0, 0, 2);
    const [first, inFlight] = await Promise.all([
      produce(b, "idem-appendtime", Buffer.from(batch)),
      produce(b, "idem-appendtime", Buffer.from(batch)),
    ]);
    assert.equal(first.errorCode, ErrorCode.NONE);
    assert.ok(first.logAppendTimeMs > 0n);
    assert.equal(inFlight.baseOffset, first.baseOffset);
    assert.equal(inFlight.logAppendTimeMs, first.logAppendTimeMs);
    const later = await produce(b, "idem-appendtime", Buffer.from(batch));
    assert.equal(later.logAppendTimeMs, first.logAppendTimeMs);
  });

  it("de-duplicates retries, refuses gaps and stale epochs", async () => {
    const init = await b.call(
      InitProducerIdApi,
      4,
      createInitProducerIdRequest({ transactionalId: null }),
    );
    assert.equal(init.errorCode, ErrorCode.NONE);
    const pid = init.producerId;
    const offsets: bigint[] = [];
    for (let seq = 0; seq < 12; seq += 2)
      offsets.push((await produce(b, "idem", await idempotentBatch(pid, 0, seq, 2))).baseOffset);
    assert.deepEqual(offsets, [0n, 2n, 4n, 6n, 8n, 10n]);
    // Each of the last five is answered with its original offset and not appended again.
    for (let i = 1; i < 6; i++) {
      const retry = await produce(b, "idem", await idempotentBatch(pid, 0, i * 2, 2));
      assert.equal(retry.errorCode, ErrorCode.NONE);
      assert.equal(retry.baseOffset, offsets[i]);
    }
    const next = await produce(b, "idem", await idempotentBatch(pid, 0, 12, 1));
    assert.equal(next.baseOffset, 12n, "no duplicate was appended");
    assert.equal(
      (await produce(b, "idem", await idempotentBatch(pid, 0, 20, 1))).errorCode,
      ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
    );

    const bumped = await b.call(
      InitProducerIdApi,
      4,
      createInitProducerIdRequest({ transactionalId: null, producerId: pid, producerEpoch: 0 }),
    );
    assert.equal(bumped.producerId, pid);
    assert.equal(bumped.producerEpoch, 1);
    assert.equal(
      (await produce(b, "idem", await idempotentBatch(pid, 1, 5, 1))).errorCode,
      ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
    );
    assert.equal(
      (await produce(b, "idem", await idempotentBatch(pid, 1, 0, 1))).errorCode,
      ErrorCode.NONE,
    );
    assert.equal(
      (await produce(b, "idem", await idempotentBatch(pid, 0, 13, 1))).errorCode,
      ErrorCode.INVALID_PRODUCER_EPOCH,
    );
  });

  it("checks and appends atomically when batches of one producer arrive together", async () => {
    const pid = (
      await b.call(InitProducerIdApi, 4, createInitProducerIdRequest({ transactionalId: null }))
    ).producerId;
    const batches = await Promise.all(
      [0, 1, 2, 3, 4].map((i) => idempotentBatch(pid, 0, i * 3, 3)),
    );
    const results = await Promise.all(batches.map((batch) => produce(b, "idem", batch)));
    assert.deepEqual(
      results.map((r) => r.errorCode),
      [0, 0, 0, 0, 0],
    );
    const bases = results.map((r) => r.baseOffset);
    for (let i = 1; i < bases.length; i++)
      assert.equal((bases[i] as bigint) - (bases[i - 1] as bigint), 3n);
    // A retry racing its own original gets the same offset.
    const again = await idempotentBatch(pid, 0, 15, 1);
    const copy = Buffer.from(again);
    const [x, y] = await Promise.all([produce(b, "idem", again), produce(b, "idem", copy)]);
    assert.equal(x.baseOffset, y.baseOffset);
  });
});

describe("Produce after a restart", () => {
  it("still recognises a retried batch and the producer's next sequence", async () => {
    const tmp = await tempEngine();
    try {
      let b = await dataTestBroker(tmp.url);
      b.topics.add("durable", 1);
      const pid = (
        await b.call(InitProducerIdApi, 4, createInitProducerIdRequest({ transactionalId: null }))
      ).producerId;
      await produce(b, "durable", await idempotentBatch(pid, 0, 0, 2));
      const second = await produce(b, "durable", await idempotentBatch(pid, 0, 2, 2));
      await b.close();

      b = await dataTestBroker(tmp.url);
      b.topics.add("durable", 1);
      const retry = await produce(b, "durable", await idempotentBatch(pid, 0, 2, 2));
      assert.equal(retry.errorCode, ErrorCode.NONE);
      assert.equal(retry.baseOffset, second.baseOffset);
      assert.equal(
        (await produce(b, "durable", await idempotentBatch(pid, 0, 4, 1))).baseOffset,
        4n,
      );
      assert.equal(
        (await produce(b, "durable", await idempotentBatch(pid, 0, 9, 1))).errorCode,
        ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
      );
      const fresh = (
        await b.call(InitProducerIdApi, 4, createInitProducerIdRequest({ transactionalId: null }))
      ).producerId;
      assert.notEqual(fresh, pid, "producer ids are not reused after a restart");
      await b.close();
    } finally {
      await tmp.remove();
    }
  });
});
