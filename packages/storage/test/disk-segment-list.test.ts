/** The disk engine's segment list: floor lookup, pinning against retirement, the index cache. */
import assert from "node:assert/strict";
import { mkdir, readdir } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { logConfig } from "../src/config.js";
import { batchInfoAt } from "../src/disk/batch-scan.js";
import { DELETED_SUFFIX } from "../src/disk/layout.js";
import { Segment } from "../src/disk/segment.js";
import { INDEX_CACHE_SIZE, SegmentList } from "../src/disk/segment-list.js";
import { offsetForTimestamp } from "../src/disk/timestamp-search.js";
import { realFs } from "../src/env/real-fs.js";
import { floorIndex } from "../src/floor-index.js";
import { makeBatch, T0 } from "./helpers/batches.js";
import { makeTempDir } from "./helpers/temp-dir.js";

const INTERVAL = 4096;
const RECORDS = 10;

/** A segment at `base` holding one batch of RECORDS records, offset o stamped T0 + o. */
async function segmentAt(dir: string, base: number): Promise<Segment> {
  const seg = await Segment.create(realFs, dir, base);
  const records = Array.from({ length: RECORDS }, (_, i) => ({ timestamp: T0 + base + i }));
  const batch = await makeBatch(records, { baseOffset: BigInt(base) });
  await seg.write([batch], batch.length, T0);
  seg.track(batchInfoAt(batch, 0, seg.size), INTERVAL);
  seg.size += batch.length;
  return seg;
}

/** Segments at 0, 10, 20, ...: every one but the last closed, with its indexes on disk only. */
async function withSegments(
  count: number,
  fn: (segments: Segment[], dir: string) => Promise<void>,
): Promise<void> {
  const tmp = await makeTempDir();
  const segments: Segment[] = [];
  try {
    for (let i = 0; i < count; i++) segments.push(await segmentAt(tmp.path, i * RECORDS));
    for (const seg of segments.slice(0, -1)) {
      seg.finishTimeIndex();
      await seg.persistIndexes();
      seg.unloadIndexes();
    }
    await fn(segments, tmp.path);
  } finally {
    for (const seg of segments) await seg.close();
    await tmp.cleanup();
  }
}

test("floorIndex: the last base at or below the offset, the first for an offset below them all", () => {
  const bases = [0, 10, 20].map((baseOffset) => ({ baseOffset }));
  const at = (offset: number) => floorIndex(bases, offset);
  assert.deepEqual([-1, 0, 9, 10, 11, 19, 20, 21, 10_000].map(at), [0, 0, 0, 1, 1, 1, 2, 2, 2]);
  assert.equal(floorIndex([{ baseOffset: 5 }], 3), 0);
  assert.equal(floorIndex([], 3), 0);
});

test("the segment list finds the segment holding an offset at each boundary", async () => {
  await withSegments(3, async (segments) => {
    const list = new SegmentList([...segments]);
    const baseAt = (offset: number) => list.floor(offset).baseOffset;
    assert.deepEqual([0, 9, 10, 19, 20, 29, 30].map(baseAt), [0, 0, 10, 10, 20, 20, 20]);
    assert.equal(list.active, segments[2]);
    assert.deepEqual(list.closed(), segments.slice(0, 2));
    assert.equal(list.nextBaseAfter(segments[0] as Segment), 10);
    // The active segment has no successor: its end is its next offset.
    assert.equal(list.nextBaseAfter(segments[2] as Segment), 30);
    // Retention shifts positions: the same offset is found in the same segment afterwards.
    list.removeLeading(1);
    assert.equal(list.floorIndex(15), 0);
    assert.equal(baseAt(15), 10);
  });
});

test("a pinned segment stays readable after retention retires it, and closes when released", async () => {
  await withSegments(2, async (segments, dir) => {
    const list = new SegmentList([...segments]);
    const oldest = segments[0] as Segment;
    const size = oldest.size;
    await list.pinned(oldest, async () => {
      const [gone] = list.removeLeading(1);
      assert.equal(gone, oldest);
      await oldest.retire(DELETED_SUFFIX);
      assert.ok((await readdir(dir)).some((n) => n.endsWith(`.log${DELETED_SUFFIX}`)));
      // A second reader pins it too; releasing that one must not close it under the first.
      await list.pinned(oldest, async () => undefined);
      assert.equal((await oldest.read(0, size)).length, size);
    });
    await assert.rejects(oldest.read(0, size));
  });
});

test("an unpinned segment closes as soon as it is retired", async () => {
  await withSegments(2, async (segments) => {
    const list = new SegmentList([...segments]);
    const [gone] = list.removeLeading(1);
    await (gone as Segment).retire(DELETED_SUFFIX);
    await assert.rejects((gone as Segment).read(0, 10));
  });
});

test("at most INDEX_CACHE_SIZE closed segments keep the indexes a lookup loaded", async () => {
  const closedCount = INDEX_CACHE_SIZE + 2;
  await withSegments(closedCount + 1, async (segments) => {
    const list = new SegmentList([...segments]);
    const closed = segments.slice(0, -1);
    for (const seg of closed) {
      const found = await list.findBatch(seg, seg.baseOffset + 3, INTERVAL);
      assert.equal(found?.baseOffset, seg.baseOffset);
    }
    const loaded = () => closed.map((s) => s.indexesLoaded);
    // The ones loaded longest ago were unloaded again.
    const expected = closed.map((_, i) => i >= closedCount - INDEX_CACHE_SIZE);
    assert.deepEqual(loaded(), expected);
    // A lookup in a segment already loaded evicts nothing.
    await list.findBatch(closed[closedCount - 1] as Segment, 0, INTERVAL);
    assert.deepEqual(loaded(), expected);
    // The active segment is never cached, so never unloaded.
    await list.findBatch(list.active, list.active.baseOffset, INTERVAL);
    assert.ok(list.active.indexesLoaded);
  });
});

test("a cached segment that a truncation makes active keeps its indexes (appends need them)", async () => {
  await withSegments(3, async (segments) => {
    const list = new SegmentList([...segments], 1);
    const [s0, s1] = segments as [Segment, Segment, Segment];
    await list.findBatch(s1, s1.baseOffset, INTERVAL);
    list.removeActive();
    assert.equal(list.active, s1);
    // Loading another closed segment's indexes must not evict the new active one's.
    await list.findBatch(s0, s0.baseOffset, INTERVAL);
    assert.ok(s1.indexesLoaded);
    const next = await makeBatch(1, { baseOffset: BigInt(s1.nextOffset) });
    s1.track(batchInfoAt(next, 0, s1.size), INTERVAL);
  });
});

test("a compaction swap replaces a segment in place and drops the old one from the cache", async () => {
  await withSegments(3, async (segments, dir) => {
    const list = new SegmentList([...segments], 1);
    const [s0, s1] = segments as [Segment, Segment, Segment];
    await mkdir(join(dir, "cleaned"));
    const fresh = await segmentAt(join(dir, "cleaned"), 0);
    try {
      await list.findBatch(s0, 0, INTERVAL);
      assert.equal(list.replace(s0, fresh), true);
      assert.deepEqual(list.all, [fresh, s1, segments[2]]);
      assert.equal(list.replace(s0, fresh), false);
      // s0 left the cache: loading another segment's indexes no longer unloads it.
      await list.findBatch(s1, s1.baseOffset, INTERVAL);
      assert.ok(s0.indexesLoaded);
    } finally {
      await fresh.close();
    }
  });
});

test("timestamp searches load indexes through the same bounded cache", async () => {
  const closedCount = INDEX_CACHE_SIZE + 2;
  await withSegments(closedCount + 1, async (segments) => {
    const list = new SegmentList([...segments]);
    const log = { logStartOffset: 0, highWatermark: 1_000, config: logConfig() };
    const closed = segments.slice(0, -1);
    for (const seg of closed) {
      const found = await offsetForTimestamp(list, log, T0 + seg.baseOffset + 3);
      assert.deepEqual(found, { offset: seg.baseOffset + 3, timestamp: T0 + seg.baseOffset + 3 });
    }
    const expected = closed.map((_, i) => i >= closedCount - INDEX_CACHE_SIZE);
    assert.deepEqual(
      closed.map((s) => s.indexesLoaded),
      expected,
    );
  });
});

test("a segment removed while a lookup loads its indexes does not enter the cache", async () => {
  await withSegments(3, async (segments) => {
    const list = new SegmentList([...segments], 1);
    const [s0, s1] = segments as [Segment, Segment, Segment];
    await list.indexed(s0, async () => {
      list.removeLeading(1);
      await s0.findBatch(0, INTERVAL);
    });
    // Had s0 been cached, loading s1's indexes would evict (unload) it; nothing is evicted.
    await list.findBatch(s1, s1.baseOffset, INTERVAL);
    assert.ok(s0.indexesLoaded);
    assert.ok(s1.indexesLoaded);
  });
});
