/**
 * A sized read (DiskPartitionLog.readSized) knows how many bytes it will return before
 * it reads them, from batch boundaries the log already knows: where an earlier read
 * ended, the offset index, the segment's end. What it returns must be exactly the bytes
 * a plain read returns from the same offset, cut at a batch boundary, never over the
 * limit and never at or above the bound.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { batchInfoAt } from "../src/disk/batch-scan.js";
import type { DiskPartitionLog } from "../src/disk/disk-partition-log.js";
import { makeBatch } from "./helpers/batches.js";
import { withDiskLog } from "./helpers/disk-log.js";

async function appendAll(log: DiskPartitionLog, sizes: number[][]): Promise<void> {
  for (const batch of sizes) {
    const records = batch.map((n) => ({ value: Buffer.alloc(n, 0x62) }));
    await log.append(await makeBatch(records));
  }
}

/** Offsets of the whole batches in `bytes`: [first base, last's next). */
function wholeBatches(bytes: Buffer): { from: number; to: number } {
  let at = 0;
  let from = -1;
  let to = -1;
  while (at < bytes.length) {
    const info = batchInfoAt(bytes, at, at);
    assert.ok(at + info.size <= bytes.length, "a sized read ended inside a batch");
    if (from < 0) from = info.baseOffset;
    to = info.lastOffset + 1;
    at += info.size;
  }
  return { from, to };
}

/**
 * Reads the whole log as a consumer does, each step with a sized read where the log
 * can size it, else a plain read (which teaches the log where the next batch starts).
 * Returns how many steps were sized.
 */
async function consumeAll(
  log: DiskPartitionLog,
  limits: number[],
  upperBound?: number,
): Promise<number> {
  const end = Math.min(upperBound ?? log.highWatermark, log.highWatermark);
  let offset = 0;
  let sized = 0;
  for (let step = 0; offset < end; step++) {
    const limit = limits[step % limits.length] as number;
    const plan = log.readSized(offset, limit, upperBound);
    const plain = await log.read(offset, Number.MAX_SAFE_INTEGER, upperBound);
    assert.equal(plain.kind, "ok");
    if (plain.kind !== "ok") return sized;
    if (plan === null || plan.size === 0) {
      if (plan !== null) assert.ok(plain.records.length > 0, "size 0 where nothing is left");
      const next = wholeBatches(plain.records.subarray(0, batchInfoAt(plain.records, 0, 0).size));
      offset = next.to;
      continue;
    }
    assert.ok(plan.size <= limit, `sized ${plan.size} bytes over the limit ${limit}`);
    const { records, filled } = plan.start();
    await filled;
    assert.equal(records.length, plan.size);
    assert.deepEqual(records, plain.records.subarray(0, records.length));
    const range = wholeBatches(records);
    assert.equal(range.from, offset);
    assert.equal(plan.nextOffset, range.to);
    assert.ok(range.to <= end, "a sized read passed the bound");
    offset = range.to;
    sized++;
  }
  return sized;
}

const batchSizes = fc.array(
  fc.array(fc.integer({ min: 0, max: 900 }), { minLength: 1, maxLength: 4 }),
  {
    minLength: 1,
    maxLength: 40,
  },
);

describe("sized reads of a disk log", () => {
  it("return the bytes a plain read returns, cut at a batch boundary within the limit", async () => {
    await fc.assert(
      fc.asyncProperty(
        batchSizes,
        fc.array(fc.integer({ min: 1, max: 12_000 }), { minLength: 1, maxLength: 5 }),
        fc.constantFrom(2048, 8192, 1 << 20),
        fc.constantFrom(64, 1024, 4096),
        async (sizes, limits, segmentBytes, indexIntervalBytes) => {
          await withDiskLog({ segmentBytes, indexIntervalBytes }, async (log) => {
            await appendAll(log, sizes);
            await consumeAll(log, limits);
          });
        },
      ),
      { numRuns: 40 },
    );
  });

  it("stay below an upper bound (the last stable offset)", async () => {
    await fc.assert(
      fc.asyncProperty(batchSizes, fc.integer({ min: 1, max: 100 }), async (sizes, boundAt) => {
        await withDiskLog({ segmentBytes: 1 << 20, indexIntervalBytes: 128 }, async (log) => {
          await appendAll(log, sizes);
          await consumeAll(log, [3000, 50_000], Math.min(boundAt, log.highWatermark));
        });
      }),
      { numRuns: 30 },
    );
  });

  it("size a consumer's reads from the segment's start and where each read ended", async () => {
    await withDiskLog({ segmentBytes: 1 << 20, indexIntervalBytes: 4096 }, async (log) => {
      await appendAll(
        log,
        Array.from({ length: 50 }, () => [1000, 1000]),
      );
      const sized = await consumeAll(log, [20_000]);
      assert.ok(sized >= 5, `only ${sized} reads were sized`);
      assert.equal(log.stats.readsSized, sized);
    });
  });

  it("answer null where only a read can tell: inside a batch, out of range, at the end", async () => {
    await withDiskLog({ segmentBytes: 1 << 20, indexIntervalBytes: 4096 }, async (log) => {
      await appendAll(log, [[10, 10, 10], [10]]);
      assert.equal(log.readSized(1, 1000), null, "offset inside the first batch");
      assert.equal(log.readSized(4, 1000), null, "at the high watermark");
      assert.equal(log.readSized(9, 1000), null, "past the high watermark");
      assert.notEqual(log.readSized(0, 1000), null);
    });
  });

  it("fail the fill, not hand out other bytes, when the bytes are gone before the read", async () => {
    await withDiskLog({ segmentBytes: 1 << 20, indexIntervalBytes: 4096 }, async (log) => {
      await appendAll(log, [[100], [100]]);
      const plan = log.readSized(0, 10_000);
      assert.ok(plan !== null && plan.size > 0);
      // Breaks readSized's rule (start in the same turn) on purpose: the file is cut
      // after the first batch.
      await log.truncateTo(1);
      const { filled } = plan.start();
      await assert.rejects(filled, /bytes missing/);
    });
  });
});
