import type { LogConfig } from "../config.js";
import { floorIndex } from "../floor-index.js";
import { BELOW_LOG_START_ONLY, type RetentionRules, segmentsToDelete } from "../retention.js";
import { OpenTransactions } from "../transactions/open-transactions.js";
import { MemorySegment, type StoredBatch } from "./segment.js";

/**
 * The data of one partition, kept apart from the PartitionLog handle so it outlives a
 * close and a re-open (the memory engine's stand-in for "on disk"). Every method runs
 * synchronously to completion; the handle serialises calls by call order.
 */
export class MemoryLogState {
  /** Oldest first; the last one is the active segment and is never empty-and-closed. */
  segments: MemorySegment[];
  logStartOffset = 0;
  /** End of the written batches: every offset below is readable. */
  endOffset = 0;
  /** Open transactions as of endOffset, which the segments' transaction indexes come from. */
  txns = new OpenTransactions();

  constructor(createdAt: number) {
    this.segments = [new MemorySegment(0, createdAt)];
  }

  get activeSegment(): MemorySegment {
    return this.segments[this.segments.length - 1]!;
  }

  get sizeInBytes(): number {
    let size = 0;
    for (const s of this.segments) size += s.sizeInBytes;
    return size;
  }

  /** Batches whose last offset is >= `offset`, in offset order. */
  *batchesFrom(offset: number): Generator<StoredBatch> {
    // Segments before the one holding `offset` end below it: start at that one.
    for (let i = floorIndex(this.segments, offset); i < this.segments.length; i++) {
      const segment = this.segments[i] as MemorySegment;
      for (const batch of segment.batches) if (batch.lastOffset >= offset) yield batch;
    }
  }

  /**
   * Writes the batches of one append call. Like Kafka, the roll decision is made once
   * per append with its total size, so one append never spans two segments.
   */
  append(batches: readonly StoredBatch[], now: number, config: LogConfig): void {
    const first = batches[0];
    if (first === undefined) return;
    let size = 0;
    for (const b of batches) size += b.bytes.length;
    const current = this.activeSegment;
    const full = current.sizeInBytes + size > config.segmentBytes;
    const old = now - current.createdAt > config.segmentMs;
    if (!current.isEmpty && (full || old)) {
      this.segments.push(new MemorySegment(first.baseOffset, now));
    }
    const active = this.activeSegment;
    for (const b of batches) {
      active.add(b, now);
      const aborted = this.txns.observe(b.bytes, 0);
      if (aborted !== null) active.abortedTxns.push(aborted);
    }
    this.endOffset = batches[batches.length - 1]!.lastOffset + 1;
  }

  /** See PartitionLog.truncateTo; follows Kafka's UnifiedLog.truncateTo. */
  truncateTo(offset: number, now: number): void {
    if (!Number.isSafeInteger(offset) || offset < 0) {
      throw new RangeError(`truncate offset ${offset} is not a non-negative integer`);
    }
    if (offset >= this.endOffset) return;
    const first = this.segments[0]!;
    if (offset < first.baseOffset) {
      // The batch holding `offset` is already gone: start afresh there (truncateFullyAndStartAt).
      this.segments = [new MemorySegment(offset, now)];
      this.logStartOffset = offset;
      this.endOffset = offset;
      this.txns = new OpenTransactions();
      return;
    }
    let cut = offset;
    for (const batch of this.batchesFrom(offset)) {
      cut = batch.baseOffset;
      break;
    }
    // Segments starting at or after `offset` go whole; the disk engine does the same.
    while (this.segments.length > 1 && this.activeSegment.baseOffset >= offset) this.segments.pop();
    this.activeSegment.truncateFrom(cut);
    this.endOffset = cut;
    this.logStartOffset = Math.min(this.logStartOffset, cut);
    // Transactions the cut reopened or never started: replay what is left (in memory, cheap).
    this.txns = new OpenTransactions();
    for (const batch of this.batchesFrom(0)) this.txns.observe(batch.bytes, 0);
  }

  /**
   * See PartitionLog.deleteRecordsBefore. Closed segments wholly below the new log start
   * go at once (returns the bytes freed); the rest waits for retention.
   */
  deleteRecordsBefore(offset: number): number {
    if (!Number.isSafeInteger(offset) || offset < 0) {
      throw new RangeError(`delete-records offset ${offset} is not a non-negative integer`);
    }
    if (offset > this.endOffset) {
      throw new RangeError(
        `delete-records offset ${offset} is above the high watermark ${this.endOffset}`,
      );
    }
    if (offset <= this.logStartOffset) return 0;
    this.logStartOffset = offset;
    return this.dropLeadingSegments(BELOW_LOG_START_ONLY, 0);
  }

  /** Retention (the rule both engines share, see segmentsToDelete); returns the bytes freed. */
  runRetention(config: LogConfig, now: number): number {
    return this.dropLeadingSegments(config, now);
  }

  private dropLeadingSegments(rules: RetentionRules, now: number): number {
    const summaries = this.segments.map((s) => ({
      baseOffset: s.baseOffset,
      size: s.sizeInBytes,
      maxTimestamp: s.maxTimestamp,
      lastModified: s.lastModified,
    }));
    const n = segmentsToDelete(summaries, rules, now, this.logStartOffset);
    if (n === 0) return 0;
    let freed = 0;
    for (const segment of this.segments.splice(0, n)) freed += segment.sizeInBytes;
    this.logStartOffset = Math.max(this.logStartOffset, this.segments[0]!.baseOffset);
    return freed;
  }
}
