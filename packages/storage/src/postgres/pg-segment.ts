import type { AbortedTxn } from "../transactions/aborted-txn.js";

/**
 * What a broker keeps in memory about one segment of a partition stored in PostgreSQL:
 * the batches themselves stay in the database. Enough for rolling, retention and the
 * transaction index, as on disk.
 */
export interface PgSegment {
  readonly baseOffset: number;
  size: number;
  /** Largest batch maxTimestamp; -1 when none has one. */
  maxTimestamp: number;
  readonly createdAt: number;
  /** When a batch was last added (the disk engine's file modification time). */
  lastModified: number;
  /** Aborted transactions whose ABORT marker is in this segment, in marker order. */
  abortedTxns: AbortedTxn[];
}

export function emptySegment(baseOffset: number, createdAt: number): PgSegment {
  return {
    baseOffset,
    size: 0,
    maxTimestamp: -1,
    createdAt,
    lastModified: createdAt,
    abortedTxns: [],
  };
}
