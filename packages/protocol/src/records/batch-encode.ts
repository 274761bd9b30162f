import type { CompressionCodecId } from "../compression/codec-id.js";
import { codecs } from "../compression/codecs.js";
import { EncodeError } from "../primitives/errors.js";
import { Writer } from "../primitives/writer.js";
import { type BatchAttributesInput, encodeBatchAttributes } from "./attributes.js";
import {
  BATCH_HEADER_SIZE,
  BatchField,
  CRC_START,
  CURRENT_MAGIC,
  LOG_OVERHEAD,
} from "./batch-layout.js";
import { crc32c } from "./crc32c.js";
import { encodeRecord, recordSize } from "./record-codec.js";
import type { BatchRecord, RecordHeader } from "./types.js";

/** Every header field of a batch; omitted ones take the producer defaults. */
export interface BatchSpec extends BatchAttributesInput {
  baseOffset?: bigint;
  partitionLeaderEpoch?: number;
  /** Default: the largest offsetDelta, or 0 for an empty batch. */
  lastOffsetDelta?: number;
  /** Default: -1 for an empty batch; otherwise required to make the deltas meaningful, so 0. */
  baseTimestamp?: bigint;
  /** Default: baseTimestamp + the largest timestampDelta, or -1 when empty. */
  maxTimestamp?: bigint;
  producerId?: bigint;
  producerEpoch?: number;
  baseSequence?: number;
  /** Attribute bits 7-15, for reproducing odd input exactly; normally 0. */
  extraAttributeBits?: number;
  records: readonly BatchRecord[];
}

function maxOf<T>(items: readonly T[], get: (t: T) => bigint): bigint {
  let m = get(items[0] as T);
  for (const t of items) if (get(t) > m) m = get(t);
  return m;
}

function recordsArea(records: readonly BatchRecord[]): Buffer {
  let size = 0;
  for (const r of records) size += recordSize(r);
  const w = Writer.alloc(size);
  for (const r of records) encodeRecord(w, r);
  return w.result();
}

/** Writes a complete RecordBatch (magic 2) with a valid CRC. Async because codecs may be. */
export async function encodeBatch(spec: BatchSpec): Promise<Buffer> {
  const records = spec.records;
  const compression: CompressionCodecId = spec.compression ?? 0;
  const plain = recordsArea(records);
  const body = compression === 0 ? plain : await codecs[compression].compress(plain);
  const empty = records.length === 0;
  const baseTimestamp = spec.baseTimestamp ?? (empty ? -1n : 0n);
  const maxTimestamp =
    spec.maxTimestamp ?? (empty ? -1n : baseTimestamp + maxOf(records, (r) => r.timestampDelta));
  const lastOffsetDelta =
    spec.lastOffsetDelta ?? (empty ? 0 : Number(maxOf(records, (r) => BigInt(r.offsetDelta))));

  const total = BATCH_HEADER_SIZE + body.length;
  if (total - LOG_OVERHEAD > 0x7fffffff)
    throw new EncodeError(`batch of ${total} bytes is too large`);
  const w = Writer.alloc(total);
  w.int64(spec.baseOffset ?? 0n);
  w.int32(total - LOG_OVERHEAD);
  w.int32(spec.partitionLeaderEpoch ?? -1);
  w.int8(CURRENT_MAGIC);
  w.uint32(0); // CRC, filled in below
  w.int16(encodeBatchAttributes(spec) | ((spec.extraAttributeBits ?? 0) & 0xff80));
  w.int32(lastOffsetDelta);
  w.int64(baseTimestamp);
  w.int64(maxTimestamp);
  w.int64(spec.producerId ?? -1n);
  w.int16(spec.producerEpoch ?? -1);
  w.int32(spec.baseSequence ?? -1);
  w.int32(records.length);
  w.raw(body);
  const buf = w.result();
  buf.writeUInt32BE(crc32c(buf, CRC_START), BatchField.crc);
  return buf;
}

/** A record as a producer describes it: absolute timestamp, no deltas. */
export interface ProducerRecord {
  timestamp: bigint;
  key: Buffer | null;
  value: Buffer | null;
  headers?: RecordHeader[];
}

/**
 * Builds a batch from producer records the way the Java producer does: consecutive
 * offset deltas, baseTimestamp = first record's timestamp, maxTimestamp = largest.
 */
export function buildBatch(
  records: readonly ProducerRecord[],
  header: Omit<BatchSpec, "records" | "baseTimestamp" | "maxTimestamp" | "lastOffsetDelta"> = {},
): Promise<Buffer> {
  const base = records[0]?.timestamp ?? -1n;
  return encodeBatch({
    ...header,
    baseTimestamp: base,
    records: records.map((r, i) => ({
      attributes: 0,
      timestampDelta: r.timestamp - base,
      offsetDelta: i,
      key: r.key,
      value: r.value,
      headers: r.headers ?? [],
    })),
  });
}
