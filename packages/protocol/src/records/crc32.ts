import { createRequire } from "node:module";

// crc-32 is CommonJS; its typed `buf` returns a signed int32.
const require = createRequire(import.meta.url);
const CRC32 = require("crc-32") as typeof import("crc-32");

/** CRC-32 (IEEE 802.3 / zlib) used by legacy magic 0/1 messages. Check: "123456789" -> 0xCBF43926. */
export function crc32(buf: Uint8Array, start = 0, end = buf.length): number {
  const view = start === 0 && end === buf.length ? buf : buf.subarray(start, end);
  return CRC32.buf(view) >>> 0;
}
