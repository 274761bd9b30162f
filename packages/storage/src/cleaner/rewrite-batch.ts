import {
  BatchField,
  type BatchRecord,
  type DecodedBatch,
  encodeBatch,
  RecordBatchHeader,
  rewriteBatchCrc,
} from "@logbook/protocol";

/**
 * The batch again with only `survivors`: same baseOffset, lastOffsetDelta (so the
 * offset span and producer sequence range stay), timestamps, producer fields,
 * attributes and codec; each record keeps its offsetDelta and timestampDelta. The
 * original maxTimestamp is kept too, so time-based retention and the tombstone horizon
 * judge the batch the same way after cleaning as before.
 */
export async function rewriteWithSurvivors(
  batch: DecodedBatch,
  survivors: readonly BatchRecord[],
): Promise<Buffer> {
  const out = await encodeBatch({
    baseOffset: batch.baseOffset,
    partitionLeaderEpoch: batch.partitionLeaderEpoch,
    compression: batch.compression,
    timestampType: batch.timestampType,
    isTransactional: batch.isTransactional,
    isControl: batch.isControl,
    hasDeleteHorizon: batch.hasDeleteHorizon,
    lastOffsetDelta: batch.lastOffsetDelta,
    baseTimestamp: batch.baseTimestamp,
    maxTimestamp: batch.maxTimestamp,
    producerId: batch.producerId,
    producerEpoch: batch.producerEpoch,
    baseSequence: batch.baseSequence,
    records: survivors,
  });
  keepUnusedAttributeBits(out, batch.attributes);
  return out;
}

/**
 * A header-only batch (recordsCount 0) standing in for a batch whose records all went,
 * so the producer's last sequence and epoch survive a restart. Written as Kafka writes
 * it (DefaultRecordBatch.writeEmptyHeader): no codec, baseTimestamp -1, everything else
 * as in the original header.
 */
export function emptyBatchLike(header: RecordBatchHeader): Promise<Buffer> {
  return encodeBatch({
    baseOffset: header.baseOffset,
    partitionLeaderEpoch: header.partitionLeaderEpoch,
    compression: 0,
    timestampType: header.timestampType,
    isTransactional: header.isTransactional,
    isControl: header.isControl,
    lastOffsetDelta: header.lastOffsetDelta,
    baseTimestamp: -1n,
    maxTimestamp: header.maxTimestamp,
    producerId: header.producerId,
    producerEpoch: header.producerEpoch,
    baseSequence: header.baseSequence,
    records: [],
  });
}

/** Attribute bits 7-15 are unused, but the cleaner copies bytes it does not understand as read. */
function keepUnusedAttributeBits(out: Buffer, original: number): void {
  const header = RecordBatchHeader.at(out);
  if (header.attributes === original) return;
  out.writeInt16BE(original, BatchField.attributes);
  rewriteBatchCrc(header);
}
