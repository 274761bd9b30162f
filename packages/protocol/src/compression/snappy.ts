import { createRequire } from "node:module";
import { corrupt, tooLarge } from "./errors.js";

interface SnappyJs {
  compress(input: Uint8Array): Uint8Array;
  uncompress(input: Uint8Array, maxLength?: number): Uint8Array;
}

// Loaded on first use: start-up (and a broker that never sees snappy) should not pay for it.
const require = createRequire(import.meta.url);
let snappyModule: SnappyJs | null = null;
const snappyjs = (): SnappyJs => (snappyModule ??= require("snappyjs") as SnappyJs);

/** 0x82 "SNAPPY" 0x00, then INT32 version 1 and INT32 minimum compatible version 1. */
const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
const XERIAL_HEADER_SIZE = 16;
/** snappy-java's default block size, which the Java producer uses. */
const XERIAL_CHUNK = 32 * 1024;

function toBuffer(u: Uint8Array): Buffer {
  return Buffer.isBuffer(u) ? u : Buffer.from(u.buffer, u.byteOffset, u.length);
}

export function isXerial(data: Uint8Array): boolean {
  return (
    data.length >= XERIAL_HEADER_SIZE &&
    toBuffer(data).subarray(0, XERIAL_MAGIC.length).equals(XERIAL_MAGIC)
  );
}

/** One raw snappy block, as librdkafka writes. */
export function snappyRawCompress(data: Uint8Array): Buffer {
  return toBuffer(snappyjs().compress(data));
}

/** The preamble of a raw block is the varint uncompressed length; snappyjs checks it against the cap before allocating. */
export function snappyRawDecompress(data: Uint8Array, maxOutput: number): Buffer {
  try {
    return toBuffer(snappyjs().uncompress(toBuffer(data), maxOutput));
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    if (msg.includes("too big")) throw tooLarge("snappy", maxOutput);
    throw corrupt("snappy", msg);
  }
}

/** xerial framing (what the Java client writes, and what every client reads). */
export function snappyXerialCompress(data: Uint8Array): Buffer {
  const parts: Buffer[] = [];
  const header = Buffer.alloc(XERIAL_HEADER_SIZE);
  XERIAL_MAGIC.copy(header, 0);
  header.writeInt32BE(1, 8);
  header.writeInt32BE(1, 12);
  parts.push(header);
  for (let at = 0; at < data.length; at += XERIAL_CHUNK) {
    const block = snappyRawCompress(data.subarray(at, Math.min(at + XERIAL_CHUNK, data.length)));
    const len = Buffer.alloc(4);
    len.writeInt32BE(block.length, 0);
    parts.push(len, block);
  }
  return Buffer.concat(parts);
}

export function snappyXerialDecompress(data: Uint8Array, maxOutput: number): Buffer {
  const buf = toBuffer(data);
  if (!isXerial(buf)) throw corrupt("snappy", "missing xerial header");
  const parts: Buffer[] = [];
  let total = 0;
  let at = XERIAL_HEADER_SIZE;
  while (at < buf.length) {
    if (buf.length - at < 4) throw corrupt("snappy", "truncated xerial chunk length", at);
    const len = buf.readInt32BE(at);
    if (len < 0 || len > buf.length - at - 4) {
      throw corrupt("snappy", `xerial chunk length ${len} exceeds input`, at);
    }
    at += 4;
    const block = snappyRawDecompress(buf.subarray(at, at + len), maxOutput - total);
    at += len;
    total += block.length;
    parts.push(block);
  }
  return Buffer.concat(parts, total);
}

/** Reads either encoding: xerial when the magic matches, otherwise one raw block (as snappy-java does). */
export function snappyDecompress(data: Uint8Array, maxOutput: number): Buffer {
  return isXerial(data)
    ? snappyXerialDecompress(data, maxOutput)
    : snappyRawDecompress(data, maxOutput);
}
