import { isCompressionCodecId } from "../compression/codec-id.js";
import { codecs, type DecompressOptions } from "../compression/codecs.js";
import { DecodeError } from "../primitives/errors.js";
import { Reader } from "../primitives/reader.js";
import type { RecordBatchHeader } from "./batch-header.js";
import { BATCH_HEADER_SIZE } from "./batch-layout.js";
import { MIN_RECORD_SIZE } from "./record-codec.js";

/** No timestamp (Kafka's RecordBatch.NO_TIMESTAMP). */
export const NO_TIMESTAMP = -1;

/** Why a broker refuses one record (at most one per record, key checked first, as Kafka does). */
export type RecordProblem =
  | { index: number; kind: "no-key" }
  | { index: number; kind: "timestamp-out-of-range"; timestamp: number }
  | { index: number; kind: "log-append-time-claimed" };

/** What a broker must know of a batch's records before it appends the batch. */
export interface BatchRecordsSummary {
  /** Records actually present (the header's count is only a claim). */
  count: number;
  /** Largest record timestamp (baseTimestamp + delta), NO_TIMESTAMP when none has one. */
  maxTimestamp: number;
  /** offsetDelta of the first record with maxTimestamp, -1 when there is none. */
  offsetDeltaOfMaxTimestamp: number;
  /** Whether record i has offsetDelta i for every i. */
  sequentialOffsetDeltas: boolean;
  /** The records the checks refused, in order; empty when all pass. */
  problems: RecordProblem[];
}

/** What to check of each record besides its framing. */
export interface RecordChecks {
  /** Refuse records without a key (compacted topics). */
  requireKeys?: boolean;
  /**
   * CreateTime topics: refuse timestamps outside [min, max] (records without one are
   * not checked). Null for LogAppendTime topics.
   */
  timestampBounds?: { min: number; max: number } | null;
  /**
   * The batch's attributes claim LogAppendTime, which only a broker may set: refuse
   * each record that the bounds did not check (all of them on LogAppendTime topics).
   */
  claimsLogAppendTime?: boolean;
}

/**
 * Walks every record of the v2 batch whose header is `header` (decompressing it first)
 * and summarises what a broker recomputes instead of trusting the client: the real
 * record count, the max timestamp and where it is, whether offset deltas run 0..n-1,
 * and the records `checks` refuse. Each record's framing is checked as a decode would
 * (lengths inside the record, no bytes left over), but nothing is allocated per valid
 * record. Throws DecodeError on malformed records or a failed decompression; `opts`
 * carries the decompression-bomb limit.
 */
export async function summarizeBatchRecords(
  header: RecordBatchHeader,
  checks: RecordChecks = {},
  opts: DecompressOptions = {},
): Promise<BatchRecordsSummary> {
  const codec = header.compression;
  if (!isCompressionCodecId(codec)) {
    throw new DecodeError("invalid-value", `compression codec ${codec}`, header.start + 21);
  }
  const raw = header.buf.subarray(header.start + BATCH_HEADER_SIZE, header.end);
  const area = codec === 0 ? raw : await codecs[codec].decompress(raw, opts);
  return summarizeRecordsArea(area, Number(header.baseTimestamp), checks);
}

/** The walk of summarizeBatchRecords over an uncompressed records area. */
export function summarizeRecordsArea(
  area: Buffer,
  baseTimestamp: number,
  checks: RecordChecks = {},
): BatchRecordsSummary {
  const r = new Reader(area);
  const bounds = checks.timestampBounds ?? null;
  const s: BatchRecordsSummary = {
    count: 0,
    maxTimestamp: NO_TIMESTAMP,
    offsetDeltaOfMaxTimestamp: -1,
    sequentialOffsetDeltas: true,
    problems: [],
  };
  while (r.remaining() > 0) {
    if (r.remaining() < MIN_RECORD_SIZE) {
      throw new DecodeError("trailing-bytes", `${r.remaining()} bytes after the records`, r.pos);
    }
    const at = r.pos;
    const length = r.varint();
    if (length < 0 || length > r.remaining()) {
      throw new DecodeError("length-exceeds-input", `record length ${length}`, at);
    }
    const end = r.pos + length;
    r.int8(); // attributes: unused in v2
    const timestamp = baseTimestamp + r.varlongNumber();
    const offsetDelta = r.varint();
    const keyLength = r.varint();
    if (keyLength < -1) throw new DecodeError("negative-length", `key length ${keyLength}`, r.pos);
    if (keyLength > 0) r.skip(keyLength);
    const valueLength = r.varint();
    if (valueLength < -1) {
      throw new DecodeError("negative-length", `value length ${valueLength}`, r.pos);
    }
    if (valueLength > 0) r.skip(valueLength);
    const headers = r.varint();
    if (headers < 0) throw new DecodeError("negative-length", `header count ${headers}`, r.pos);
    for (let h = 0; h < headers && r.pos <= end; h++) {
      const keyLen = r.varint();
      if (keyLen < 0) {
        throw new DecodeError("negative-length", `header key length ${keyLen}`, r.pos);
      }
      r.skip(keyLen);
      const valueLen = r.varint();
      if (valueLen < -1) {
        throw new DecodeError("negative-length", `header value length ${valueLen}`, r.pos);
      }
      if (valueLen > 0) r.skip(valueLen);
    }
    if (r.pos !== end) {
      throw new DecodeError(
        "invalid-value",
        `record length ${length} does not match its fields`,
        at,
      );
    }
    const index = s.count++;
    if (offsetDelta !== index) s.sequentialOffsetDeltas = false;
    if (timestamp > s.maxTimestamp) {
      s.maxTimestamp = timestamp;
      s.offsetDeltaOfMaxTimestamp = offsetDelta;
    }
    if (checks.requireKeys === true && keyLength === -1) {
      s.problems.push({ index, kind: "no-key" });
    } else if (bounds !== null && timestamp !== NO_TIMESTAMP) {
      if (timestamp < bounds.min || timestamp > bounds.max) {
        s.problems.push({ index, kind: "timestamp-out-of-range", timestamp });
      }
    } else if (checks.claimsLogAppendTime === true) {
      s.problems.push({ index, kind: "log-append-time-claimed" });
    }
  }
  return s;
}
