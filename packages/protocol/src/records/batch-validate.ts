import { RecordBatchHeader } from "./batch-header.js";
import {
  BATCH_HEADER_SIZE,
  BatchField,
  CRC_START,
  CURRENT_MAGIC,
  LOG_OVERHEAD,
  MIN_BATCH_LENGTH,
} from "./batch-layout.js";
import { crc32c } from "./crc32c.js";

export type BatchInvalidReason =
  | "truncated-header"
  | "bad-magic"
  | "bad-length"
  | "truncated"
  | "crc-mismatch"
  | "bad-compression"
  | "bad-records-count";

export type BatchValidation =
  | { ok: true; header: RecordBatchHeader }
  | { ok: false; reason: BatchInvalidReason; detail: string };

function invalid(reason: BatchInvalidReason, detail: string): BatchValidation {
  return { ok: false, reason, detail };
}

/**
 * Checks one batch at `start` without decoding its records: header present, magic 2,
 * batchLength within the buffer, codec id known, record count not negative, CRC-32C.
 * Client bytes are untrusted, so problems are returned, not thrown; a broker maps
 * crc-mismatch to CORRUPT_MESSAGE and the rest to CORRUPT_MESSAGE / INVALID_RECORD.
 */
export function validateBatch(buf: Buffer, start = 0): BatchValidation {
  if (start < 0 || buf.length - start < BATCH_HEADER_SIZE) {
    return invalid(
      "truncated-header",
      `need ${BATCH_HEADER_SIZE} bytes, have ${Math.max(0, buf.length - start)}`,
    );
  }
  const magic = buf.readInt8(start + BatchField.magic);
  if (magic !== CURRENT_MAGIC) return invalid("bad-magic", `magic ${magic}`);
  const header = RecordBatchHeader.at(buf, start);
  const length = header.batchLength;
  if (length < MIN_BATCH_LENGTH)
    return invalid("bad-length", `batchLength ${length} below ${MIN_BATCH_LENGTH}`);
  if (length > buf.length - start - LOG_OVERHEAD) {
    return invalid(
      "truncated",
      `batchLength ${length} but ${buf.length - start - LOG_OVERHEAD} bytes follow`,
    );
  }
  if (header.compression > 4) return invalid("bad-compression", `codec id ${header.compression}`);
  if (header.recordsCount < 0)
    return invalid("bad-records-count", `recordsCount ${header.recordsCount}`);
  const actual = crc32c(buf, start + CRC_START, header.end);
  if (actual !== header.crc) {
    return invalid(
      "crc-mismatch",
      `stored 0x${header.crc.toString(16)}, computed 0x${actual.toString(16)}`,
    );
  }
  return { ok: true, header };
}

/** Recomputes and stores the CRC after a change to attributes or later fields. */
export function rewriteBatchCrc(header: RecordBatchHeader): void {
  header.buf.writeUInt32BE(
    crc32c(header.buf, header.start + CRC_START, header.end),
    header.start + BatchField.crc,
  );
}

/**
 * LogAppendTime topics: set attribute bit 3 and maxTimestamp to the broker's time,
 * then re-checksum (both fields are inside the CRC).
 */
export function stampLogAppendTime(header: RecordBatchHeader, appendTimeMs: bigint): void {
  const at = header.start;
  header.buf.writeInt16BE(header.attributes | 0x08, at + BatchField.attributes);
  header.buf.writeBigInt64BE(appendTimeMs, at + BatchField.maxTimestamp);
  rewriteBatchCrc(header);
}

/**
 * CreateTime: make the header say what the records say (Kafka's setMaxTimestamp): the
 * recomputed max timestamp and the CreateTime type bit, re-checksummed only when
 * something changed. Returns whether the batch was rewritten.
 */
export function setCreateTimeMaxTimestamp(
  header: RecordBatchHeader,
  maxTimestamp: bigint,
): boolean {
  const at = header.start;
  const attributes = header.attributes;
  if (header.maxTimestamp === maxTimestamp && (attributes & 0x08) === 0) return false;
  header.buf.writeInt16BE(attributes & ~0x08, at + BatchField.attributes);
  header.buf.writeBigInt64BE(maxTimestamp, at + BatchField.maxTimestamp);
  rewriteBatchCrc(header);
  return true;
}
