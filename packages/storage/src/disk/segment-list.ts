import { floorIndex } from "../floor-index.js";
import type { BatchInfo } from "./batch-scan.js";
import type { Segment } from "./segment.js";

/** Closed segments whose indexes stay in memory after a lookup. */
export const INDEX_CACHE_SIZE = 4;

/**
 * The segments of one disk partition, oldest first, the last being the active segment
 * (Kafka's LogSegments beside LocalLog): which segment holds an offset, pinning a
 * segment while a read uses it, and a bound on how many closed segments keep their
 * indexes in memory.
 *
 * Concurrency contract: the owning DiskPartitionLog changes the list (roll, retention,
 * truncation, compaction swap) only from its serial chain, and leaves it empty only
 * inside a truncation. Reads are not serialised: a reader looks a segment up, then holds
 * it with `pinned` across its awaits. A segment removed meanwhile is retired by the
 * owner, and its file stays open until the last pin is released, so a read in progress
 * finishes on the bytes it started on. Positions in the list are valid only until the
 * next await (a removal shifts them). The active segment is never in the index cache,
 * since appends need its indexes.
 */
export class SegmentList {
  private readonly segments: Segment[];
  /** Closed segments whose indexes a lookup loaded, the longest loaded first. */
  private indexCache: Segment[] = [];

  constructor(
    segments: Segment[],
    private readonly indexCacheSize = INDEX_CACHE_SIZE,
  ) {
    this.segments = segments;
  }

  /** The segments as they are now, oldest first (a live view: copy it to keep it). */
  get all(): readonly Segment[] {
    return this.segments;
  }
  get count(): number {
    return this.segments.length;
  }
  get active(): Segment {
    return this.segments[this.segments.length - 1] as Segment;
  }
  get first(): Segment {
    return this.segments[0] as Segment;
  }
  get sizeInBytes(): number {
    let n = 0;
    for (const s of this.segments) n += s.size;
    return n;
  }

  at(index: number): Segment {
    return this.segments[index] as Segment;
  }

  /** Position of the segment holding `offset`: the last whose base is <= it (0 if none). */
  floorIndex(offset: number): number {
    return floorIndex(this.segments, offset);
  }

  /** The segment holding `offset` (the first one for an offset below the log). */
  floor(offset: number): Segment {
    return this.at(this.floorIndex(offset));
  }

  /** Every segment but the active one, oldest first (a copy). */
  closed(): Segment[] {
    return this.segments.slice(0, -1);
  }

  /** Base offset of the segment after `seg`; for the active one (or one gone), its end. */
  nextBaseAfter(seg: Segment): number {
    const i = this.segments.indexOf(seg);
    return i >= 0 && i + 1 < this.segments.length
      ? (this.segments[i + 1] as Segment).baseOffset
      : seg.nextOffset;
  }

  /** Appends a new active segment (a roll, or the fresh start after `removeAll`). */
  push(seg: Segment): void {
    this.segments.push(seg);
  }

  /** Takes the oldest `n` segments out (retention); the caller retires them. */
  removeLeading(n: number): Segment[] {
    const gone = this.segments.splice(0, n);
    this.indexCache = this.indexCache.filter((s) => !gone.includes(s));
    return gone;
  }

  /** Takes every segment out (a truncation below the log); the caller pushes a new one. */
  removeAll(): Segment[] {
    this.indexCache = [];
    return this.segments.splice(0);
  }

  /** Takes the active segment out (a truncation); the one before becomes active. */
  removeActive(): Segment {
    const gone = this.segments.pop() as Segment;
    const active = this.active;
    this.indexCache = this.indexCache.filter((s) => s !== gone && s !== active);
    return gone;
  }

  /** Puts `fresh` where `old` is (a compaction swap); false when `old` is gone. */
  replace(old: Segment, fresh: Segment): boolean {
    const i = this.segments.indexOf(old);
    if (i < 0) return false;
    this.segments[i] = fresh;
    this.indexCache = this.indexCache.filter((s) => s !== old);
    return true;
  }

  /**
   * Runs `fn`, which may load `seg`'s indexes (a lookup): a closed segment whose
   * indexes it loaded joins the cache, and past the cache's size the segment loaded
   * longest ago unloads its indexes again (they reload from their files when needed).
   */
  async indexed<T>(seg: Segment, fn: () => Promise<T>): Promise<T> {
    const wasLoaded = seg.indexesLoaded;
    const result = await fn();
    if (!wasLoaded && seg.indexesLoaded && seg !== this.active && this.segments.includes(seg)) {
      this.indexCache.push(seg);
      if (this.indexCache.length > this.indexCacheSize) this.indexCache.shift()?.unloadIndexes();
    }
    return result;
  }

  /** `seg.findBatch` through the index cache. */
  findBatch(seg: Segment, offset: number, indexIntervalBytes: number): Promise<BatchInfo | null> {
    return this.indexed(seg, () => seg.findBatch(offset, indexIntervalBytes));
  }

  /** Runs `fn` with `seg` pinned: if it is retired meanwhile, its file closes only after. */
  async pinned<T>(seg: Segment, fn: () => Promise<T>): Promise<T> {
    seg.acquire();
    try {
      return await fn();
    } finally {
      await seg.release();
    }
  }
}
