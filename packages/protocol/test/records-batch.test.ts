import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  buildBatch,
  buildEndTxnMarkerBatch,
  ControlRecordType,
  decodeAllBatches,
  decodeBatch,
  decodeControlKey,
  decodeEndTxnMarker,
  encodeBatch,
  encodeControlKey,
  encodeEndTxnMarker,
  iterateRecords,
  RecordBatchHeader,
  stampLogAppendTime,
  validateBatch,
} from "../src/records/index.js";

/** wire-format-notes 3.4, checked there against kafka-python's reader. */
const VECTOR_VALUE_ONLY = Buffer.from(
  "0000000000000000 0000003a ffffffff 02 bbcc4115 0000 00000000 0000018bcfe56800 0000018bcfe56800 ffffffffffffffff ffff ffffffff 00000001 10 00 00 00 01 04 6869 00".replaceAll(
    " ",
    "",
  ),
  "hex",
);
const VECTOR_WITH_HEADER = Buffer.from(
  "0000000000000000 0000003e ffffffff 02 5e93538d 0000 00000000 0000018bcfe56800 0000018bcfe56800 ffffffffffffffff ffff ffffffff 00000001 18 00 00 00 02 6b 02 76 02 02 68 02 78".replaceAll(
    " ",
    "",
  ),
  "hex",
);
const T = 1700000000000n;

describe("RecordBatch test vectors (wire-format-notes 3.4)", () => {
  it("decodes the value-only vector exactly", async () => {
    assert.equal(VECTOR_VALUE_ONLY.length, 70);
    const b = await decodeBatch(VECTOR_VALUE_ONLY);
    assert.equal(b.baseOffset, 0n);
    assert.equal(b.batchLength, 58);
    assert.equal(b.partitionLeaderEpoch, -1);
    assert.equal(b.crc, 0xbbcc4115);
    assert.equal(b.attributes, 0);
    assert.equal(b.compression, 0);
    assert.equal(b.timestampType, 0);
    assert.equal(b.isTransactional, false);
    assert.equal(b.isControl, false);
    assert.equal(b.hasDeleteHorizon, false);
    assert.equal(b.lastOffsetDelta, 0);
    assert.equal(b.baseTimestamp, T);
    assert.equal(b.maxTimestamp, T);
    assert.equal(b.producerId, -1n);
    assert.equal(b.producerEpoch, -1);
    assert.equal(b.baseSequence, -1);
    assert.equal(b.recordsCount, 1);
    assert.deepEqual(b.records, [
      {
        attributes: 0,
        timestampDelta: 0n,
        offsetDelta: 0,
        key: null,
        value: Buffer.from("hi"),
        headers: [],
      },
    ]);
  });

  it("decodes the header vector exactly", async () => {
    assert.equal(VECTOR_WITH_HEADER.length, 74);
    const b = await decodeBatch(VECTOR_WITH_HEADER);
    assert.equal(b.crc, 0x5e93538d);
    assert.deepEqual(b.records, [
      {
        attributes: 0,
        timestampDelta: 0n,
        offsetDelta: 0,
        key: Buffer.from("k"),
        value: Buffer.from("v"),
        headers: [{ key: "h", value: Buffer.from("x") }],
      },
    ]);
  });

  it("re-encodes both vectors byte for byte from the decoded form", async () => {
    for (const v of [VECTOR_VALUE_ONLY, VECTOR_WITH_HEADER]) {
      const b = await decodeBatch(v);
      assert.deepEqual(await encodeBatch(b), v);
    }
  });

  it("builds the vectors from producer records", async () => {
    const one = await buildBatch([{ timestamp: T, key: null, value: Buffer.from("hi") }]);
    assert.deepEqual(one, VECTOR_VALUE_ONLY);
    const two = await buildBatch([
      {
        timestamp: T,
        key: Buffer.from("k"),
        value: Buffer.from("v"),
        headers: [{ key: "h", value: Buffer.from("x") }],
      },
    ]);
    assert.deepEqual(two, VECTOR_WITH_HEADER);
  });
});

describe("RecordBatchHeader view", () => {
  it("reads every field at an offset inside a larger buffer without copying", async () => {
    const batch = await buildBatch(
      [
        { timestamp: 1000n, key: null, value: Buffer.from("a") },
        { timestamp: 1500n, key: null, value: Buffer.from("b") },
      ],
      { producerId: 77n, producerEpoch: 3, baseSequence: 9, isTransactional: true, compression: 1 },
    );
    const buf = Buffer.concat([Buffer.from("junk!"), batch]);
    const h = RecordBatchHeader.at(buf, 5);
    assert.equal(h.bytes().buffer, buf.buffer);
    assert.equal(h.sizeInBytes, batch.length);
    assert.equal(h.magic, 2);
    assert.equal(h.compression, 1);
    assert.equal(h.isTransactional, true);
    assert.equal(h.isControl, false);
    assert.equal(h.lastOffsetDelta, 1);
    assert.equal(h.baseTimestamp, 1000n);
    assert.equal(h.maxTimestamp, 1500n);
    assert.equal(h.producerId, 77n);
    assert.equal(h.producerEpoch, 3);
    assert.equal(h.baseSequence, 9);
    assert.equal(h.recordsCount, 2);
    assert.equal(h.deleteHorizonMs, null);
  });

  it("patches baseOffset and partitionLeaderEpoch in place and the CRC stays valid", () => {
    const buf = Buffer.from(VECTOR_WITH_HEADER);
    const h = RecordBatchHeader.at(buf);
    h.setBaseOffset(123456789012n);
    h.setPartitionLeaderEpoch(42);
    assert.equal(h.baseOffset, 123456789012n);
    assert.equal(h.lastOffset, 123456789012n);
    assert.equal(h.nextOffset, 123456789013n);
    assert.equal(h.partitionLeaderEpoch, 42);
    assert.equal(buf.readBigInt64BE(0), 123456789012n);
    assert.equal(validateBatch(buf).ok, true);
  });

  it("stamps LogAppendTime and rewrites the CRC", async () => {
    const buf = Buffer.from(VECTOR_VALUE_ONLY);
    const h = RecordBatchHeader.at(buf);
    stampLogAppendTime(h, 1800000000000n);
    assert.equal(h.timestampType, 1);
    assert.equal(h.maxTimestamp, 1800000000000n);
    assert.equal(validateBatch(buf).ok, true);
    assert.equal((await decodeBatch(buf)).timestampType, 1);
  });

  it("refuses a header of another magic", () => {
    const buf = Buffer.from(VECTOR_VALUE_ONLY);
    buf[16] = 1;
    assert.throws(() => RecordBatchHeader.at(buf), { name: "DecodeError" });
  });
});

describe("validateBatch", () => {
  it("accepts valid batches", () => {
    const v = validateBatch(VECTOR_VALUE_ONLY);
    assert.ok(v.ok);
    assert.equal(v.header.recordsCount, 1);
  });

  it("names each problem instead of throwing", () => {
    const cases: Array<[Buffer, string]> = [];
    cases.push([VECTOR_VALUE_ONLY.subarray(0, 60), "truncated-header"]);
    cases.push([VECTOR_VALUE_ONLY.subarray(0, 69), "truncated"]);
    const magic = Buffer.from(VECTOR_VALUE_ONLY);
    magic[16] = 3;
    cases.push([magic, "bad-magic"]);
    const crc = Buffer.from(VECTOR_VALUE_ONLY);
    crc[69] = (crc[69] as number) ^ 1;
    cases.push([crc, "crc-mismatch"]);
    const len = Buffer.from(VECTOR_VALUE_ONLY);
    len.writeInt32BE(10, 8);
    cases.push([len, "bad-length"]);
    const codec = Buffer.from(VECTOR_VALUE_ONLY);
    codec.writeInt16BE(6, 21);
    cases.push([codec, "bad-compression"]);
    const count = Buffer.from(VECTOR_VALUE_ONLY);
    count.writeInt32BE(-5, 57);
    cases.push([count, "bad-records-count"]);
    for (const [buf, reason] of cases) {
      const v = validateBatch(buf);
      assert.equal(v.ok, false);
      if (!v.ok) assert.equal(v.reason, reason);
    }
  });
});

describe("RECORDS blob iteration", () => {
  it("walks concatenated batches and stops cleanly at a partial tail", async () => {
    const a = await buildBatch([{ timestamp: 1n, key: null, value: Buffer.from("one") }], {
      baseOffset: 10n,
    });
    const b = await buildBatch([{ timestamp: 2n, key: null, value: Buffer.from("two") }], {
      baseOffset: 11n,
    });
    const c = await buildBatch([{ timestamp: 3n, key: null, value: Buffer.from("three") }], {
      baseOffset: 12n,
    });
    const blob = Buffer.concat([a, b, c.subarray(0, 40)]);
    const it = iterateRecords(blob);
    const offsets: bigint[] = [];
    let step = it.next();
    while (!step.done) {
      if (step.value.magic === 2) offsets.push(step.value.header.baseOffset);
      step = it.next();
    }
    assert.deepEqual(offsets, [10n, 11n]);
    assert.equal(step.value.truncatedTailBytes, 40);
    const decoded = await decodeAllBatches(blob);
    assert.deepEqual(
      decoded.map((d) => d.records[0]?.value?.toString()),
      ["one", "two"],
    );
  });

  it("rejects a legacy entry in a v2 blob and an unknown magic", async () => {
    const blob = Buffer.from(VECTOR_VALUE_ONLY);
    blob[16] = 9;
    assert.throws(() => [...iterateRecords(blob)], { name: "DecodeError" });
  });
});

describe("control records", () => {
  it("encodes and decodes marker key and value", () => {
    const key = encodeControlKey({ version: 0, type: ControlRecordType.commit });
    assert.deepEqual(key, Buffer.from("00000001", "hex"));
    assert.deepEqual(decodeControlKey(key), { version: 0, type: 1 });
    const value = encodeEndTxnMarker({ version: 0, coordinatorEpoch: 7 });
    assert.deepEqual(value, Buffer.from("000000000007", "hex"));
    assert.deepEqual(decodeEndTxnMarker(value), { version: 0, coordinatorEpoch: 7 });
    assert.throws(() => decodeControlKey(Buffer.from("00", "hex")), { name: "DecodeError" });
    assert.throws(() => decodeEndTxnMarker(null), { name: "DecodeError" });
    assert.throws(() => decodeControlKey(Buffer.from("ffff0001", "hex")), { name: "DecodeError" });
  });

  it("builds a transactional control batch with one ABORT marker", async () => {
    const buf = await buildEndTxnMarkerBatch({
      commit: false,
      producerId: 5000n,
      producerEpoch: 2,
      coordinatorEpoch: 11,
      timestamp: T,
      baseOffset: 99n,
    });
    const b = await decodeBatch(buf);
    assert.equal(b.isControl, true);
    assert.equal(b.isTransactional, true);
    assert.equal(b.attributes, 0x30);
    assert.equal(b.baseSequence, -1);
    assert.equal(b.producerId, 5000n);
    assert.equal(b.baseOffset, 99n);
    const rec = b.records[0];
    assert.ok(rec);
    assert.deepEqual(decodeControlKey(rec.key), { version: 0, type: ControlRecordType.abort });
    assert.deepEqual(decodeEndTxnMarker(rec.value), { version: 0, coordinatorEpoch: 11 });
  });
});

describe("encodeBatch attributes", () => {
  it("writes delete horizon, LogAppendTime and an empty batch", async () => {
    const buf = await encodeBatch({
      hasDeleteHorizon: true,
      timestampType: 1,
      baseTimestamp: 555n,
      records: [],
    });
    const h = RecordBatchHeader.at(buf);
    assert.equal(h.attributes, 0x48);
    assert.equal(h.deleteHorizonMs, 555n);
    assert.equal(h.recordsCount, 0);
    assert.equal(h.maxTimestamp, -1n);
    assert.equal(buf.length, 61);
    assert.deepEqual((await decodeBatch(buf)).records, []);
  });
});
