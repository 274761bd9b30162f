import { isCompressionCodecId } from "../compression/codec-id.js";
import { codecs, type DecompressOptions } from "../compression/codecs.js";
import { DecodeError } from "../primitives/errors.js";
import { Reader } from "../primitives/reader.js";
import type { TimestampTypeId } from "./attributes.js";
import { crc32 } from "./crc32.js";
import {
  LEGACY_COMPRESSION_MASK,
  LEGACY_CRC_START,
  LEGACY_LOG_OVERHEAD,
  LEGACY_MIN_MESSAGE_SIZE,
  LEGACY_TIMESTAMP_TYPE_BIT,
} from "./legacy-layout.js";

/** A legacy (magic 0/1) message with its absolute offset resolved. */
export interface LegacyMessage {
  offset: bigint;
  magic: 0 | 1;
  /** The message's own attributes byte (for inner messages: the inner one). */
  attributes: number;
  /** Codec of the wrapper this message came out of; 0 when it was not wrapped. */
  compression: number;
  timestampType: TimestampTypeId;
  /** -1 for magic 0, which has no timestamp. */
  timestamp: bigint;
  key: Buffer | null;
  value: Buffer | null;
  crc: number;
}

export interface LegacyReadOptions extends DecompressOptions {
  /** Check each message's CRC-32 (default true); a mismatch is a DecodeError. */
  verifyCrc?: boolean;
}

interface RawMessage {
  offset: bigint;
  magic: 0 | 1;
  attributes: number;
  timestamp: bigint;
  key: Buffer | null;
  value: Buffer | null;
  crc: number;
  position: number;
}

/** Parses one message whose bytes are exactly buf[start, end). */
function parseMessage(
  buf: Buffer,
  offset: bigint,
  start: number,
  end: number,
  verifyCrc: boolean,
): RawMessage {
  const r = new Reader(buf, start, end);
  const crc = r.uint32();
  const magic = r.int8();
  if (magic !== 0 && magic !== 1)
    throw new DecodeError("invalid-value", `legacy magic ${magic}`, start + 4);
  if (verifyCrc) {
    const actual = crc32(buf, start + LEGACY_CRC_START, end);
    if (actual !== crc) {
      throw new DecodeError(
        "invalid-value",
        `message CRC 0x${crc.toString(16)} != computed 0x${actual.toString(16)}`,
        start,
      );
    }
  }
  const attributes = r.int8();
  const timestamp = magic === 1 ? r.int64() : -1n;
  const key = r.nullableBytes(false);
  const value = r.nullableBytes(false);
  if (r.remaining() !== 0) {
    throw new DecodeError(
      "trailing-bytes",
      `${r.remaining()} bytes after the message value`,
      r.pos,
    );
  }
  return { offset, magic, attributes, timestamp, key, value, crc, position: start };
}

/**
 * Splits a legacy message set into raw messages. At the top level a partial last
 * entry is dropped (fetch responses are cut); inside a wrapper (`strict`) it is corrupt.
 */
function splitMessageSet(buf: Buffer, strict: boolean, verifyCrc: boolean): RawMessage[] {
  const out: RawMessage[] = [];
  let at = 0;
  while (at < buf.length) {
    if (buf.length - at < LEGACY_LOG_OVERHEAD + 5) {
      if (strict) throw new DecodeError("truncated", "partial message in a compressed set", at);
      break;
    }
    const offset = buf.readBigInt64BE(at);
    const size = buf.readInt32BE(at + 8);
    const magic = buf.readInt8(at + LEGACY_LOG_OVERHEAD + 4);
    if (magic !== 0 && magic !== 1)
      throw new DecodeError("invalid-value", `legacy magic ${magic}`, at + 16);
    if (size < LEGACY_MIN_MESSAGE_SIZE[magic]) {
      throw new DecodeError(
        "invalid-value",
        `message size ${size} below ${LEGACY_MIN_MESSAGE_SIZE[magic]}`,
        at + 8,
      );
    }
    const end = at + LEGACY_LOG_OVERHEAD + size;
    if (end > buf.length) {
      if (strict)
        throw new DecodeError(
          "length-exceeds-input",
          `message of ${size} bytes runs past the set`,
          at + 8,
        );
      break;
    }
    out.push(parseMessage(buf, offset, at + LEGACY_LOG_OVERHEAD, end, verifyCrc));
    at = end;
  }
  return out;
}

function plainMessage(m: RawMessage, compression: number): LegacyMessage {
  return {
    offset: m.offset,
    magic: m.magic,
    attributes: m.attributes,
    compression,
    timestampType: m.magic === 1 && m.attributes & LEGACY_TIMESTAMP_TYPE_BIT ? 1 : 0,
    timestamp: m.timestamp,
    key: m.key,
    value: m.value,
    crc: m.crc,
  };
}

/** Unpacks a compressed wrapper into its inner messages with absolute offsets (KIP-31, KIP-32). */
async function unwrap(w: RawMessage, opts: LegacyReadOptions): Promise<LegacyMessage[]> {
  const codec = w.attributes & LEGACY_COMPRESSION_MASK;
  // zstd (4) never existed for magic 0/1.
  if (!isCompressionCodecId(codec) || codec === 4) {
    throw new DecodeError("invalid-value", `legacy codec ${codec}`, w.position + 5);
  }
  if (w.value === null)
    throw new DecodeError("invalid-value", "compressed wrapper with null value", w.position);
  const inner = await codecs[codec].decompress(w.value, {
    ...opts,
    legacyLz4HeaderChecksum: w.magic === 0,
  });
  const raws = splitMessageSet(inner, true, opts.verifyCrc ?? true);
  const last = raws[raws.length - 1];
  if (last === undefined)
    throw new DecodeError("invalid-value", "compressed wrapper holds no messages", w.position);
  const wrapperLogAppend = w.magic === 1 && (w.attributes & LEGACY_TIMESTAMP_TYPE_BIT) !== 0;
  return raws.map((m) => {
    if ((m.attributes & LEGACY_COMPRESSION_MASK) !== 0) {
      throw new DecodeError("invalid-value", "nested compressed message", m.position);
    }
    if (m.magic !== w.magic) {
      throw new DecodeError(
        "invalid-value",
        `inner magic ${m.magic} in a magic ${w.magic} wrapper`,
        m.position,
      );
    }
    const msg = plainMessage(m, codec);
    // Magic 1 inner offsets are relative; the wrapper holds the last one's absolute offset.
    if (w.magic === 1) msg.offset = w.offset - last.offset + m.offset;
    if (wrapperLogAppend) {
      msg.timestampType = 1;
      msg.timestamp = w.timestamp;
    }
    return msg;
  });
}

/**
 * Reads a magic 0/1 message set, expanding compressed wrappers, so a broker can
 * up-convert it or answer with the right error. Corrupt data is a DecodeError.
 */
export async function readLegacyMessageSet(
  buf: Buffer,
  opts: LegacyReadOptions = {},
): Promise<LegacyMessage[]> {
  const out: LegacyMessage[] = [];
  for (const m of splitMessageSet(buf, false, opts.verifyCrc ?? true)) {
    if ((m.attributes & LEGACY_COMPRESSION_MASK) === 0) out.push(plainMessage(m, 0));
    else out.push(...(await unwrap(m, opts)));
  }
  return out;
}
