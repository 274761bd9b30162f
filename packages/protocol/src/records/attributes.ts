import type { CompressionCodecId } from "../compression/codec-id.js";

/** Bit 3 of the batch attributes (and of magic 1 message attributes). */
export const TimestampType = { createTime: 0, logAppendTime: 1 } as const;
export type TimestampTypeId = (typeof TimestampType)[keyof typeof TimestampType];

/** RecordBatch (magic 2) attributes, decoded. Bits 7-15 are unused and written as 0. */
export interface BatchAttributes {
  /** Bits 0-2; 5-7 are invalid but reported as read so validation can name them. */
  compression: number;
  timestampType: TimestampTypeId;
  isTransactional: boolean;
  isControl: boolean;
  hasDeleteHorizon: boolean;
}

export interface BatchAttributesInput {
  compression?: CompressionCodecId;
  timestampType?: TimestampTypeId;
  isTransactional?: boolean;
  isControl?: boolean;
  hasDeleteHorizon?: boolean;
}

const COMPRESSION_MASK = 0x07;
const TIMESTAMP_TYPE_BIT = 0x08;
const TRANSACTIONAL_BIT = 0x10;
const CONTROL_BIT = 0x20;
const DELETE_HORIZON_BIT = 0x40;

export function decodeBatchAttributes(attributes: number): BatchAttributes {
  return {
    compression: attributes & COMPRESSION_MASK,
    timestampType: attributes & TIMESTAMP_TYPE_BIT ? 1 : 0,
    isTransactional: (attributes & TRANSACTIONAL_BIT) !== 0,
    isControl: (attributes & CONTROL_BIT) !== 0,
    hasDeleteHorizon: (attributes & DELETE_HORIZON_BIT) !== 0,
  };
}

export function encodeBatchAttributes(a: BatchAttributesInput): number {
  return (
    ((a.compression ?? 0) & COMPRESSION_MASK) |
    (a.timestampType === 1 ? TIMESTAMP_TYPE_BIT : 0) |
    (a.isTransactional ? TRANSACTIONAL_BIT : 0) |
    (a.isControl ? CONTROL_BIT : 0) |
    (a.hasDeleteHorizon ? DELETE_HORIZON_BIT : 0)
  );
}
