import { readBuffers } from "../read-buffers.js";
import { batchInfoAt } from "./batch-scan.js";

/**
 * The batches a partition appended in the current turn of the event loop, kept as the
 * buffers their writer handed over (AppendOptions.handedOver: the produce requests'
 * own bytes), so a long-polling fetch woken by the append it waits for reads them
 * without a file read: served from the page cache, that read is still a round trip
 * through the thread pool (docs/performance.md, "Tail reads from memory").
 *
 * Only for that turn: kept any longer, the request buffers outlive young-generation
 * GCs and are freed only by full mark-compacts. Kept for a second (or even 20 ms) under
 * a load of 20,000 records/s, they tripled the mark-compacts and doubled the p99
 * end-to-end latency.
 */

const EMPTY = Buffer.alloc(0);

interface Entry {
  readonly records: Buffer;
  /** First offset of the first batch. */
  readonly base: number;
  /** The offset after the last batch. */
  readonly next: number;
  /** Written as the first batches of a segment: a read does not go on into it. */
  readonly startsSegment: boolean;
}

/** Forgets every partition's recent appends once the current turn of the event loop ends. */
export class TurnRetention {
  private held: RecentAppends[] = [];
  private scheduled = false;

  /** `defer` runs its callback after the current turn (setImmediate; tests pass their own). */
  constructor(private readonly defer: (fn: () => void) => void = (fn) => setImmediate(fn)) {}

  /** @internal `owner` kept something this turn. */
  hold(owner: RecentAppends): void {
    this.held.push(owner);
    if (this.scheduled) return;
    this.scheduled = true;
    this.defer(() => this.releaseAll());
  }

  /** Forgets everything kept so far (what the end of the turn does). */
  releaseAll(): void {
    this.scheduled = false;
    const held = this.held;
    this.held = [];
    for (const owner of held) owner.clear();
  }
}

let shared: TurnRetention | null = null;
/** The process's retention, made on first use. */
export function sharedTurnRetention(): TurnRetention {
  shared ??= new TurnRetention();
  return shared;
}

/** One partition's appends of this turn: contiguous offsets, oldest first. */
export class RecentAppends {
  private entries: Entry[] = [];

  constructor(private readonly retention: TurnRetention) {}

  /** Whether a read at `offset` would be served from here. */
  covers(offset: number): boolean {
    const n = this.entries.length;
    return (
      n > 0 &&
      offset >= (this.entries[0] as Entry).base &&
      offset < (this.entries[n - 1] as Entry).next
    );
  }

  /**
   * Keeps the batches of an append just written, [base, next) in offsets;
   * `startsSegment` when they are the first of a segment file.
   */
  add(records: Buffer, base: number, next: number, startsSegment: boolean): void {
    const last = this.entries[this.entries.length - 1];
    // Offsets handed out again (a truncation) make the kept ones wrong: start over.
    if (last !== undefined && last.next !== base) this.entries = [];
    if (this.entries.length === 0) this.retention.hold(this);
    this.entries.push({ records, base, next, startsSegment });
  }

  /** Forgets everything, e.g. before the log is truncated or closed. */
  clear(): void {
    this.entries = [];
  }

  /**
   * At most how many bytes `read` returns at `fetchOffset` (without `maxBytes`): the kept
   * bytes from the append holding it to the next segment's first; null when not kept.
   */
  bytesFrom(fetchOffset: number): number | null {
    if (!this.covers(fetchOffset)) return null;
    let i = this.find(fetchOffset);
    let bytes = (this.entries[i] as Entry).records.length;
    while (++i < this.entries.length && !(this.entries[i] as Entry).startsSegment)
      bytes += (this.entries[i] as Entry).records.length;
    return bytes;
  }

  /**
   * Whole batches from the one holding `fetchOffset`, up to `maxBytes` (at least one
   * batch), below `bound` and within one segment, as a read of the log's files returns
   * them (and Kafka's: a read never spans segments), copied into a pooled buffer; null
   * when `fetchOffset` is not among the kept batches.
   */
  read(fetchOffset: number, maxBytes: number, bound: number): Buffer | null {
    if (!this.covers(fetchOffset)) return null;
    const n = this.entries.length;
    let i = this.find(fetchOffset);
    let entry = this.entries[i] as Entry;
    let at = 0;
    for (;;) {
      // Unreachable with offsets this log assigned; a read of the file then decides.
      if (at >= entry.records.length) return null;
      const info = batchInfoAt(entry.records, at, at);
      if (info.lastOffset >= fetchOffset) break;
      at += info.size;
    }
    const parts: Buffer[] = [];
    let total = 0;
    for (;;) {
      const from = at;
      while (at < entry.records.length) {
        const info = batchInfoAt(entry.records, at, at);
        if (info.baseOffset >= bound || (total > 0 && total + info.size > maxBytes)) break;
        at += info.size;
        total += info.size;
      }
      if (at > from) parts.push(entry.records.subarray(from, at));
      if (at < entry.records.length || ++i >= n) break;
      entry = this.entries[i] as Entry;
      if (entry.startsSegment) break;
      at = 0;
    }
    if (parts.length === 0) return EMPTY;
    // A copy: what a read returns is the reader's, and the appended buffer its writer's.
    const out = readBuffers.take(total);
    let pos = 0;
    for (const p of parts) pos += p.copy(out, pos);
    return out;
  }

  /** Index of the entry holding `offset` (it is within the kept range). */
  private find(offset: number): number {
    let lo = 0;
    let hi = this.entries.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.entries[mid] as Entry).base <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
}
