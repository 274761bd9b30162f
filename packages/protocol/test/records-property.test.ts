import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import type { CompressionCodecId } from "../src/compression/index.js";
import { type BatchRecord, decodeBatch, encodeBatch, validateBatch } from "../src/records/index.js";

const bytes = fc.uint8Array({ maxLength: 300 }).map((u) => Buffer.from(u));
const record: fc.Arbitrary<BatchRecord> = fc.record(
  {
    attributes: fc.constant(0),
    timestampDelta: fc.bigInt({ min: -(2n ** 40n), max: 2n ** 40n }),
    offsetDelta: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
    key: fc.option(bytes, { nil: null }),
    value: fc.option(bytes, { nil: null }),
    headers: fc.array(
      fc.record(
        { key: fc.string({ maxLength: 10 }), value: fc.option(bytes, { nil: null }) },
        { noNullPrototype: true },
      ),
      { maxLength: 4 },
    ),
  },
  { noNullPrototype: true },
);
const int64 = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });
const spec = fc.record(
  {
    baseOffset: fc.bigInt({ min: 0n, max: 2n ** 63n - 1n }),
    partitionLeaderEpoch: fc.integer({ min: -1, max: 2 ** 31 - 1 }),
    compression: fc.constantFrom<CompressionCodecId>(0, 1, 2, 3, 4),
    timestampType: fc.constantFrom(0 as const, 1 as const),
    isTransactional: fc.boolean(),
    isControl: fc.boolean(),
    hasDeleteHorizon: fc.boolean(),
    lastOffsetDelta: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
    baseTimestamp: int64,
    maxTimestamp: int64,
    producerId: int64,
    producerEpoch: fc.integer({ min: -1, max: 32767 }),
    baseSequence: fc.integer({ min: -1, max: 2 ** 31 - 1 }),
    records: fc.array(record, { maxLength: 12 }),
  },
  { noNullPrototype: true },
);

describe("RecordBatch encode/decode (property)", () => {
  it("random records, attributes and codecs survive a round trip with a valid CRC", async () => {
    await fc.assert(
      fc.asyncProperty(spec, async (s) => {
        const buf = await encodeBatch(s);
        assert.equal(validateBatch(buf).ok, true);
        const b = await decodeBatch(buf);
        assert.equal(b.baseOffset, s.baseOffset);
        assert.equal(b.partitionLeaderEpoch, s.partitionLeaderEpoch);
        assert.equal(b.compression, s.compression);
        assert.equal(b.timestampType, s.timestampType);
        assert.equal(b.isTransactional, s.isTransactional);
        assert.equal(b.isControl, s.isControl);
        assert.equal(b.hasDeleteHorizon, s.hasDeleteHorizon);
        assert.equal(b.lastOffsetDelta, s.lastOffsetDelta);
        assert.equal(b.baseTimestamp, s.baseTimestamp);
        assert.equal(b.maxTimestamp, s.maxTimestamp);
        assert.equal(b.producerId, s.producerId);
        assert.equal(b.producerEpoch, s.producerEpoch);
        assert.equal(b.baseSequence, s.baseSequence);
        assert.deepEqual(b.records, s.records);
        assert.equal(b.batchLength, buf.length - 12);
        // Re-encoding the decoded form is stable (zlib, snappy, lz4, zstd are deterministic).
        assert.deepEqual(await encodeBatch(b), buf);
      }),
      { numRuns: 200 },
    );
  });
});
