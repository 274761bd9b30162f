/** Byte positions inside a RecordBatch (magic 2); wire-format-notes 3.1. */
export const BatchField = {
  baseOffset: 0,
  batchLength: 8,
  partitionLeaderEpoch: 12,
  magic: 16,
  crc: 17,
  attributes: 21,
  lastOffsetDelta: 23,
  baseTimestamp: 27,
  maxTimestamp: 35,
  producerId: 43,
  producerEpoch: 51,
  baseSequence: 53,
  recordsCount: 57,
} as const;

export const BATCH_HEADER_SIZE = 61;
/** baseOffset + batchLength: the part not counted by batchLength. */
export const LOG_OVERHEAD = 12;
/** Smallest legal batchLength: the header after the length field, with no records. */
export const MIN_BATCH_LENGTH = BATCH_HEADER_SIZE - LOG_OVERHEAD;
/** The CRC covers attributes through the end of the batch. */
export const CRC_START = BatchField.attributes;
export const CURRENT_MAGIC = 2;
