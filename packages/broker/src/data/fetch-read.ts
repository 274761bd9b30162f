import { ErrorCode, RecordBatchHeader } from "@logbook/protocol";
import {
  type AbortedTxn,
  type PartitionLog,
  type SizedRead,
  StorageUnavailableError,
} from "@logbook/storage";
import { leaderEpochError } from "./leader-epoch.js";
import type { PartitionProducerState } from "./producer-state.js";

/** One partition to read, with its log already looked up (or the error that prevented it). */
export interface FetchTarget {
  topic: string;
  topicId: Buffer;
  partition: number;
  fetchOffset: bigint;
  partitionMaxBytes: number;
  currentLeaderEpoch: number;
  /**
   * A follower's fetch (allowed CLUSTER_ACTION). A single node has no follower
   * replicas, so Kafka's answer once the leader epoch passes: the follower is unknown.
   */
  fromFollower: boolean;
  /** undefined together with a non-zero `errorCode`. */
  log: PartitionLog | undefined;
  errorCode: number;
}

export interface PartitionRead {
  errorCode: number;
  highWatermark: bigint;
  lastStableOffset: bigint;
  logStartOffset: bigint;
  records: Buffer;
  /** read_committed: aborted transactions overlapping the records; else null. */
  abortedTransactions: AbortedTxn[] | null;
  /** Set when `records` is still being read: it holds its bytes once this resolves. */
  filled?: Promise<void>;
}

export interface FetchReadOptions {
  /** Response-wide soft limit (max_bytes, v3+). */
  maxBytes: number;
  /** min_bytes: a response smaller than this waits for more (and is read again). */
  minBytes: number;
  /** isolation_level 1: nothing at or above the last stable offset. */
  readCommitted: boolean;
  version: number;
  /** The leader epoch Metadata reports (current_leader_epoch is checked against it). */
  leaderEpoch: number;
  /**
   * The partition's producer state (needed under read_committed: loading it installs
   * the LSO hook, open transactions included).
   */
  producerState: (log: PartitionLog) => Promise<PartitionProducerState>;
  /** The producer state if already loaded (its LSO hook installed), else undefined. */
  loadedProducerState: (log: PartitionLog) => PartitionProducerState | undefined;
}

const EMPTY = Buffer.alloc(0);

/**
 * A partition that failed. As Kafka answers: offsets are all -1; aborted_transactions
 * is [] when the request named a partition that does not exist here (decided before
 * any read) and null when the read itself failed (offset out of range, leader epoch,
 * compression), whatever the isolation level.
 */
function failedRead(errorCode: number, stage: "before-read" | "read"): PartitionRead {
  return {
    errorCode,
    highWatermark: -1n,
    lastStableOffset: -1n,
    logStartOffset: -1n,
    records: EMPTY,
    abortedTransactions: stage === "before-read" ? [] : null,
  };
}

/**
 * Kafka's answer to a replica id that is not among the partition's replicas: with a
 * (matching) leader epoch the follower may only be behind on metadata, so
 * UNKNOWN_LEADER_EPOCH; without one NOT_LEADER_OR_FOLLOWER.
 */
function unknownFollowerError(currentLeaderEpoch: number): number {
  return currentLeaderEpoch >= 0
    ? ErrorCode.UNKNOWN_LEADER_EPOCH
    : ErrorCode.NOT_LEADER_OR_FOLLOWER;
}

/** [first batch's base offset, last batch's next offset) of whole batches. */
function batchRange(records: Buffer): { from: number; to: number } {
  let from = -1;
  let to = -1;
  for (let at = 0; at < records.length; ) {
    const h = RecordBatchHeader.at(records, at);
    if (h.end > records.length) break;
    if (from < 0) from = Number(h.baseOffset);
    to = Number(h.nextOffset);
    at = h.end;
  }
  return { from, to };
}

/**
 * Reads every target, whole stored batches only, and answers in the targets' order.
 * `maxBytes` and each partition_max_bytes are soft limits (KIP-74): the first partition
 * that has data gets at least one batch even when it is larger; later partitions get
 * only what fits. Returns one read per target plus the total bytes.
 *
 * A fetch over many partitions is bound by the latency of its reads, so they run in
 * parallel: every partition the response could still take were each earlier one to
 * return all it can (what the log says a read there returns at most, else its
 * partition_max_bytes) is read at once; the rest, once those are in, one by one with
 * what is actually left. A partition with nothing new, or reached once the response is
 * full, is answered from the log's offsets without a read.
 */
export async function readPartitions(
  targets: readonly FetchTarget[],
  opts: FetchReadOptions,
): Promise<{ reads: PartitionRead[]; bytes: number }> {
  // Partitions with nothing new, answered alike by both ways of reading the rest.
  const caughtUp = targets.map((t) => fromOffsets(t, opts, false));
  const sized = await readSizedPartitions(targets, caughtUp, opts);
  if (sized !== null) return sized;
  const started: (PartitionRead | Promise<PartitionRead> | null)[] = [];
  let planned = 0;
  for (const [i, t] of targets.entries()) {
    const quick = caughtUp[i] ?? null;
    if (quick !== null) started.push(quick);
    else if (planned < opts.maxBytes) {
      const limit = Math.min(t.partitionMaxBytes, opts.maxBytes - planned);
      // A caught-up consumer asks for far more than a partition holds (10 MiB each from
      // some): planned at its limit, five partitions of a hundred were read at once.
      planned += Math.max(1, readSizeBound(t, limit) ?? limit);
      const reading = readOne(t, opts, limit);
      // Awaited below in order; until then a failure must not count as unhandled.
      reading.catch(() => {});
      started.push(reading);
    } else started.push(null);
  }
  const reads: PartitionRead[] = [];
  let used = 0;
  // Set once a partition's next batch did not fit in what was left: the response is then
  // as good as full, and later partitions are answered from their offsets where they can
  // be. Reading each of them only to find its batch too large, one after the other, was
  // most of the time a fetch of 100 partitions took (docs/performance.md, "Consume over
  // many partitions"). Kafka fills that space with truncated batches, which no client
  // can use.
  let full = false;
  for (let i = 0; i < targets.length; i++) {
    const t = targets[i] as FetchTarget;
    const limit = Math.min(t.partitionMaxBytes, opts.maxBytes - used);
    let read = await started[i];
    if (read === null || read === undefined)
      read =
        (used > 0 && (full || limit <= 0) ? fromOffsets(t, opts, true) : null) ??
        (await readOne(t, opts, limit));
    // Only a single oversized batch can exceed the limit; later partitions must not take it.
    if (used > 0 && read.records.length > limit) {
      read = withoutRecords(read);
      full = true;
    }
    used += read.records.length;
    reads.push(read);
  }
  return { reads, bytes: used };
}

/** At most what a read of the target returns with this limit, when its log can tell. */
function readSizeBound(t: FetchTarget, limit: number): number | null {
  return t.log?.readSizeBound?.(Number(t.fetchOffset), limit) ?? null;
}

function withoutRecords(read: PartitionRead): PartitionRead {
  return {
    ...read,
    records: EMPTY,
    abortedTransactions: read.abortedTransactions === null ? null : [],
  };
}

/**
 * The answer for a partition with nothing to return, from the log's offsets without an
 * asynchronous read: its fetch offset is at the high watermark, or (`full`) the
 * response has no room left and the offset is in the log's range. A long poll over many
 * partitions re-reads all of them each time one is appended to, and most have nothing.
 * The same answer the log's read gives; null when a read (or its errors) must decide.
 */
function fromOffsets(t: FetchTarget, opts: FetchReadOptions, full: boolean): PartitionRead | null {
  const log = t.log;
  if (log === undefined || t.errorCode !== ErrorCode.NONE || t.fromFollower) return null;
  if (leaderEpochError(t.currentLeaderEpoch, opts.leaderEpoch) !== ErrorCode.NONE) return null;
  // read_committed: the LSO is only right once the producer state's hook is installed.
  if (opts.readCommitted && opts.loadedProducerState(log) === undefined) return null;
  const highWatermark = log.highWatermark;
  const logStartOffset = log.logStartOffset;
  const offset = Number(t.fetchOffset);
  if (highWatermark < logStartOffset) return null;
  if (full ? offset < logStartOffset || offset > highWatermark : offset !== highWatermark)
    return null;
  return {
    errorCode: ErrorCode.NONE,
    highWatermark: BigInt(highWatermark),
    lastStableOffset: BigInt(log.lastStableOffset),
    logStartOffset: BigInt(logStartOffset),
    records: EMPTY,
    abortedTransactions: opts.readCommitted ? [] : null,
  };
}

/** One partition's read; the storage out of reach fails it alone, retriably (as Kafka). */
async function readOne(
  t: FetchTarget,
  opts: FetchReadOptions,
  limit: number,
): Promise<PartitionRead> {
  try {
    return await readStored(t, opts, limit);
  } catch (e) {
    if (e instanceof StorageUnavailableError)
      return failedRead(ErrorCode.KAFKA_STORAGE_ERROR, "read");
    throw e;
  }
}

/** Reads up to `limit` bytes (at least one batch); the caller trims to what fits. */
async function readStored(
  t: FetchTarget,
  opts: FetchReadOptions,
  limit: number,
): Promise<PartitionRead> {
  const log = t.log;
  if (log === undefined || t.errorCode !== ErrorCode.NONE)
    return failedRead(t.errorCode, "before-read");
  const epochError = leaderEpochError(t.currentLeaderEpoch, opts.leaderEpoch);
  if (epochError !== ErrorCode.NONE) return failedRead(epochError, "read");
  if (t.fromFollower) return failedRead(unknownFollowerError(t.currentLeaderEpoch), "read");
  const offset = Number(t.fetchOffset);
  const state = opts.readCommitted ? await opts.producerState(log) : null;
  // The LSO is an exclusive bound: the first offset of the oldest open transaction is
  // itself not returned.
  const upperBound = state !== null ? log.lastStableOffset : undefined;
  const result = await log.read(offset, Math.max(limit, 1), upperBound);
  if (result.kind === "offset-out-of-range")
    return failedRead(ErrorCode.OFFSET_OUT_OF_RANGE, "read");
  const records = result.records;
  // zstd batches go to every Fetch version, as Kafka 4 sends them (KAFKA-18269): a
  // v4-v9 fetcher that can read zstd (kafka-python 2.0) would otherwise retry forever.
  let abortedTransactions: AbortedTxn[] | null = null;
  if (state !== null) {
    const range = batchRange(records);
    // From the log's per-segment transaction indexes: a fetch never scans the log.
    abortedTransactions = range.from < 0 ? [] : await log.abortedTransactions(range.from, range.to);
  }
  return {
    errorCode: ErrorCode.NONE,
    highWatermark: BigInt(result.highWatermark),
    lastStableOffset: BigInt(result.lastStableOffset),
    logStartOffset: BigInt(result.logStartOffset),
    records,
    abortedTransactions,
  };
}

/**
 * From this size on, a fetch whose every partition can be sized without reading is
 * answered before its bytes are read: the response is framed at once and each
 * partition's bytes go to the socket as its read completes, so the client reads the
 * first partitions while the later ones are read. Kafka sizes its responses from its
 * indexes in the same way. Below it, reading first costs less than the hand-over.
 */
const SIZED_MIN_BYTES = 512 * 1024;

/**
 * readPartitions' answer from sized reads (PartitionLog.readSized), with the same limits;
 * null, having read nothing, when a partition can only be answered by reading it or the
 * response would be small. A partition with no known batch boundary in what is left
 * fills the response, as a batch that does not fit does.
 */
async function readSizedPartitions(
  targets: readonly FetchTarget[],
  caughtUp: readonly (PartitionRead | null)[],
  opts: FetchReadOptions,
): Promise<{ reads: PartitionRead[]; bytes: number } | null> {
  const planned: (PartitionRead | { sized: SizedRead; log: PartitionLog })[] = [];
  let used = 0;
  let full = false;
  for (const [i, t] of targets.entries()) {
    const quick = caughtUp[i] ?? (full ? fromOffsets(t, opts, true) : null);
    if (quick !== null) {
      planned.push(quick);
      continue;
    }
    const log = t.log;
    if (full || log?.readSized === undefined || t.errorCode !== ErrorCode.NONE || t.fromFollower)
      return null;
    if (leaderEpochError(t.currentLeaderEpoch, opts.leaderEpoch) !== ErrorCode.NONE) return null;
    if (opts.readCommitted && opts.loadedProducerState(log) === undefined) return null;
    const limit = Math.min(t.partitionMaxBytes, opts.maxBytes - used);
    if (limit <= 0) return null;
    const upperBound = opts.readCommitted ? log.lastStableOffset : undefined;
    const sized = log.readSized(Number(t.fetchOffset), limit, upperBound);
    // The first partition with data gets one batch whatever its size: only a read knows it.
    if (sized === null || (sized.size === 0 && used === 0)) return null;
    if (sized.size === 0) full = true;
    used += sized.size;
    planned.push({ sized, log });
  }
  if (used < Math.max(SIZED_MIN_BYTES, opts.minBytes)) return null;
  // Every read starts in this turn, as readSized requires; only then is anything awaited.
  const started = planned.map((p) => ("sized" in p ? { ...p, ...p.sized.start() } : p));
  const reads: PartitionRead[] = [];
  for (const p of started) {
    if (!("sized" in p)) {
      reads.push(p);
      continue;
    }
    const { sized, log, records, filled } = p;
    const abortedTransactions = !opts.readCommitted
      ? null
      : records.length === 0
        ? []
        : await log.abortedTransactions(sized.firstOffset, sized.nextOffset);
    reads.push({
      errorCode: ErrorCode.NONE,
      highWatermark: BigInt(sized.highWatermark),
      lastStableOffset: BigInt(sized.lastStableOffset),
      logStartOffset: BigInt(sized.logStartOffset),
      records,
      abortedTransactions,
      ...(records.length > 0 ? { filled } : {}),
    });
  }
  return { reads, bytes: used };
}
