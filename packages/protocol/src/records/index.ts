export {
  type BatchAttributes,
  type BatchAttributesInput,
  decodeBatchAttributes,
  encodeBatchAttributes,
  TimestampType,
  type TimestampTypeId,
} from "./attributes.js";
export { type DecodeBatchOptions, decodeBatch, decodeRecordsArea } from "./batch-decode.js";
export { type BatchSpec, buildBatch, encodeBatch, type ProducerRecord } from "./batch-encode.js";
export { RecordBatchHeader } from "./batch-header.js";
export { BATCH_HEADER_SIZE, BatchField, LOG_OVERHEAD, MIN_BATCH_LENGTH } from "./batch-layout.js";
export {
  type BatchRecordsSummary,
  NO_TIMESTAMP,
  type RecordChecks,
  type RecordProblem,
  summarizeBatchRecords,
  summarizeRecordsArea,
} from "./batch-records-summary.js";
export {
  type BatchInvalidReason,
  type BatchValidation,
  rewriteBatchCrc,
  setCreateTimeMaxTimestamp,
  stampLogAppendTime,
  validateBatch,
} from "./batch-validate.js";
export {
  buildEndTxnMarkerBatch,
  type ControlRecordKey,
  ControlRecordType,
  decodeControlKey,
  decodeEndTxnMarker,
  type EndTxnMarker,
  type EndTxnMarkerBatchSpec,
  encodeControlKey,
  encodeEndTxnMarker,
} from "./control-records.js";
export { crc32 } from "./crc32.js";
export {
  crc32c,
  crc32cImplementation,
  crc32cNativeSource,
  crc32cNativeTried,
} from "./crc32c.js";
export { crc32cJs } from "./crc32c-js.js";
export {
  type LegacyMessage,
  type LegacyReadOptions,
  readLegacyMessageSet,
} from "./legacy-message-set.js";
export { type UpConvertOptions, upConvertLegacy } from "./legacy-upconvert.js";
export { decodeRecord, encodeRecord, recordSize } from "./record-codec.js";
export {
  decodeAllBatches,
  decodeRecordBatches,
  iterateRecords,
  type RecordsEntry,
} from "./records-scan.js";
export type { BatchRecord, DecodedBatch, RecordHeader } from "./types.js";
