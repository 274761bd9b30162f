import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  type CompressionCodecId,
  decodeBatch,
  encodeBatch,
  RecordBatchHeader,
  validateBatch,
} from "@logbook/protocol";
import fc from "fast-check";
import { buildOffsetMap, cleanSegmentBatches } from "../src/cleaner/index.js";

interface GenRecord {
  key: number;
  value: string | null;
  timestampDelta: number;
}
interface GenBatch {
  gap: number;
  codec: CompressionCodecId;
  baseTimestamp: number;
  records: GenRecord[];
}

const genRecord: fc.Arbitrary<GenRecord> = fc.record({
  key: fc.integer({ min: 0, max: 7 }),
  value: fc.option(fc.string({ maxLength: 12 }), { nil: null, freq: 4 }),
  timestampDelta: fc.integer({ min: 0, max: 20 }),
});
const genBatch: fc.Arbitrary<GenBatch> = fc.record({
  gap: fc.integer({ min: 0, max: 3 }),
  codec: fc.constantFrom<CompressionCodecId>(0, 1, 2, 3, 4),
  baseTimestamp: fc.integer({ min: 0, max: 100 }),
  records: fc.array(genRecord, { minLength: 1, maxLength: 8 }),
});
const genCase = fc.record({
  batches: fc.array(genBatch, { minLength: 1, maxLength: 14 }),
  deleteHorizonMs: fc.integer({ min: 0, max: 130 }),
  maxEntries: fc.integer({ min: 1, max: 10 }),
});

interface Written {
  offset: number;
  key: string;
  value: string | null;
  batchMaxTimestamp: number;
}

/** Encodes the generated batches at increasing offsets (with gaps between batches). */
async function writeLog(batches: GenBatch[]): Promise<{ log: Buffer[]; written: Written[] }> {
  const log: Buffer[] = [];
  const written: Written[] = [];
  let next = 0;
  for (const b of batches) {
    const baseOffset = next + b.gap;
    const maxTimestamp = b.baseTimestamp + Math.max(...b.records.map((r) => r.timestampDelta));
    log.push(
      await encodeBatch({
        baseOffset: BigInt(baseOffset),
        baseTimestamp: BigInt(b.baseTimestamp),
        compression: b.codec,
        records: b.records.map((r, i) => ({
          attributes: 0,
          timestampDelta: BigInt(r.timestampDelta),
          offsetDelta: i,
          key: Buffer.from(`k${r.key}`),
          value: r.value === null ? null : Buffer.from(r.value),
          headers: [],
        })),
      }),
    );
    b.records.forEach((r, i) => {
      written.push({
        offset: baseOffset + i,
        key: `k${r.key}`,
        value: r.value,
        batchMaxTimestamp: maxTimestamp,
      });
    });
    next = baseOffset + b.records.length;
  }
  return { log, written };
}

/** The model: the latest record of each key, minus tombstones whose batch is past the horizon. */
function expectedSurvivors(written: Written[], deleteHorizonMs: number): Written[] {
  const latest = new Map<string, Written>();
  for (const w of written) latest.set(w.key, w);
  return [...latest.values()]
    .filter((w) => !(w.value === null && w.batchMaxTimestamp < deleteHorizonMs))
    .sort((a, b) => a.offset - b.offset);
}

/** Runs passes the way the disk engine does until one map covers the rest of the log. */
async function compact(
  log: Buffer[],
  maxEntries: number,
  deleteHorizonMs: number,
): Promise<{ log: Buffer[]; passes: number }> {
  let startOffset = 0;
  for (let passes = 1; passes <= 1_000; passes++) {
    const build = await buildOffsetMap(log, { maxEntries, startOffset });
    assert.ok(build.endOffset > startOffset || !build.full, "every pass makes progress");
    const cleaned: Buffer[] = [];
    for await (const b of cleanSegmentBatches(log, build.map, { deleteHorizonMs })) cleaned.push(b);
    log = cleaned;
    if (!build.full) return { log, passes };
    startOffset = build.endOffset;
  }
  throw new Error("compaction did not converge");
}

describe("compaction (property)", () => {
  it("leaves exactly the latest value per key minus expired tombstones, at original offsets", async () => {
    await fc.assert(
      fc.asyncProperty(genCase, async ({ batches, deleteHorizonMs, maxEntries }) => {
        const { log, written } = await writeLog(batches);
        const originalHeaders = new Map(
          log.map((b) => {
            const h = RecordBatchHeader.at(b);
            return [h.baseOffset, { lastOffsetDelta: h.lastOffsetDelta, codec: h.compression }];
          }),
        );
        const result = await compact(log, maxEntries, deleteHorizonMs);

        const survivors: Written[] = [];
        for (const b of result.log) {
          assert.equal(validateBatch(b).ok, true);
          const decoded = await decodeBatch(b);
          const original = originalHeaders.get(decoded.baseOffset);
          assert.ok(original !== undefined, "every output batch sits where an input batch was");
          assert.equal(decoded.lastOffsetDelta, original.lastOffsetDelta);
          assert.equal(decoded.compression, original.codec);
          for (const r of decoded.records) {
            const offset = Number(decoded.baseOffset) + r.offsetDelta;
            survivors.push({
              offset,
              key: r.key?.toString() ?? "",
              value: r.value?.toString() ?? null,
              batchMaxTimestamp: Number(decoded.maxTimestamp),
            });
          }
        }

        const offsets = survivors.map((s) => s.offset);
        for (let i = 1; i < offsets.length; i++) {
          assert.ok((offsets[i] ?? 0) > (offsets[i - 1] ?? 0), "offsets strictly increase");
        }
        const originalOffsets = new Set(written.map((w) => w.offset));
        for (const o of offsets) assert.ok(originalOffsets.has(o), `offset ${o} existed before`);
        const byOffset = new Map(written.map((w) => [w.offset, w]));
        for (const s of survivors) {
          assert.equal(s.batchMaxTimestamp, byOffset.get(s.offset)?.batchMaxTimestamp);
        }

        const strip = (ws: Written[]) => ws.map((w) => [w.offset, w.key, w.value]);
        assert.deepEqual(strip(survivors), strip(expectedSurvivors(written, deleteHorizonMs)));
      }),
      { numRuns: 150 },
    );
  });

  it("is idempotent: cleaning a compacted log again changes nothing", async () => {
    await fc.assert(
      fc.asyncProperty(genCase, async ({ batches, deleteHorizonMs, maxEntries }) => {
        const { log } = await writeLog(batches);
        const once = await compact(log, maxEntries, deleteHorizonMs);
        const twice = await compact(once.log, 1_000, deleteHorizonMs);
        assert.equal(twice.passes, 1);
        assert.deepEqual(twice.log, once.log);
      }),
      { numRuns: 60 },
    );
  });
});
