import type { CompressionCodecId } from "../compression/codec-id.js";
import type { BatchAttributes } from "./attributes.js";

/** A record header: the key is never null on the wire, the value may be. */
export interface RecordHeader {
  key: string;
  value: Buffer | null;
}

/**
 * One record inside a RecordBatch, with its deltas as on the wire so a decoded batch
 * re-encodes byte for byte. Buffers are views into the (decompressed) input.
 */
export interface BatchRecord {
  /** INT8, unused by Kafka (0); kept for exact round trips. */
  attributes: number;
  timestampDelta: bigint;
  offsetDelta: number;
  key: Buffer | null;
  /** null = tombstone. */
  value: Buffer | null;
  headers: RecordHeader[];
}

/** A decoded RecordBatch: header fields plus its records, with absolute helpers. */
export interface DecodedBatch extends Omit<BatchAttributes, "compression"> {
  /** Known codec: decoding refuses ids 5-7. */
  compression: CompressionCodecId;
  baseOffset: bigint;
  batchLength: number;
  partitionLeaderEpoch: number;
  magic: 2;
  crc: number;
  attributes: number;
  lastOffsetDelta: number;
  baseTimestamp: bigint;
  maxTimestamp: bigint;
  producerId: bigint;
  producerEpoch: number;
  baseSequence: number;
  recordsCount: number;
  records: BatchRecord[];
}
