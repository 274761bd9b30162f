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
  ) {}

  get isEmpty(): boolean {
    return this.batches.length === 0;
  }

  /** Largest batch maxTimestamp, -1 when empty: what retention.ms compares against. */
  get largestTimestamp(): number {
    let max = -1;
    for (const b of this.batches) if (b.maxTimestamp > max) max = b.maxTimestamp;
    return max;
  }

  add(batch: StoredBatch): void {
    this.batches.push(batch);
    this.sizeInBytes += batch.bytes.length;
  }

  /** Drops the batches whose base offset is >= `offset`, and their index entries. */
  truncateFrom(offset: number): void {
    while (this.batches.length > 0 && this.batches[this.batches.length - 1]!.baseOffset >= offset) {
      this.sizeInBytes -= this.batches.pop()!.bytes.length;
    }
    this.abortedTxns = this.abortedTxns.filter((e) => e.lastOffset < offset);
  }
}
