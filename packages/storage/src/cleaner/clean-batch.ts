import {
  type BatchRecord,
  ControlRecordType,
  type DecodeBatchOptions,
  type DecodedBatch,
  decodeBatch,
  decodeControlKey,
  RecordBatchHeader,
} from "@logbook/protocol";
import type { AbortedTransactions } from "./aborted-transactions.js";
import type { CleanStats } from "./clean-stats.js";
import type { OffsetMap } from "./offset-map.js";
import { emptyBatchLike, rewriteWithSurvivors } from "./rewrite-batch.js";
import type { TransactionTracker } from "./transaction-tracker.js";

export interface CleanBatchOptions {
  /**
   * Tombstones and transaction markers in batches whose maxTimestamp is below this go
   * (typically now - delete.retention.ms). -Infinity keeps all, +Infinity drops all
   * expired ones, for a caller that decides per segment as Kafka did before KIP-534.
   */
  deleteHorizonMs: number;
  /** Transactional data inside these is dropped. Same instance as the map build's. */
  aborted?: AbortedTransactions;
  /**
   * When given, a marker also waits until no data of its transaction is left in the
   * output. One tracker per pass, fed every batch from the log start.
   */
  transactions?: TransactionTracker;
  /**
   * Asked when no record of a batch survives: true keeps an empty batch in its place
   * (for an idempotent or transactional producer's last batch, so its state survives).
   */
  retainEmptyBatch?: (header: RecordBatchHeader) => boolean;
  stats?: CleanStats;
  decode?: DecodeBatchOptions;
}

/**
 * Cleans one stored batch (exactly one batch's bytes) against the offset map. Returns
 * the input Buffer itself when every record survives, a re-encoded batch when some
 * do, an empty batch when none do and the caller retains it, else null (dropped).
 * Offsets never change. A corrupt batch is a DecodeError: cleaning must not re-checksum
 * damaged data into a valid-looking batch.
 */
export async function cleanBatch(
  batch: Buffer,
  map: OffsetMap,
  options: CleanBatchOptions,
): Promise<Buffer | null> {
  const header = RecordBatchHeader.at(batch);
  if (header.sizeInBytes !== batch.length) {
    throw new RangeError(`expected one batch of ${header.sizeInBytes} bytes, got ${batch.length}`);
  }
  const out = await decide(batch, header, map, options);
  const stats = options.stats;
  if (stats !== undefined) {
    stats.batchesRead++;
    stats.recordsRead += header.recordsCount;
    stats.bytesRead += batch.length;
    if (out !== null) {
      stats.batchesWritten++;
      stats.recordsWritten += RecordBatchHeader.at(out).recordsCount;
      stats.bytesWritten += out.length;
      if (out !== batch) stats.batchesRewritten++;
    }
  }
  return out;
}

async function decide(
  batch: Buffer,
  header: RecordBatchHeader,
  map: OffsetMap,
  options: CleanBatchOptions,
): Promise<Buffer | null> {
  const producerId = header.producerId;
  // The map says nothing about offsets it has not reached: keep such batches untouched.
  if (Number(header.baseOffset) >= map.endOffset) {
    if (header.isControl) options.transactions?.transactionEnded(producerId);
    else if (header.isTransactional && header.recordsCount > 0) {
      options.transactions?.dataRetained(producerId);
    }
    return batch;
  }
  const decoded = await decodeBatch(batch, 0, options.decode);
  if (decoded.records.length === 0) {
    if (header.isControl) options.transactions?.transactionEnded(producerId);
    return emptyOrNothing(batch, header, options);
  }
  if (header.isControl) return cleanControlBatch(batch, header, decoded, options);

  const survivors = isAborted(header, options) ? [] : survivingRecords(decoded, map, options);
  if (survivors.length === 0) return emptyOrNothing(batch, header, options);
  if (header.isTransactional) options.transactions?.dataRetained(producerId);
  if (survivors.length === decoded.records.length) return batch;
  return rewriteWithSurvivors(decoded, survivors);
}

function isAborted(header: RecordBatchHeader, options: CleanBatchOptions): boolean {
  return (
    header.isTransactional &&
    options.aborted?.contains(header.producerId, Number(header.baseOffset)) === true
  );
}

/** Kafka's rule: the latest record of each key, minus tombstones past the horizon. */
function survivingRecords(
  batch: DecodedBatch,
  map: OffsetMap,
  options: CleanBatchOptions,
): BatchRecord[] {
  const baseOffset = Number(batch.baseOffset);
  const tombstonesExpired = isPastHorizon(batch.maxTimestamp, options);
  return batch.records.filter((record) => {
    const offset = baseOffset + record.offsetDelta;
    if (offset >= map.endOffset) return true;
    // Keyless records are refused at produce time on compacted topics; one found here
    // is kept rather than silently lost.
    if (record.key === null) return true;
    const latest = map.get(record.key);
    if (latest !== undefined && offset < latest) return false;
    return !(record.value === null && tombstonesExpired);
  });
}

/**
 * Transaction markers go once past the horizon and, when tracked, once no data of their
 * transaction is left. Other control records (KRaft) are always kept.
 */
async function cleanControlBatch(
  batch: Buffer,
  header: RecordBatchHeader,
  decoded: DecodedBatch,
  options: CleanBatchOptions,
): Promise<Buffer | null> {
  if (!header.isTransactional || !decoded.records.every(isTransactionMarker)) return batch;
  const tracker = options.transactions;
  const dataLeft = tracker?.hasRetainedData(header.producerId) ?? false;
  tracker?.transactionEnded(header.producerId);
  if (dataLeft || !isPastHorizon(header.maxTimestamp, options)) return batch;
  return emptyOrNothing(batch, header, options);
}

function isTransactionMarker(record: BatchRecord): boolean {
  try {
    const type = decodeControlKey(record.key).type;
    return type === ControlRecordType.abort || type === ControlRecordType.commit;
  } catch {
    return false; // unreadable control key: not ours to remove
  }
}

function isPastHorizon(maxTimestamp: bigint, options: CleanBatchOptions): boolean {
  return Number(maxTimestamp) < options.deleteHorizonMs;
}

async function emptyOrNothing(
  batch: Buffer,
  header: RecordBatchHeader,
  options: CleanBatchOptions,
): Promise<Buffer | null> {
  if (options.retainEmptyBatch?.(header) !== true) return null;
  return header.recordsCount === 0 ? batch : emptyBatchLike(header);
}
