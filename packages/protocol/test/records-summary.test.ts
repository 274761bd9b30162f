/**
 * summarizeBatchRecords is the broker's LogValidator walk: what it reports must equal
 * what a full decode of the same batch says, for every codec, and hostile bytes get a
 * DecodeError, never a crash or a wrong summary.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import type { CompressionCodecId } from "../src/compression/index.js";
import { DecodeError } from "../src/primitives/errors.js";
import {
  type BatchRecord,
  decodeBatch,
  encodeBatch,
  NO_TIMESTAMP,
  RecordBatchHeader,
  setCreateTimeMaxTimestamp,
  summarizeBatchRecords,
  summarizeRecordsArea,
  validateBatch,
} from "../src/records/index.js";

const bytes = fc.uint8Array({ maxLength: 40 }).map((u) => Buffer.from(u));
const record: fc.Arbitrary<BatchRecord> = fc.record(
  {
    attributes: fc.constant(0),
    timestampDelta: fc.bigInt({ min: -(2n ** 40n), max: 2n ** 40n }),
    offsetDelta: fc.integer({ min: 0, max: 20 }),
    key: fc.option(bytes, { nil: null }),
    value: fc.option(bytes, { nil: null }),
    headers: fc.array(
      fc.record(
        { key: fc.string({ maxLength: 6 }), value: fc.option(bytes, { nil: null }) },
        { noNullPrototype: true },
      ),
      { maxLength: 3 },
    ),
  },
  { noNullPrototype: true },
);
const codec = fc.constantFrom<CompressionCodecId>(0, 1, 2, 3, 4);
const baseTimestamp = fc.oneof(fc.constant(-1n), fc.bigInt({ min: 0n, max: 2n ** 45n }));

describe("summarizeBatchRecords (property)", () => {
  it("agrees with a full decode: count, max timestamp, deltas, keys, bounds", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(record, { maxLength: 10 }),
        codec,
        baseTimestamp,
        fc.integer({ min: 0, max: 2 ** 45 }),
        async (records, compression, base, mid) => {
          const buf = await encodeBatch({
            compression,
            baseTimestamp: base,
            maxTimestamp: -1n,
            records,
          });
          const header = RecordBatchHeader.at(buf, 0);
          const bounds = { min: mid - 2 ** 40, max: mid + 2 ** 40 };
          const s = await summarizeBatchRecords(header, {
            requireKeys: true,
            timestampBounds: bounds,
          });
          const decoded = await decodeBatch(buf);
          const stamps = decoded.records.map((r) => Number(base + r.timestampDelta));
          assert.equal(s.count, decoded.records.length);
          const max = Math.max(NO_TIMESTAMP, ...stamps);
          assert.equal(s.maxTimestamp, max);
          assert.equal(
            s.sequentialOffsetDeltas,
            decoded.records.every((r, i) => r.offsetDelta === i),
          );
          const expected = decoded.records.flatMap((r, index) => {
            const t = stamps[index] as number;
            if (r.key === null) return [{ index, kind: "no-key" }];
            if (t !== NO_TIMESTAMP && (t < bounds.min || t > bounds.max)) {
              return [{ index, kind: "timestamp-out-of-range", timestamp: t }];
            }
            return [];
          });
          assert.deepEqual(s.problems, expected);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("setCreateTimeMaxTimestamp writes the computed value and a valid CRC, once", async () => {
    const buf = await encodeBatch({
      baseTimestamp: 1000n,
      maxTimestamp: -1n,
      timestampType: 1,
      records: [
        { attributes: 0, timestampDelta: 7n, offsetDelta: 0, key: null, value: null, headers: [] },
      ],
    });
    const h = RecordBatchHeader.at(buf, 0);
    const s = await summarizeBatchRecords(h);
    assert.equal(setCreateTimeMaxTimestamp(h, BigInt(s.maxTimestamp)), true);
    assert.equal(h.maxTimestamp, 1007n);
    assert.equal(h.timestampType, 0);
    assert.equal(validateBatch(buf).ok, true);
    assert.equal(setCreateTimeMaxTimestamp(h, 1007n), false, "nothing left to change");
  });

  it("records claiming LogAppendTime are refused where the bounds did not check them", () => {
    const area = Buffer.from([
      // length 6: attributes 0, timestampDelta 0, offsetDelta 0, key -1, value -1, 0 headers
      12, 0, 0, 0, 1, 1, 0,
    ]);
    const untimed = summarizeRecordsArea(area, NO_TIMESTAMP, {
      timestampBounds: { min: 0, max: 10 },
      claimsLogAppendTime: true,
    });
    assert.deepEqual(untimed.problems, [{ index: 0, kind: "log-append-time-claimed" }]);
    const timed = summarizeRecordsArea(area, 5, {
      timestampBounds: { min: 0, max: 10 },
      claimsLogAppendTime: true,
    });
    assert.deepEqual(timed.problems, []);
  });

  it("hostile records areas get a DecodeError, never anything else", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(record, { minLength: 1, maxLength: 5 }),
        fc.nat(),
        fc.nat(255),
        async (records, at, byte) => {
          const buf = await encodeBatch({ baseTimestamp: 0n, records });
          const area = Buffer.from(buf.subarray(61));
          area[at % area.length] = byte;
          const cut = area.subarray(0, at % (area.length + 1));
          for (const a of [area, cut]) {
            try {
              const s = summarizeRecordsArea(a, 0);
              assert.ok(s.count >= 0);
            } catch (e) {
              assert.ok(e instanceof DecodeError, String(e));
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
