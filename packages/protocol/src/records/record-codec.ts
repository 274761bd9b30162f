import { DecodeError } from "../primitives/errors.js";
import type { Reader } from "../primitives/reader.js";
import { varintSize, varlongSize } from "../primitives/sizes.js";
import type { Writer } from "../primitives/writer.js";
import type { BatchRecord, RecordHeader } from "./types.js";

/**
 * Smallest possible record: length, attributes, timestampDelta, offsetDelta,
 * keyLength, valueLength, headerCount, one byte each. Used to reject a record count
 * that cannot fit before looping over it.
 */
export const MIN_RECORD_SIZE = 7;
/** headerKeyLength + headerValueLength. */
const MIN_HEADER_SIZE = 2;

/** VARINT-prefixed bytes where -1 means null; the length is checked before slicing. */
function varintBytes(r: Reader, what: string, nullable: boolean): Buffer | null {
  const at = r.pos;
  const len = r.varint();
  if (len === -1 && nullable) return null;
  if (len < 0) throw new DecodeError("negative-length", `${what} length ${len}`, at);
  if (len > r.remaining()) {
    throw new DecodeError(
      "length-exceeds-input",
      `${what} length ${len} but ${r.remaining()} bytes left`,
      at,
    );
  }
  return r.raw(len);
}

/** Reads one record; `r` is positioned at its length varint. */
export function decodeRecord(r: Reader): BatchRecord {
  const at = r.pos;
  const length = r.varint();
  if (length < 0) throw new DecodeError("negative-length", `record length ${length}`, at);
  if (length > r.remaining()) {
    throw new DecodeError(
      "length-exceeds-input",
      `record length ${length} but ${r.remaining()} bytes left`,
      at,
    );
  }
  const body = r.sub(length);
  const attributes = body.int8();
  const timestampDelta = body.varlong();
  const offsetDelta = body.varint();
  const key = varintBytes(body, "key", true);
  const value = varintBytes(body, "value", true);
  const countAt = body.pos;
  const headerCount = body.varint();
  if (headerCount < 0)
    throw new DecodeError("negative-length", `header count ${headerCount}`, countAt);
  if (headerCount * MIN_HEADER_SIZE > body.remaining()) {
    throw new DecodeError(
      "count-exceeds-input",
      `${headerCount} headers cannot fit in ${body.remaining()} bytes`,
      countAt,
    );
  }
  const headers: RecordHeader[] = [];
  for (let i = 0; i < headerCount; i++) {
    const hk = varintBytes(body, "header key", false) as Buffer;
    headers.push({ key: hk.toString("utf8"), value: varintBytes(body, "header value", true) });
  }
  if (body.remaining() !== 0) {
    throw new DecodeError(
      "trailing-bytes",
      `record length ${length} leaves ${body.remaining()} bytes unread`,
      body.pos,
    );
  }
  return { attributes, timestampDelta, offsetDelta, key, value, headers };
}

function nullableSize(b: Uint8Array | null): number {
  return b === null ? 1 : varintSize(b.length) + b.length;
}

/** Bytes of a record after its length field. */
export function recordBodySize(rec: BatchRecord): number {
  let size = 1 + varlongSize(rec.timestampDelta) + varintSize(rec.offsetDelta);
  size += nullableSize(rec.key) + nullableSize(rec.value) + varintSize(rec.headers.length);
  for (const h of rec.headers) {
    const n = Buffer.byteLength(h.key, "utf8");
    size += varintSize(n) + n + nullableSize(h.value);
  }
  return size;
}

export function recordSize(rec: BatchRecord): number {
  const body = recordBodySize(rec);
  return varintSize(body) + body;
}

function writeNullable(w: Writer, b: Uint8Array | null): void {
  if (b === null) {
    w.varint(-1);
    return;
  }
  w.varint(b.length);
  w.raw(b);
}

/** Writes one record; the writer must have room for {@link recordSize} bytes. */
export function encodeRecord(w: Writer, rec: BatchRecord): void {
  w.varint(recordBodySize(rec));
  w.int8(rec.attributes);
  w.varlong(rec.timestampDelta);
  w.varint(rec.offsetDelta);
  writeNullable(w, rec.key);
  writeNullable(w, rec.value);
  w.varint(rec.headers.length);
  for (const h of rec.headers) {
    const key = Buffer.from(h.key, "utf8");
    w.varint(key.length);
    w.raw(key);
    writeNullable(w, h.value);
  }
}
