import type { LogConfig } from "./config.js";
import type { AbortedTxn } from "./transactions/aborted-txn.js";

export type { AbortedTxn } from "./transactions/aborted-txn.js";

/** Where a batch landed. */
export interface AppendResult {
  /** Offset assigned to the first record of the first batch. */
  baseOffset: number;
  /** Offset of the last record of the last batch. */
  lastOffset: number;
  /** The broker's append time when the log uses LogAppendTime, else -1. */
  logAppendTime: number;
  logStartOffset: number;
}

export interface AppendOptions {
  /** Leader epoch stamped into each batch (outside the CRC). Default 0. */
  leaderEpoch?: number;
  /** Check each batch's CRC-32C before writing (skip only when the caller already did). */
  verifyCrc?: boolean;
  /**
   * Append only if the first batch lands at this offset, else refuse with
   * AppendError("conflict"): how a writer that replayed a shared log up to here makes
   * sure no other broker appended meanwhile (optimistic concurrency).
   */
  expectedOffset?: number;
  /**
   * The caller hands `records` over and never writes to it again, so the log may keep
   * the buffer itself a while (the disk engine serves a read at the tail from it in the
   * turn of the event loop that appended it). Without it the log keeps only a copy.
   */
  handedOver?: boolean;
}

export type ReadResult =
  | {
      kind: "ok";
      /** Whole stored batches, byte-for-byte; empty when nothing is available. */
      records: Buffer;
      highWatermark: number;
      lastStableOffset: number;
      logStartOffset: number;
    }
  | {
      kind: "offset-out-of-range";
      highWatermark: number;
      logStartOffset: number;
      logEndOffset: number;
    };

/**
 * A read whose size is known before its bytes are (see PartitionLog.readSized). Nothing
 * is read until `start`, which must run in the same turn of the event loop as the
 * sizing (the log may change after it); it returns the buffer of `size` bytes, filled by
 * the time `filled` resolves (it rejects when the bytes are no longer there).
 */
export interface SizedRead {
  size: number;
  /** The records' offsets lie in [firstOffset, nextOffset). */
  firstOffset: number;
  nextOffset: number;
  highWatermark: number;
  lastStableOffset: number;
  logStartOffset: number;
  start(): { records: Buffer; filled: Promise<void> };
}

export interface TimestampLookup {
  offset: number;
  timestamp: number;
}

/** Why an append was refused; the broker maps these to Kafka error codes. */
export type AppendErrorReason =
  | "corrupt-batch" // length, magic or CRC wrong (CORRUPT_MESSAGE)
  | "invalid-batch" // structurally valid but not acceptable (INVALID_RECORD)
  | "record-list-too-large"
  | "storage" // the write failed (disk full, read-only, I/O error): KAFKA_STORAGE_ERROR
  | "conflict" // expectedOffset was not the log end: another writer appended first
  | "fenced" // another broker claimed the partition (claimWriter): NOT_LEADER_OR_FOLLOWER
  | "closed";

/** The refusal of an append whose expectedOffset was not where the log ends. */
export function conflictError(expected: number, end: number): AppendError {
  return new AppendError(
    "conflict",
    `expected to append at offset ${expected}, the log ends at ${end}`,
  );
}

export class AppendError extends Error {
  override readonly name = "AppendError";
  constructor(
    readonly reason: AppendErrorReason,
    message: string,
  ) {
    super(message);
  }
}

/**
 * One topic-partition: an append-only sequence of record batches with dense offsets.
 *
 * Concurrency contract: appends and reads may be in flight at once, as many as callers like.
 * Appends are ordered by call order (offsets are assigned synchronously when `append`
 * is called) and written in coalesced groups; a read never waits for an append and
 * sees only batches whose write completed (and, under fsync-per-append, was synced).
 */
export interface PartitionLog {
  readonly topic: string;
  readonly partition: number;
  readonly config: LogConfig;

  /** First offset still in the log (moves with retention and DeleteRecords). */
  readonly logStartOffset: number;
  /** Offset the next appended record will get, counting appends not yet written. */
  readonly logEndOffset: number;
  /** Offset below which every record is written and visible to readers. */
  readonly highWatermark: number;
  /** Last stable offset: the high watermark unless a transaction hook lowers it. */
  readonly lastStableOffset: number;
  /** Bytes of all segments. */
  readonly sizeInBytes: number;
  /** Segments the log holds now (Kafka's NumLogSegments). */
  readonly segmentCount: number;
  /** Whether close() was called: the engine stopped, or the partition was deleted. */
  readonly isClosed: boolean;

  /**
   * Appends one or more record batches. The log takes ownership of `records` and may
   * stamp offsets into it in place; the caller must not reuse the buffer.
   */
  append(records: Buffer, options?: AppendOptions): Promise<AppendResult>;
  /**
   * Stored bytes from the batch containing `fetchOffset`: whole batches, at least one
   * even if larger than `maxBytes`, none at or above `upperBound` (default: HW). A read
   * may end at a segment boundary. Offsets below the log start or above the high
   * watermark are out of range.
   */
  read(fetchOffset: number, maxBytes: number, upperBound?: number): Promise<ReadResult>;
  /**
   * Optional. A read as `read` gives, when the engine can tell its size without reading
   * the bytes: the read starts at once and a response can be framed, and sent up to
   * these bytes, while it runs. Whole batches from the one at `fetchOffset`, at most
   * `maxBytes` (never the one oversized batch `read` would give); it may stop short of
   * what `read` would return (it stops at a boundary it knows). Size 0 when no boundary
   * within `maxBytes` is known though one past it is; null when the size cannot be known
   * without reading, or `read` must answer (out of range, nothing below the bound).
   */
  readSized?(fetchOffset: number, maxBytes: number, upperBound?: number): SizedRead | null;
  /**
   * Optional. At most how many bytes `read(fetchOffset, maxBytes)` returns, known
   * without reading: what the log holds from the batch at `fetchOffset` to where such a
   * read must stop (the end of its segment), capped at `maxBytes` (a single batch larger
   * than that is still returned whole). Null when only a read can tell. A fetch plans
   * how many partitions it reads at once with it.
   */
  readSizeBound?(fetchOffset: number, maxBytes: number): number | null;
  /** First offset whose record timestamp is >= `timestamp`, or null if none. */
  offsetForTimestamp(timestamp: number): Promise<TimestampLookup | null>;
  /** The record with the largest timestamp (first such), or null when empty. */
  maxTimestamp(): Promise<TimestampLookup | null>;
  /**
   * Drops every batch at or after the one containing `offset`; at or below the first
   * offset kept, the log restarts empty at `offset`.
   */
  truncateTo(offset: number): Promise<void>;
  /**
   * DeleteRecords: moves the log start offset (durably; never backwards) and returns it.
   * Segments wholly below it go; time and size retention are left to runMaintenance.
   */
  deleteRecordsBefore(offset: number): Promise<number>;
  /** Lets the transaction layer bound reads: returns the LSO for a given HW. */
  setLastStableOffsetHook(hook: ((highWatermark: number) => number) | null): void;
  /**
   * The aborted transactions overlapping [fetchOffset, upperBoundOffset): ABORT marker
   * at or above fetchOffset, first offset below the bound; oldest first. Read_committed
   * fetches send these as aborted_transactions. Answered from the per-segment
   * transaction indexes alone (never by reading the log); an append's entry is there
   * from the moment `append` is called, before the marker is visible. The log builds the
   * indexes itself from the batches it stores (see the storage README).
   */
  abortedTransactions(fetchOffset: number, upperBoundOffset: number): Promise<AbortedTxn[]>;
  /** Called after each group of appends becomes visible (for long-poll fetches). */
  onAppend(listener: () => void): () => void;
  /** Applies new settings (takes effect for later appends, rolls and retention). */
  updateConfig(config: LogConfig): void;
  /** Runs retention (and compaction where configured) once; returns bytes freed. */
  runMaintenance(now?: number): Promise<number>;
  /** fsyncs everything written and checkpoints. */
  flush(): Promise<void>;
  /**
   * Rereads what other writers appended (an engine several brokers share); a no-op where
   * this log is the only writer. Called before state is rebuilt from the log.
   */
  refresh(): Promise<void>;
  /**
   * Makes this broker the partition's leader in an engine several brokers share: from
   * the moment it resolves, appends by a broker that claimed it earlier fail with
   * AppendError("fenced"), and the log shows everything they wrote before. Resolves to
   * true when the claim is new (state built from the log must be rebuilt), false when
   * this broker holds it already. Always false where this log is the only writer.
   */
  claimWriter(): Promise<boolean>;
  close(): Promise<void>;
}
