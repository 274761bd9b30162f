import { ErrorCode } from "@logbook/protocol";

/** How many batches per producer and partition are remembered for de-duplication (Kafka's NUM_BATCHES_TO_RETAIN). */
export const BATCHES_TO_RETAIN = 5;

const INT32_MAX = 0x7fffffff;

/** One appended batch of an idempotent producer. */
export interface BatchMetadata {
  firstSeq: number;
  lastSeq: number;
  firstOffset: number;
  lastOffset: number;
  /** Settles when the append is visible; a duplicate of an in-flight batch waits on it. */
  written: Promise<void>;
}

interface ProducerEntry {
  epoch: number;
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
  /** Oldest first. */
  batches: { firstSeq: number; lastSeq: number; firstOffset: number; lastOffset: number }[];
}

const DONE: Promise<void> = Promise.resolve();

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

  check(producerId: bigint, epoch: number, firstSeq: number, lastSeq: number): SequenceVerdict {
    const entry = this.producers.get(producerId);
    if (entry === undefined) return { kind: "append" };
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
  record(producerId: bigint, epoch: number, batch: BatchMetadata, timestamp = Date.now()): void {
    const entry = this.bumpTo(producerId, epoch);
    if (epoch < entry.epoch) return;
    entry.lastTimestamp = timestamp;
    entry.batches.push(batch);
    if (entry.batches.length > BATCHES_TO_RETAIN) entry.batches.shift();
  }

  /** A control batch (transaction marker) moves the epoch without a sequence. */
  recordEpoch(producerId: bigint, epoch: number): void {
    this.bumpTo(producerId, epoch);
  }

  /** Forgets a batch whose append failed after it was recorded. */
  forget(producerId: bigint, batch: BatchMetadata): void {
    const entry = this.producers.get(producerId);
    if (entry === undefined) return;
    entry.batches = entry.batches.filter((b) => b !== batch);
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
      out.push({
        producerId,
        epoch: e.epoch,
        lastTimestamp: e.lastTimestamp,
        batches: e.batches
          .filter((b) => b.lastOffset < endOffset)
          .map(({ firstSeq, lastSeq, firstOffset, lastOffset }) => ({
            firstSeq,
            lastSeq,
            firstOffset,
            lastOffset,
          })),
      });
    }
    return out;
  }

  /** Loads one producer from a snapshot (before any rescan of the log after it). */
  restore(entry: ProducerSnapshotEntry): void {
    this.producers.set(entry.producerId, {
      epoch: entry.epoch,
      lastTimestamp: entry.lastTimestamp,
      batches: entry.batches.slice(-BATCHES_TO_RETAIN).map((b) => ({ ...b, written: DONE })),
    });
    this.changes++;
  }

  private bumpTo(producerId: bigint, epoch: number): ProducerEntry {
    this.changes++;
    let entry = this.producers.get(producerId);
    if (entry === undefined) {
      entry = { epoch, lastTimestamp: -1, batches: [] };
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
