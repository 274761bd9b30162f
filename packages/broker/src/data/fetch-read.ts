import { ErrorCode, RecordBatchHeader } from "@logbook/protocol";
import type { PartitionLog } from "@logbook/storage";
import { leaderEpochError } from "./leader-epoch.js";

/** One partition to read, with its log already looked up (or the error that prevented it). */
export interface FetchTarget {
  topic: string;
  topicId: Buffer;
  partition: number;
  fetchOffset: bigint;
  partitionMaxBytes: number;
  currentLeaderEpoch: number;
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
}

export interface FetchReadOptions {
  /** Response-wide soft limit (max_bytes, v3+). */
  maxBytes: number;
  /** isolation_level 1: nothing at or above the last stable offset. */
  readCommitted: boolean;
  version: number;
}

const EMPTY = Buffer.alloc(0);
const ZSTD = 4;
/** Fetch v10 introduced zstd (KIP-110). */
const FIRST_ZSTD_FETCH_VERSION = 10;

function failedRead(errorCode: number, log?: PartitionLog): PartitionRead {
  return {
    errorCode,
    highWatermark: log === undefined ? -1n : BigInt(log.highWatermark),
    lastStableOffset: log === undefined ? -1n : BigInt(log.lastStableOffset),
    logStartOffset: log === undefined ? -1n : BigInt(log.logStartOffset),
    records: EMPTY,
  };
}

function hasZstd(records: Buffer): boolean {
  for (let at = 0; at < records.length; ) {
    const h = RecordBatchHeader.at(records, at);
    if (h.compression === ZSTD) return true;
    at = h.end;
  }
  return false;
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
    const read = await readOne(t, opts, used);
    used += read.records.length;
    reads.push(read);
  }
  return { reads, bytes: used };
}

async function readOne(
  t: FetchTarget,
  opts: FetchReadOptions,
  used: number,
): Promise<PartitionRead> {
  const log = t.log;
  if (log === undefined || t.errorCode !== ErrorCode.NONE) return failedRead(t.errorCode);
  const epochError = leaderEpochError(t.currentLeaderEpoch);
  if (epochError !== ErrorCode.NONE) return failedRead(epochError, log);
  const minOne = used === 0;
  const limit = Math.min(t.partitionMaxBytes, opts.maxBytes - used);
  const offset = Number(t.fetchOffset);
  const upperBound = opts.readCommitted ? log.lastStableOffset : undefined;
  const result = await log.read(offset, Math.max(limit, 1), upperBound);
  if (result.kind === "offset-out-of-range") {
    return {
      errorCode: ErrorCode.OFFSET_OUT_OF_RANGE,
      highWatermark: BigInt(result.highWatermark),
      lastStableOffset: BigInt(log.lastStableOffset),
      logStartOffset: BigInt(result.logStartOffset),
      records: EMPTY,
    };
  }
  let records = result.records;
  // Only a single oversized batch can exceed the limit; later partitions must not take it.
  if (!minOne && records.length > limit) records = EMPTY;
  if (opts.version < FIRST_ZSTD_FETCH_VERSION && records.length > 0 && hasZstd(records)) {
    return failedRead(ErrorCode.UNSUPPORTED_COMPRESSION_TYPE, log);
  }
  return {
    errorCode: ErrorCode.NONE,
    highWatermark: BigInt(result.highWatermark),
    lastStableOffset: BigInt(result.lastStableOffset),
    logStartOffset: BigInt(result.logStartOffset),
    records,
  };
}
