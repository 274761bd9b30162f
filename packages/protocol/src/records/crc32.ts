import { createRequire } from "node:module";

// crc-32 is CommonJS; its typed `buf` returns a signed int32. Loaded on first use:
// only legacy (magic 0/1) messages need it, and start-up should not pay for it.
const require = createRequire(import.meta.url);
let CRC32: typeof import("crc-32") | null = null;

/** CRC-32 (IEEE 802.3 / zlib) used by legacy magic 0/1 messages. Check: "123456789" -> 0xCBF43926. */
export function crc32(buf: Uint8Array, start = 0, end = buf.length): number {
  const view = start === 0 && end === buf.length ? buf : buf.subarray(start, end);
  CRC32 ??= require("crc-32") as typeof import("crc-32");
  return CRC32.buf(view) >>> 0;
}
