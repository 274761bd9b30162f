import {
  BATCH_HEADER_SIZE,
  BatchField,
  LOG_OVERHEAD,
  MIN_BATCH_LENGTH,
  RecordBatchHeader,
  stampLogAppendTime,
  validateBatch,
} from "@logbook/protocol";
import { AppendError } from "./partition-log.js";

/** One batch of an incoming records blob, before offsets are assigned. */
export interface IncomingBatch {
  /** Start of the batch inside the blob. */
  start: number;
  size: number;
  lastOffsetDelta: number;
  recordsCount: number;
}

/**
 * Splits a records blob into batches and checks each one's framing (and CRC-32C when
 * asked) without touching the log. Shared by every engine. Throws AppendError("corrupt-batch") on the first
 * problem, so a bad request changes nothing.
 */
export function parseIncoming(records: Buffer, verifyCrc: boolean): IncomingBatch[] {
  const out: IncomingBatch[] = [];
  let at = 0;
  if (records.length === 0) throw new AppendError("invalid-batch", "no record batches");
  while (at < records.length) {
    if (records.length - at < BATCH_HEADER_SIZE) {
      throw new AppendError("corrupt-batch", `${records.length - at} trailing bytes, not a batch`);
    }
    const length = records.readInt32BE(at + BatchField.batchLength);
    const magic = records.readInt8(at + BatchField.magic);
    if (magic !== 2) throw new AppendError("corrupt-batch", `batch magic ${magic}, expected 2`);
    if (length < MIN_BATCH_LENGTH || length > records.length - at - LOG_OVERHEAD) {
      throw new AppendError("corrupt-batch", `batch length ${length} does not fit the request`);
    }
    if (verifyCrc) {
      const v = validateBatch(records, at);
      if (!v.ok) throw new AppendError("corrupt-batch", `${v.reason}: ${v.detail}`);
    } else {
      // The caller checked the CRC; the structure is still ours to refuse.
      const codec = records.readInt16BE(at + BatchField.attributes) & 0x07;
      if (codec > 4) throw new AppendError("corrupt-batch", `compression codec ${codec}`);
      if (records.readInt32BE(at + BatchField.recordsCount) < 0) {
        throw new AppendError("corrupt-batch", "negative recordsCount");
      }
    }
    const lastOffsetDelta = records.readInt32BE(at + BatchField.lastOffsetDelta);
    if (lastOffsetDelta < 0)
      throw new AppendError("invalid-batch", `lastOffsetDelta ${lastOffsetDelta}`);
    out.push({
      start: at,
      size: length + LOG_OVERHEAD,
      lastOffsetDelta,
      recordsCount: records.readInt32BE(at + BatchField.recordsCount),
    });
    at += length + LOG_OVERHEAD;
  }
  return out;
}

/**
 * Stamps offsets (and the leader epoch, and LogAppendTime when configured) into the
 * batches in place; none of these but LogAppendTime is covered by the CRC.
 * Returns the offset after the last batch.
 */
export function assignOffsets(
  records: Buffer,
  batches: readonly IncomingBatch[],
  firstOffset: number,
  leaderEpoch: number,
  logAppendTime: number,
): number {
  let next = firstOffset;
  for (const b of batches) {
    const header = RecordBatchHeader.at(records, b.start);
    header.setBaseOffset(BigInt(next));
    header.setPartitionLeaderEpoch(leaderEpoch);
    if (logAppendTime >= 0) stampLogAppendTime(header, BigInt(logAppendTime));
    next += b.lastOffsetDelta + 1;
  }
  return next;
}
