import { isCompressionCodecId } from "../compression/codec-id.js";
import { codecs, type DecompressOptions } from "../compression/codecs.js";
import { DecodeError } from "../primitives/errors.js";
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

/** A bare cursor for the walk below: small methods V8 inlines, no bigint, no Reader. */
class Cursor {
  pos = 0;
  constructor(
    readonly buf: Buffer,
    readonly end: number,
  ) {}

  /** Unsigned LEB128 of at most 5 bytes (32 bits). */
  uvarint(): number {
    const buf = this.buf;
    const at = this.pos;
    let pos = at;
    let result = 0;
    for (let shift = 0; ; shift += 7) {
      if (pos >= this.end) throw new DecodeError("truncated", "varint runs past the end", at);
      const b = buf[pos++] as number;
      if (shift === 28) {
        if (b > 0x0f) throw new DecodeError("bad-varint", "varint exceeds 32 bits", at);
        this.pos = pos;
        return (result | (b << 28)) >>> 0;
      }
      result |= (b & 0x7f) << shift;
      if (b < 0x80) {
        this.pos = pos;
        return result >>> 0;
      }
    }
  }

  varint(): number {
    const z = this.uvarint();
    return (z >>> 1) ^ -(z & 1);
  }

  /** Zig-zag varlong as a number (exact to 2^53). */
  varlong(): number {
    const buf = this.buf;
    const at = this.pos;
    let pos = at;
    let z = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (pos >= this.end) throw new DecodeError("truncated", "varlong runs past the end", at);
      const b = buf[pos++] as number;
      if (i === 9 && b > 0x01) throw new DecodeError("bad-varint", "varlong exceeds 64 bits", at);
      z += (b & 0x7f) * scale;
      if (b < 0x80) {
        this.pos = pos;
        return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
      }
      scale *= 128;
    }
    throw new DecodeError("bad-varint", "varlong longer than 10 bytes", at);
  }

  /** Skips a length-prefixed field inside a record ending at `limit`; returns its length. */
  skipBytes(what: string, nullable: boolean, limit: number): number {
    const at = this.pos;
    const len = this.varint();
    if (len < (nullable ? -1 : 0)) {
      throw new DecodeError("negative-length", `${what} length ${len}`, at);
    }
    if (len > 0) {
      if (len > limit - this.pos) {
        throw new DecodeError("length-exceeds-input", `${what} length ${len}`, at);
      }
      this.pos += len;
    }
    return len;
  }
}

/**
 * The walk of summarizeBatchRecords over an uncompressed records area. It runs for
 * every produced record, so it must cost little next to the CRC the broker computes
 * anyway: see packages/protocol/bench/validation-bench.ts.
 */
export function summarizeRecordsArea(
  area: Buffer,
  baseTimestamp: number,
  checks: RecordChecks = {},
): BatchRecordsSummary {
  const bounds = checks.timestampBounds ?? null;
  const requireKeys = checks.requireKeys === true;
  const claimsLogAppendTime = checks.claimsLogAppendTime === true;
  const s: BatchRecordsSummary = {
    count: 0,
    maxTimestamp: NO_TIMESTAMP,
    sequentialOffsetDeltas: true,
    problems: [],
  };
  const end = area.length;
  const c = new Cursor(area, end);
  while (c.pos < end) {
    if (end - c.pos < MIN_RECORD_SIZE) {
      throw new DecodeError("trailing-bytes", `${end - c.pos} bytes after the records`, c.pos);
    }
    const at = c.pos;
    const length = c.varint();
    if (length < 0 || length > end - c.pos) {
      throw new DecodeError("length-exceeds-input", `record length ${length}`, at);
    }
    const recordEnd = c.pos + length;
    c.pos++; // attributes: unused in v2
    const timestamp = baseTimestamp + c.varlong();
    const offsetDelta = c.varint();
    const keyLength = c.skipBytes("key", true, recordEnd);
    c.skipBytes("value", true, recordEnd);
    const headers = c.varint();
    if (headers < 0) throw new DecodeError("negative-length", `header count ${headers}`, c.pos);
    for (let h = 0; h < headers && c.pos <= recordEnd; h++) {
      c.skipBytes("header key", false, recordEnd);
      c.skipBytes("header value", true, recordEnd);
    }
    if (c.pos !== recordEnd) {
      throw new DecodeError(
        "invalid-value",
        `record length ${length} does not match its fields`,
        at,
      );
    }
    const index = s.count++;
    if (offsetDelta !== index) s.sequentialOffsetDeltas = false;
    if (timestamp > s.maxTimestamp) s.maxTimestamp = timestamp;
    if (requireKeys && keyLength === -1) {
      s.problems.push({ index, kind: "no-key" });
    } else if (bounds !== null && timestamp !== NO_TIMESTAMP) {
      if (timestamp < bounds.min || timestamp > bounds.max) {
        s.problems.push({ index, kind: "timestamp-out-of-range", timestamp });
      }
    } else if (claimsLogAppendTime) {
      s.problems.push({ index, kind: "log-append-time-claimed" });
    }
  }
  return s;
}
