import { corrupt, tooLarge } from "./errors.js";
import { Lz4OutputFull, lz4CompressBlock, lz4DecompressBlock, xxh32 } from "./lz4-block.js";

/**
 * LZ4 frame format (magic 0x184D2204), the only LZ4 encoding Kafka uses.
 * All frame integers are little-endian.
 */
const FRAME_MAGIC = 0x184d2204;
const BLOCK_SIZES: Readonly<Record<number, number>> = {
  4: 64 * 1024,
  5: 256 * 1024,
  6: 1024 * 1024,
  7: 4 * 1024 * 1024,
};
const FLG_VERSION_MASK = 0xc0;
const FLG_VERSION_01 = 0x40;
const FLG_BLOCK_INDEPENDENT = 0x20;
const FLG_BLOCK_CHECKSUM = 0x10;
const FLG_CONTENT_SIZE = 0x08;
const FLG_CONTENT_CHECKSUM = 0x04;
const FLG_DICT_ID = 0x01;
const BLOCK_UNCOMPRESSED_BIT = 0x80000000;

export interface Lz4WriteOptions {
  blockChecksum?: boolean;
  contentChecksum?: boolean;
  contentSize?: boolean;
  /**
   * Kafka magic 0 quirk (KIP-57): the header checksum also covers the 4 magic bytes.
   * Only for writing legacy magic-0 wrapper messages.
   */
  legacyHeaderChecksum?: boolean;
}

export interface Lz4ReadOptions {
  /** Magic 0 messages carry the quirky header checksum, which Java does not check. */
  ignoreHeaderChecksum?: boolean;
}

/** Java's writer uses 64 KiB blocks; so do we. */
const WRITE_BLOCK_SIZE = 64 * 1024;

export function lz4FrameCompress(data: Uint8Array, opts: Lz4WriteOptions = {}): Buffer {
  const parts: Buffer[] = [];
  const header = Buffer.alloc(15);
  header.writeUInt32LE(FRAME_MAGIC, 0);
  let flg = FLG_VERSION_01 | FLG_BLOCK_INDEPENDENT;
  if (opts.blockChecksum) flg |= FLG_BLOCK_CHECKSUM;
  if (opts.contentSize) flg |= FLG_CONTENT_SIZE;
  if (opts.contentChecksum) flg |= FLG_CONTENT_CHECKSUM;
  header[4] = flg;
  header[5] = 4 << 4;
  let at = 6;
  if (opts.contentSize) {
    header.writeBigUInt64LE(BigInt(data.length), at);
    at += 8;
  }
  const hcStart = opts.legacyHeaderChecksum ? 0 : 4;
  header[at] = (xxh32(header, hcStart, at) >>> 8) & 0xff;
  parts.push(header.subarray(0, at + 1));

  for (let off = 0; off < data.length; off += WRITE_BLOCK_SIZE) {
    const chunk = data.subarray(off, Math.min(off + WRITE_BLOCK_SIZE, data.length));
    const packed = lz4CompressBlock(chunk);
    const body = Buffer.from(packed ?? chunk);
    const size = Buffer.alloc(4);
    size.writeUInt32LE((body.length | (packed ? 0 : BLOCK_UNCOMPRESSED_BIT)) >>> 0, 0);
    parts.push(size, body);
    if (opts.blockChecksum) {
      const sum = Buffer.alloc(4);
      sum.writeUInt32LE(xxh32(body, 0, body.length), 0);
      parts.push(sum);
    }
  }
  const end = Buffer.alloc(opts.contentChecksum ? 8 : 4);
  if (opts.contentChecksum) end.writeUInt32LE(xxh32(data, 0, data.length), 4);
  parts.push(end);
  return Buffer.concat(parts);
}

/** Growable output that never exceeds the caller's cap. */
class Output {
  buf: Buffer;
  len = 0;
  constructor(
    initial: number,
    readonly max: number,
  ) {
    this.buf = Buffer.allocUnsafe(Math.min(Math.max(initial, 1024), max));
  }
  /** Capacity up to which the next block may write. */
  reserve(n: number): number {
    const want = Math.min(this.len + n, this.max);
    if (want > this.buf.length) {
      const next = Buffer.allocUnsafe(Math.min(Math.max(want, this.buf.length * 2), this.max));
      this.buf.copy(next, 0, 0, this.len);
      this.buf = next;
    }
    return want;
  }
}

function need(buf: Buffer, at: number, n: number, what: string): void {
  if (buf.length - at < n) throw corrupt("lz4", `truncated ${what}`, at);
}

/** Reads one or more concatenated frames (skippable frames are skipped). */
export function lz4FrameDecompress(
  data: Uint8Array,
  maxOutput: number,
  opts: Lz4ReadOptions = {},
): Buffer {
  const buf = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.length);
  const out = new Output(buf.length * 4, maxOutput);
  let at = 0;
  if (buf.length === 0) throw corrupt("lz4", "empty input");
  while (at < buf.length) {
    need(buf, at, 4, "frame magic");
    const magic = buf.readUInt32LE(at);
    if ((magic & 0xfffffff0) === 0x184d2a50) {
      need(buf, at, 8, "skippable frame");
      const skip = buf.readUInt32LE(at + 4);
      need(buf, at + 8, skip, "skippable frame");
      at += 8 + skip;
      continue;
    }
    if (magic !== FRAME_MAGIC) throw corrupt("lz4", `bad frame magic 0x${magic.toString(16)}`, at);
    at = readFrame(buf, at, out, opts);
  }
  return out.buf.subarray(0, out.len);
}

function readFrame(buf: Buffer, frameStart: number, out: Output, opts: Lz4ReadOptions): number {
  let at = frameStart + 4;
  need(buf, at, 3, "frame descriptor");
  const flg = buf[at] as number;
  const bd = buf[at + 1] as number;
  if ((flg & FLG_VERSION_MASK) !== FLG_VERSION_01)
    throw corrupt("lz4", "unsupported frame version", at);
  if (flg & 0x02 || bd & 0x8f) throw corrupt("lz4", "reserved descriptor bits set", at);
  const blockMax = BLOCK_SIZES[(bd >>> 4) & 7];
  if (blockMax === undefined) throw corrupt("lz4", "bad block max size", at + 1);
  at += 2;
  let contentSize = -1;
  if (flg & FLG_CONTENT_SIZE) {
    need(buf, at, 8, "content size");
    const size = buf.readBigUInt64LE(at);
    if (size > BigInt(out.max - out.len)) throw tooLarge("lz4", out.max);
    contentSize = Number(size);
    at += 8;
  }
  if (flg & FLG_DICT_ID) {
    need(buf, at, 4, "dictionary id");
    // Kafka never uses dictionaries; a block that needs one fails as a bad match offset.
    at += 4;
  }
  need(buf, at, 1, "header checksum");
  const hc = (xxh32(buf, frameStart + 4, at) >>> 8) & 0xff;
  if (!opts.ignoreHeaderChecksum && hc !== buf[at])
    throw corrupt("lz4", "header checksum mismatch", at);
  at += 1;

  const contentStart = out.len;
  const independent = (flg & FLG_BLOCK_INDEPENDENT) !== 0;
  for (;;) {
    need(buf, at, 4, "block size");
    const word = buf.readUInt32LE(at);
    at += 4;
    if (word === 0) break;
    const stored = (word & BLOCK_UNCOMPRESSED_BIT) !== 0;
    const size = word & 0x7fffffff;
    if (size > blockMax) throw corrupt("lz4", `block of ${size} exceeds max ${blockMax}`, at - 4);
    need(buf, at, size, "block");
    if (flg & FLG_BLOCK_CHECKSUM) {
      need(buf, at + size, 4, "block checksum");
      if (xxh32(buf, at, at + size) !== buf.readUInt32LE(at + size)) {
        throw corrupt("lz4", "block checksum mismatch", at + size);
      }
    }
    const limit = out.reserve(blockMax);
    const blockStart = out.len;
    if (stored) {
      if (size > limit - out.len) throw tooLarge("lz4", out.max);
      buf.copy(out.buf, out.len, at, at + size);
      out.len += size;
    } else {
      try {
        const window = independent ? blockStart : contentStart;
        out.len = lz4DecompressBlock(buf, at, at + size, out.buf, out.len, limit, window);
      } catch (e) {
        if (!(e instanceof Lz4OutputFull)) throw e;
        if (limit >= out.max) throw tooLarge("lz4", out.max);
        throw corrupt("lz4", "block decodes past the declared block size", at);
      }
      if (out.len - blockStart > blockMax) throw corrupt("lz4", "block too large", at);
    }
    at += size + (flg & FLG_BLOCK_CHECKSUM ? 4 : 0);
  }
  if (contentSize >= 0 && out.len - contentStart !== contentSize) {
    throw corrupt("lz4", "content size mismatch", at);
  }
  if (flg & FLG_CONTENT_CHECKSUM) {
    need(buf, at, 4, "content checksum");
    if (xxh32(out.buf, contentStart, out.len) !== buf.readUInt32LE(at)) {
      throw corrupt("lz4", "content checksum mismatch", at);
    }
    at += 4;
  }
  return at;
}
