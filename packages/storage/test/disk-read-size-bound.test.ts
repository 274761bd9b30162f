/**
 * DiskPartitionLog.readSizeBound: how many bytes a read at an offset returns at most,
 * known without reading (a fetch plans how many partitions it reads at once with it).
 * Where it answers, a read with the same limit never returns more, bar the one batch
 * larger than the limit that a read returns whole; it answers from where earlier reads
 * ended and from this turn's appends, and null where only a read can tell.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { batchInfoAt } from "../src/disk/batch-scan.js";
import type { DiskPartitionLog } from "../src/disk/disk-partition-log.js";
import { makeBatch } from "./helpers/batches.js";
import { withDiskLog } from "./helpers/disk-log.js";

function withLog(
  segmentBytes: number,
  fn: (log: DiskPartitionLog) => Promise<void>,
): Promise<void> {
  return withDiskLog({ segmentBytes, indexIntervalBytes: 4096 }, fn);
}

async function batchOf(sizes: number[]): Promise<Buffer> {
  return makeBatch(sizes.map((n) => ({ value: Buffer.alloc(n, 0x61) })));
}

/** The read's bytes against the bound: within it, or one batch that alone is larger. */
function assertWithin(records: Buffer, bound: number, what: string): void {
  if (records.length <= bound) return;
  const first = batchInfoAt(records, 0, 0);
  assert.equal(records.length, first.size, `${what}: ${records.length} bytes over ${bound}`);
}

const batchSizes = fc.array(
  fc.array(fc.integer({ min: 0, max: 900 }), { minLength: 1, maxLength: 4 }),
  { minLength: 1, maxLength: 30 },
);

describe("the size bound of a disk log's read", () => {
  it("is never below what a read with the same limit returns", async () => {
    await fc.assert(
      fc.asyncProperty(
        batchSizes,
        fc.array(fc.integer({ min: 1, max: 8_000 }), { minLength: 1, maxLength: 4 }),
        fc.constantFrom(2048, 8192, 1 << 20),
        async (sizes, limits, segmentBytes) => {
          await withLog(segmentBytes, async (log) => {
            for (const batch of sizes) await log.append(await batchOf(batch));
            // A turn later: nothing is served from this turn's appends.
            await new Promise((r) => setImmediate(r));
            let offset = 0;
            for (let step = 0; offset < log.highWatermark; step++) {
              const limit = limits[step % limits.length] as number;
              const bound = log.readSizeBound(offset, limit);
              const read = await log.read(offset, limit);
              assert.equal(read.kind, "ok");
              if (read.kind !== "ok") return;
              // Every offset a consumer reaches is where a read ended or a segment starts.
              assert.notEqual(bound, null, `no bound at ${offset}`);
              assertWithin(read.records, bound ?? 0, `offset ${offset}`);
              let at = 0;
              while (at < read.records.length) {
                const info = batchInfoAt(read.records, at, at);
                offset = info.lastOffset + 1;
                at += info.size;
              }
            }
          });
        },
      ),
      { numRuns: 40 },
    );
  });

  it("covers this turn's appends, up to the next segment's first batch", async () => {
    await withLog(1 << 20, async (log) => {
      await log.append(await batchOf([100]));
      await new Promise((r) => setImmediate(r));
      const batch = await batchOf([300, 300]);
      const size = batch.length;
      await log.append(batch, { handedOver: true });
      // Still the turn the append completed in: served from the appended bytes.
      assert.equal(log.readSizeBound(1, 1 << 20), size);
      assert.equal(log.readSizeBound(1, 100), 100);
      const read = await log.read(1, 1 << 20);
      assert.equal(read.kind === "ok" && read.records.length, size);
    });
  });

  it("is null where only a read can tell: out of range, inside a batch, an unknown start", async () => {
    await withLog(1 << 20, async (log) => {
      for (const batch of [[10, 10, 10], [10], [10]]) await log.append(await batchOf(batch));
      await new Promise((r) => setImmediate(r));
      assert.equal(log.readSizeBound(5, 1000), null, "at the high watermark");
      assert.equal(log.readSizeBound(9, 1000), null, "past the high watermark");
      assert.equal(log.readSizeBound(1, 1000), null, "inside the first batch");
      assert.equal(log.readSizeBound(4, 1000), null, "no read ended there yet");
      const first = await log.read(0, 1);
      assert.equal(first.kind, "ok");
      // The read of the first batch alone ended where the second starts.
      const bound = log.readSizeBound(3, 1000);
      assert.ok(bound !== null && bound > 0);
      const second = await log.read(3, 1000);
      assert.equal(second.kind === "ok" && second.records.length, bound);
    });
  });
});
