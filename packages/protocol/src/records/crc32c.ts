import { createRequire } from "node:module";
import { crc32cJs } from "./crc32c-js.js";

type NativeCrc32c = (input: Uint8Array, initialState?: number) => number;

/**
 * The native module is optional: its platform package may be missing (unsupported
 * OS/arch, or installed with --no-optional), so failing to load is not an error.
 */
function loadNative(): NativeCrc32c | null {
  try {
    const require = createRequire(import.meta.url);
    const mod = require("@node-rs/crc32") as { crc32c?: NativeCrc32c };
    const fn = mod.crc32c;
    if (typeof fn !== "function") return null;
    // Refuse a module that loads but computes something else.
    return fn(Buffer.from("123456789")) === 0xe3069283 ? fn : null;
  } catch {
    return null;
  }
}

/**
 * Loaded on the first CRC over NATIVE_MIN_BYTES, not at import: resolving and loading
 * the addon costs start-up several milliseconds that answering ApiVersions does not need.
 */
let native: NativeCrc32c | null | undefined;
function nativeCrc32c(): NativeCrc32c | null {
  if (native === undefined) native = loadNative();
  return native;
}

/** Which implementation {@link crc32c} uses, for logs and the benchmark. */
export function crc32cImplementation(): "native" | "js" {
  return nativeCrc32c() === null ? "js" : "native";
}

/**
 * Below this size the N-API call costs more than it saves (see bench/crc-bench.ts);
 * record batches are often this small.
 */
const NATIVE_MIN_BYTES = 64;

/** CRC-32C of buf[start, end). Check value: "123456789" -> 0xE3069283. */
export function crc32c(buf: Uint8Array, start = 0, end = buf.length): number {
  if (end - start >= NATIVE_MIN_BYTES) {
    const fn = nativeCrc32c();
    if (fn !== null) {
      const view = start === 0 && end === buf.length ? buf : buf.subarray(start, end);
      return fn(view) >>> 0;
    }
  }
  return crc32cJs(buf, start, end);
}
