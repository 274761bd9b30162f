import { ErrorCode, RecordBatchHeader } from "@logbook/protocol";
import { type AbortedTxn, type PartitionLog, StorageUnavailableError } from "@logbook/storage";
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
}

export interface FetchReadOptions {
  /** Response-wide soft limit (max_bytes, v3+). */
  maxBytes: number;
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
 * Reads every target in order, whole stored batches only. `maxBytes` and each
 * partition_max_bytes are soft limits (KIP-74): the first partition that has data
 * gets at least one batch even when it is larger; later partitions get only what
 * fits. Returns one read per target plus the total bytes.
 */
export async function readPartitions(
  targets: readonly FetchTarget[],
  opts: FetchReadOptions,
): Promise<{ reads: PartitionRead[]; bytes: number }> {
  const reads: PartitionRead[] = [];
  let used = 0;
  for (const t of targets) {
    const read = caughtUp(t, opts) ?? (await readOne(t, opts, used));
    used += read.records.length;
    reads.push(read);
  }
  return { reads, bytes: used };
}

/**
 * The answer for a partition with nothing new to read (fetch offset at the high
 * watermark), without an asynchronous read: a long poll over many partitions re-reads
 * all of them each time one is appended to, and most have nothing. The same answer
 * the log's read gives; null when a read (or its errors) must decide.
 */
function caughtUp(t: FetchTarget, opts: FetchReadOptions): PartitionRead | null {
  const log = t.log;
  if (log === undefined || t.errorCode !== ErrorCode.NONE || t.fromFollower) return null;
  if (leaderEpochError(t.currentLeaderEpoch, opts.leaderEpoch) !== ErrorCode.NONE) return null;
  // read_committed: the LSO is only right once the producer state's hook is installed.
  if (opts.readCommitted && opts.loadedProducerState(log) === undefined) return null;
  const highWatermark = log.highWatermark;
  const logStartOffset = log.logStartOffset;
  if (Number(t.fetchOffset) !== highWatermark || highWatermark < logStartOffset) return null;
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
  used: number,
): Promise<PartitionRead> {
  try {
    return await readStored(t, opts, used);
  } catch (e) {
    if (e instanceof StorageUnavailableError)
      return failedRead(ErrorCode.KAFKA_STORAGE_ERROR, "read");
    throw e;
  }
}

async function readStored(
  t: FetchTarget,
  opts: FetchReadOptions,
  used: number,
): Promise<PartitionRead> {
  const log = t.log;
  if (log === undefined || t.errorCode !== ErrorCode.NONE)
    return failedRead(t.errorCode, "before-read");
  const epochError = leaderEpochError(t.currentLeaderEpoch, opts.leaderEpoch);
  if (epochError !== ErrorCode.NONE) return failedRead(epochError, "read");
  if (t.fromFollower) return failedRead(unknownFollowerError(t.currentLeaderEpoch), "read");
  const minOne = used === 0;
  const limit = Math.min(t.partitionMaxBytes, opts.maxBytes - used);
  const offset = Number(t.fetchOffset);
  const state = opts.readCommitted ? await opts.producerState(log) : null;
  // The LSO is an exclusive bound: the first offset of the oldest open transaction is
  // itself not returned.
  const upperBound = state !== null ? log.lastStableOffset : undefined;
  const result = await log.read(offset, Math.max(limit, 1), upperBound);
  if (result.kind === "offset-out-of-range")
    return failedRead(ErrorCode.OFFSET_OUT_OF_RANGE, "read");
  let records = result.records;
  // Only a single oversized batch can exceed the limit; later partitions must not take it.
  if (!minOne && records.length > limit) records = EMPTY;
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
