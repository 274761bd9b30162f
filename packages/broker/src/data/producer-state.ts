import { ErrorCode } from "@logbook/protocol";

/** A transaction a marker ended in a partition: its data lies in [firstOffset, lastOffset]. */
export interface TxnRange {
  producerId: bigint;
  firstOffset: number;
  /** The offset of the COMMIT/ABORT marker. */
  lastOffset: number;
}

/** How many batches per producer and partition are remembered for de-duplication (Kafka's NUM_BATCHES_TO_RETAIN). */
export const BATCHES_TO_RETAIN = 5;

const INT32_MAX = 0x7fffffff;

/** One appended batch of an idempotent producer. */
export interface BatchMetadata {
  firstSeq: number;
  lastSeq: number;
  firstOffset: number;
  lastOffset: number;
  /** Max timestamp as stored (the append time on LogAppendTime topics); -1 if unknown. */
  maxTimestamp: number;
  /** Settles when the append is visible; a duplicate of an in-flight batch waits on it. */
  written: Promise<void>;
}

interface ProducerEntry {
  epoch: number;
  /** Epoch of the coordinator that wrote this producer's last marker here; -1 if none. */
  coordinatorEpoch: number;
  /** First offset of the producer's ongoing transaction in this partition; -1 if none. */
  txnFirstOffset: number;
  /**
   * The last transaction a marker ended here: a snapshot taken below its marker must
   * still show it open, since the rescan from the snapshot's end meets the marker.
   */
  lastTxn: { firstOffset: number; markerOffset: number } | null;
  /** Max timestamp of the last batch (ms), or when it was recorded; -1 if none. */
  lastTimestamp: number;
  /** Oldest first; only batches of `epoch`. */
  batches: BatchMetadata[];
}

/** One producer as written to and read from a snapshot (only written batches). */
export interface ProducerSnapshotEntry {
  producerId: bigint;
  epoch: number;
  lastTimestamp: number;
  /** Absent = -1 (none); kept optional so pre-transaction snapshots read unchanged. */
  coordinatorEpoch?: number;
  /** First offset of the ongoing transaction; absent = -1 (none). */
  currentTxnFirstOffset?: number;
  /** Oldest first. */
  batches: Omit<BatchMetadata, "written">[];
}

const DONE: Promise<void> = Promise.resolve();

/** One producer as DescribeProducers reports it. */
export interface ProducerDescription {
  producerId: bigint;
  epoch: number;
  lastSequence: number;
  lastTimestamp: number;
  coordinatorEpoch: number;
  /** -1 when no transaction is open. */
  currentTxnStartOffset: number;
}

export type SequenceVerdict =
  | { kind: "append" }
  | { kind: "duplicate"; batch: BatchMetadata }
  | { kind: "error"; errorCode: number; message: string };

/** Sequence numbers wrap from INT32_MAX to 0. */
export function lastSequence(firstSeq: number, lastOffsetDelta: number): number {
  const last = firstSeq + lastOffsetDelta;
  return last > INT32_MAX ? last - INT32_MAX - 1 : last;
}

function follows(lastSeq: number, nextSeq: number): boolean {
  return nextSeq === (lastSeq === INT32_MAX ? 0 : lastSeq + 1);
}

/**
 * Idempotent-producer state of one partition: per producer id the current epoch and
 * its last five batches. Follows Kafka's ProducerAppendInfo for client appends:
 * duplicates (same epoch, same first and last sequence as a retained batch) are
 * answered with the original offsets; an older epoch is INVALID_PRODUCER_EPOCH; a
 * newer epoch must start at sequence 0; otherwise the sequence must follow the last
 * one. An unknown producer (never seen, or its batches gone through retention or
 * DeleteRecords) may start at any sequence, as Kafka has done since 2.x.
 *
 * Transactions (KIP-98): a producer's first transactional batch here opens its
 * transaction (the first offset holds the last stable offset) until a COMMIT/ABORT
 * marker ends it. Aborted ranges for read_committed fetches are not kept here: the
 * storage log indexes them per segment (PartitionLog.abortedTransactions).
 *
 * Not thread-safe in the async sense: callers check and record without awaiting in
 * between (see produce-append.ts), which makes the pair atomic on the event loop.
 */
export class PartitionProducerState {
  private readonly producers = new Map<bigint, ProducerEntry>();
  private changes = 0;

  /** Grows with every change; the snapshot writer compares it to skip unchanged partitions. */
  get changeCount(): number {
    return this.changes;
  }

  get producerCount(): number {
    return this.producers.size;
  }

  epochOf(producerId: bigint): number | undefined {
    return this.producers.get(producerId)?.epoch;
  }

  check(
    producerId: bigint,
    epoch: number,
    firstSeq: number,
    lastSeq: number,
    transactional = false,
  ): SequenceVerdict {
    const entry = this.producers.get(producerId);
    if (entry === undefined) return { kind: "append" };
    // Kafka's "expected transactional write": plain data inside an open transaction
    // would escape the transaction's commit/abort.
    if (!transactional && entry.txnFirstOffset >= 0 && epoch >= entry.epoch) {
      return {
        kind: "error",
        errorCode: ErrorCode.INVALID_TXN_STATE,
        message: `producer ${producerId} has an open transaction here`,
      };
    }
    if (epoch === entry.epoch) {
      const dup = entry.batches.find((b) => b.firstSeq === firstSeq && b.lastSeq === lastSeq);
      if (dup !== undefined) return { kind: "duplicate", batch: dup };
    }
    if (epoch < entry.epoch) {
      return {
        kind: "error",
        errorCode: ErrorCode.INVALID_PRODUCER_EPOCH,
        message: `producer ${producerId} epoch ${epoch} is older than ${entry.epoch}`,
      };
    }
    if (epoch > entry.epoch) {
      if (firstSeq === 0) return { kind: "append" };
      return outOfOrder(
        `a new epoch ${epoch} of producer ${producerId} must start at sequence 0, not ${firstSeq}`,
      );
    }
    const last = entry.batches.at(-1)?.lastSeq ?? -1;
    if (follows(last, firstSeq)) return { kind: "append" };
    return outOfOrder(`producer ${producerId} sent sequence ${firstSeq} after ${last}`);
  }

  /**
   * Remembers an appended batch (a newer epoch forgets the older epoch's batches).
   * `timestamp` is the batch's max timestamp where the caller has the header at hand;
   * the append path does not pass it, so the record time stands in (it only feeds the
   * snapshot's LastTimestamp, which nothing here expires on yet).
   */
  record(
    producerId: bigint,
    epoch: number,
    batch: BatchMetadata,
    timestamp: number,
    transactional = false,
  ): void {
    const entry = this.bumpTo(producerId, epoch);
    if (epoch < entry.epoch) return;
    entry.lastTimestamp = timestamp;
    entry.batches.push(batch);
    if (entry.batches.length > BATCHES_TO_RETAIN) entry.batches.shift();
    // The first transactional batch opens the transaction; it holds the LSO until a marker.
    if (transactional && entry.txnFirstOffset < 0) entry.txnFirstOffset = batch.firstOffset;
  }

  /** A control batch without a transaction (not written by this broker) moves the epoch only. */
  recordEpoch(producerId: bigint, epoch: number): void {
    this.bumpTo(producerId, epoch);
  }

  /**
   * A COMMIT/ABORT marker at `markerOffset`: ends the producer's ongoing transaction
   * and returns its range, or null when none
   * was open here (a retried or stray marker, which Kafka writes but which changes
   * nothing).
   */
  endTransaction(
    marker: { producerId: bigint; epoch: number; coordinatorEpoch: number; commit: boolean },
    markerOffset: number,
    timestamp: number,
  ): TxnRange | null {
    const { producerId } = marker;
    const entry = this.bumpTo(producerId, marker.epoch);
    entry.coordinatorEpoch = marker.coordinatorEpoch;
    entry.lastTimestamp = timestamp;
    const firstOffset = entry.txnFirstOffset;
    if (firstOffset < 0 || firstOffset > markerOffset) return null;
    entry.txnFirstOffset = -1;
    entry.lastTxn = { firstOffset, markerOffset };
    return { producerId, firstOffset, lastOffset: markerOffset };
  }

  /** Undoes endTransaction for a marker whose append failed: the transaction is open again. */
  reopenTransaction(range: TxnRange): void {
    const entry = this.producers.get(range.producerId);
    if (entry === undefined) return;
    this.changes++;
    if (entry.lastTxn?.markerOffset === range.lastOffset) entry.lastTxn = null;
    if (entry.txnFirstOffset < 0) entry.txnFirstOffset = range.firstOffset;
  }

  /**
   * The last stable offset for `highWatermark`: the first offset of the oldest open
   * transaction (exclusive bound: that record is not stable), else the high watermark.
   */
  lastStableOffset(highWatermark: number): number {
    let lso = highWatermark;
    for (const e of this.producers.values()) {
      if (e.txnFirstOffset >= 0 && e.txnFirstOffset < lso) lso = e.txnFirstOffset;
    }
    return lso;
  }

  /** Every producer, for DescribeProducers. */
  describe(): ProducerDescription[] {
    return [...this.producers].map(([producerId, e]) => ({
      producerId,
      epoch: e.epoch,
      lastSequence: e.batches.at(-1)?.lastSeq ?? -1,
      lastTimestamp: e.lastTimestamp,
      coordinatorEpoch: e.coordinatorEpoch,
      currentTxnStartOffset: e.txnFirstOffset,
    }));
  }

  /** Forgets a batch whose append failed after it was recorded. */
  forget(producerId: bigint, batch: BatchMetadata): void {
    const entry = this.producers.get(producerId);
    if (entry === undefined) return;
    entry.batches = entry.batches.filter((b) => b !== batch);
    // A failed first batch must not hold the LSO: the next retained batch (all later
    // batches of a transactional producer belong to the transaction) opens it, or none.
    if (entry.txnFirstOffset === batch.firstOffset) {
      entry.txnFirstOffset =
        entry.batches.find((b) => b.firstOffset > batch.firstOffset)?.firstOffset ?? -1;
    }
    this.changes++;
  }

  /**
   * The state as of `endOffset`: batches at or above it (still being written, or
   * written after the caller read the high watermark) are left out, since a rebuild
   * from the snapshot rescans the log from `endOffset` and finds them there.
   */
  snapshot(endOffset: number): ProducerSnapshotEntry[] {
    const out: ProducerSnapshotEntry[] = [];
    for (const [producerId, e] of this.producers) {
      // A transaction opened at or above endOffset is found again by the rescan; one
      // whose marker lies at or above it was still open as of endOffset.
      const last = e.lastTxn;
      const txn =
        last !== null && last.markerOffset >= endOffset && last.firstOffset < endOffset
          ? last.firstOffset
          : e.txnFirstOffset >= 0 && e.txnFirstOffset < endOffset
            ? e.txnFirstOffset
            : -1;
      out.push({
        producerId,
        epoch: e.epoch,
        lastTimestamp: e.lastTimestamp,
        ...(e.coordinatorEpoch >= 0 ? { coordinatorEpoch: e.coordinatorEpoch } : {}),
        ...(txn >= 0 ? { currentTxnFirstOffset: txn } : {}),
        batches: e.batches
          .filter((b) => b.lastOffset < endOffset)
          .map(({ written: _, ...stored }) => stored),
      });
    }
    return out;
  }

  /** Loads one producer from a snapshot (before any rescan of the log after it). */
  restore(entry: ProducerSnapshotEntry): void {
    this.producers.set(entry.producerId, {
      epoch: entry.epoch,
      coordinatorEpoch: entry.coordinatorEpoch ?? -1,
      txnFirstOffset: entry.currentTxnFirstOffset ?? -1,
      lastTxn: null,
      lastTimestamp: entry.lastTimestamp,
      batches: entry.batches.slice(-BATCHES_TO_RETAIN).map((b) => ({ ...b, written: DONE })),
    });
    this.changes++;
  }

  private bumpTo(producerId: bigint, epoch: number): ProducerEntry {
    this.changes++;
    let entry = this.producers.get(producerId);
    if (entry === undefined) {
      entry = {
        epoch,
        coordinatorEpoch: -1,
        txnFirstOffset: -1,
        lastTxn: null,
        lastTimestamp: -1,
        batches: [],
      };
      this.producers.set(producerId, entry);
    } else if (epoch > entry.epoch) {
      entry.epoch = epoch;
      entry.batches = [];
    }
    return entry;
  }
}

function outOfOrder(message: string): SequenceVerdict {
  return { kind: "error", errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, message };
}
