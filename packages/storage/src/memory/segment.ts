import type { AbortedTxn } from "../transactions/aborted-txn.js";

/** One stored batch: its bytes (offsets and epoch already stamped) and what reads need. */
export interface StoredBatch {
  readonly baseOffset: number;
  readonly lastOffset: number;
  readonly maxTimestamp: number;
  readonly bytes: Buffer;
}

/**
 * A group of batches standing in for a disk segment, so that rolling and retention
 * (whole segments go, never the active one) behave as in the disk engine.
 */
export class MemorySegment {
  readonly batches: StoredBatch[] = [];
  sizeInBytes = 0;
  /** The segment's transaction index: aborted transactions whose marker is in it. */
  abortedTxns: AbortedTxn[] = [];

  constructor(
    readonly baseOffset: number,
    /** Wall-clock time the segment was opened, for segment.ms rolls. */
    readonly createdAt: number,
  ) {
    this.lastModified = createdAt;
  }

  get isEmpty(): boolean {
    return this.batches.length === 0;
  }

  /** When a batch was last added: the disk engine's file modification time. */
  lastModified: number;

  /** Largest batch maxTimestamp (-1 when none has one): what retention.ms compares. */
  maxTimestamp = -1;

  add(batch: StoredBatch, now: number): void {
    this.lastModified = now;
    if (batch.maxTimestamp > this.maxTimestamp) this.maxTimestamp = batch.maxTimestamp;
    this.batches.push(batch);
    this.sizeInBytes += batch.bytes.length;
  }

  /** Drops the batches whose base offset is >= `offset`, and their index entries. */
  truncateFrom(offset: number): void {
    while (this.batches.length > 0 && this.batches[this.batches.length - 1]!.baseOffset >= offset) {
      this.sizeInBytes -= this.batches.pop()!.bytes.length;
    }
    this.maxTimestamp = -1;
    for (const b of this.batches)
      if (b.maxTimestamp > this.maxTimestamp) this.maxTimestamp = b.maxTimestamp;
    this.abortedTxns = this.abortedTxns.filter((e) => e.lastOffset < offset);
  }
}
