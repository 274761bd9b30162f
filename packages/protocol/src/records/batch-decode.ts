import { isCompressionCodecId } from "../compression/codec-id.js";
import { codecs, type DecompressOptions } from "../compression/codecs.js";
import { DecodeError } from "../primitives/errors.js";
import { Reader } from "../primitives/reader.js";
import { decodeBatchAttributes } from "./attributes.js";
import { RecordBatchHeader } from "./batch-header.js";
import { BATCH_HEADER_SIZE, CRC_START, MIN_BATCH_LENGTH } from "./batch-layout.js";
import { crc32c } from "./crc32c.js";
import { decodeRecord, MIN_RECORD_SIZE } from "./record-codec.js";
import type { BatchRecord, DecodedBatch } from "./types.js";

export interface DecodeBatchOptions extends DecompressOptions {
  /** Check the CRC-32C first (default true); a mismatch is a DecodeError. */
  verifyCrc?: boolean;
}

/**
 * Checks the header against the buffer and returns it; every failure is a DecodeError
 * so a decoder of untrusted bytes has one exception type to catch.
 */
export function checkedHeader(buf: Buffer, start: number, verifyCrc: boolean): RecordBatchHeader {
  const header = RecordBatchHeader.at(buf, start);
  const length = header.batchLength;
  if (length < MIN_BATCH_LENGTH) {
    throw new DecodeError(
      "invalid-value",
      `batchLength ${length} below ${MIN_BATCH_LENGTH}`,
      start + 8,
    );
  }
  if (header.end > buf.length) {
    throw new DecodeError(
      "length-exceeds-input",
      `batch of ${header.sizeInBytes} bytes, ${buf.length - start} left`,
      start + 8,
    );
  }
  if (verifyCrc) {
    const actual = crc32c(buf, start + CRC_START, header.end);
    if (actual !== header.crc) {
      throw new DecodeError(
        "invalid-value",
        `batch CRC 0x${header.crc.toString(16)} != computed 0x${actual.toString(16)}`,
        start + 17,
      );
    }
  }
  return header;
}

/** Parses `count` records that must fill `area` exactly. */
export function decodeRecordsArea(area: Buffer, count: number, position: number): BatchRecord[] {
  if (count < 0) throw new DecodeError("negative-length", `recordsCount ${count}`, position);
  if (count * MIN_RECORD_SIZE > area.length) {
    throw new DecodeError(
      "count-exceeds-input",
      `${count} records cannot fit in ${area.length} bytes`,
      position,
    );
  }
  const r = new Reader(area);
  const records: BatchRecord[] = [];
  for (let i = 0; i < count; i++) records.push(decodeRecord(r));
  if (r.remaining() !== 0) {
    throw new DecodeError("trailing-bytes", `${r.remaining()} bytes after ${count} records`, r.pos);
  }
  return records;
}

/**
 * Decodes the batch at `start` (header, decompression, records). Uncompressed record
 * keys and values are views into `buf`.
 */
export async function decodeBatch(
  buf: Buffer,
  start = 0,
  opts: DecodeBatchOptions = {},
): Promise<DecodedBatch> {
  const header = checkedHeader(buf, start, opts.verifyCrc ?? true);
  const attrs = decodeBatchAttributes(header.attributes);
  const codec = attrs.compression;
  if (!isCompressionCodecId(codec)) {
    throw new DecodeError("invalid-value", `compression codec ${codec}`, start + 21);
  }
  const count = header.recordsCount;
  if (count < 0) throw new DecodeError("negative-length", `recordsCount ${count}`, start + 57);
  const raw = buf.subarray(start + BATCH_HEADER_SIZE, header.end);
  const area = codec === 0 ? raw : await codecs[codec].decompress(raw, opts);
  const records = decodeRecordsArea(area, count, start + BATCH_HEADER_SIZE);
  return {
    baseOffset: header.baseOffset,
    batchLength: header.batchLength,
    partitionLeaderEpoch: header.partitionLeaderEpoch,
    magic: 2,
    crc: header.crc,
    attributes: header.attributes,
    ...attrs,
    compression: codec,
    lastOffsetDelta: header.lastOffsetDelta,
    baseTimestamp: header.baseTimestamp,
    maxTimestamp: header.maxTimestamp,
    producerId: header.producerId,
    producerEpoch: header.producerEpoch,
    baseSequence: header.baseSequence,
    recordsCount: count,
    records,
  };
}
