/**
 * Whether a Produce request carries transactional batches, judged as Kafka does before
 * authorising it: by the first batch of each partition's records (v3+ allows only one).
 */
import { BatchField, decodeBatchAttributes, type ProduceRequest } from "@logbook/protocol";

/** Older message formats (magic 0 and 1) have no transactional flag. */
const RECORD_BATCH_MAGIC = 2;

function firstBatchTransactional(records: Buffer | null): boolean {
  if (records === null || records.length < BatchField.attributes + 2) return false;
  if (records.readInt8(BatchField.magic) !== RECORD_BATCH_MAGIC) return false;
  return decodeBatchAttributes(records.readInt16BE(BatchField.attributes)).isTransactional;
}

export function hasTransactionalBatches(req: ProduceRequest): boolean {
  return req.topicData.some((t) => t.partitionData.some((p) => firstBatchTransactional(p.records)));
}
