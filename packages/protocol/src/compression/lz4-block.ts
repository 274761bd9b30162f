import { createRequire } from "node:module";
import { corrupt } from "./errors.js";

interface Lz4Js {
  compressBound(n: number): number;
  compressBlock(
    src: Uint8Array,
    dst: Uint8Array,
    sIndex: number,
    sLength: number,
    hashTable: Uint32Array,
  ): number;
}

interface Xxh32 {
  hash(seed: number, src: Uint8Array, index: number, len: number): number;
}

// Loaded on first use: start-up (and a broker that never sees lz4) should not pay for it.
const require = createRequire(import.meta.url);
let lz4Module: Lz4Js | null = null;
let xxh32Module: Xxh32 | null = null;
const lz4js = (): Lz4Js => (lz4Module ??= require("lz4js") as Lz4Js);
const xxh = (): Xxh32 => (xxh32Module ??= require("lz4js/xxh32.js") as Xxh32);

/** xxHash32 (used by the LZ4 frame for header, block and content checksums). */
export function xxh32(src: Uint8Array, start: number, end: number, seed = 0): number {
  return xxh().hash(seed, src, start, end - start) >>> 0;
}

/** Allocated on the first compression, like the library itself. */
let hashTable: Uint32Array | null = null;

/**
 * Compresses one independent block. Returns null when the block does not shrink,
 * so the frame writer stores it uncompressed instead.
 */
export function lz4CompressBlock(src: Uint8Array): Uint8Array | null {
  hashTable ??= new Uint32Array(1 << 16);
  hashTable.fill(0); // a fresh table keeps blocks independent of each other
  const dst = new Uint8Array(lz4js().compressBound(src.length));
  const n = lz4js().compressBlock(src, dst, 0, src.length, hashTable);
  return n > 0 && n < src.length ? dst.subarray(0, n) : null;
}

/** Thrown when a block would write past `dstLimit`; the frame reader decides what that means. */
export class Lz4OutputFull extends Error {}

/**
 * Decodes one LZ4 block from src[sStart, sEnd) into dst at dStart, never writing at or
 * past dstLimit and never reading outside the block. Matches may reach back to
 * windowStart, which lets linked (dependent) blocks decode too.
 * Returns the new end of output.
 */
export function lz4DecompressBlock(
  src: Uint8Array,
  sStart: number,
  sEnd: number,
  dst: Uint8Array,
  dStart: number,
  dstLimit: number,
  windowStart: number,
): number {
  let s = sStart;
  let d = dStart;
  while (s < sEnd) {
    const token = src[s++] as number;
    let literals = token >>> 4;
    if (literals === 15) {
      let b: number;
      do {
        if (s >= sEnd) throw corrupt("lz4", "literal length runs past the block", s);
        b = src[s++] as number;
        literals += b;
      } while (b === 255);
    }
    if (literals > sEnd - s) throw corrupt("lz4", "literals run past the block", s);
    if (literals > dstLimit - d) throw new Lz4OutputFull();
    dst.set(src.subarray(s, s + literals), d);
    s += literals;
    d += literals;
    if (s === sEnd) return d; // the last sequence has literals only
    if (sEnd - s < 2) throw corrupt("lz4", "truncated match offset", s);
    const offset = (src[s] as number) | ((src[s + 1] as number) << 8);
    s += 2;
    if (offset === 0 || offset > d - windowStart)
      throw corrupt("lz4", `bad match offset ${offset}`, s);
    let matchLen = token & 15;
    if (matchLen === 15) {
      let b: number;
      do {
        if (s >= sEnd) throw corrupt("lz4", "match length runs past the block", s);
        b = src[s++] as number;
        matchLen += b;
      } while (b === 255);
    }
    matchLen += 4;
    if (matchLen > dstLimit - d) throw new Lz4OutputFull();
    if (offset >= matchLen) {
      dst.copyWithin(d, d - offset, d - offset + matchLen);
      d += matchLen;
    } else {
      // Overlapping match repeats the last `offset` bytes: copy byte by byte.
      for (let i = 0; i < matchLen; i++, d++) dst[d] = dst[d - offset] as number;
    }
  }
  throw corrupt("lz4", "block ends without a final literal sequence", s);
}
