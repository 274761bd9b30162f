import { createRequire } from "node:module";
import { crc32cJs } from "./crc32c-js.js";

type NativeCrc32c = (input: Uint8Array, initialState?: number) => number;

/**
 * napi-rs's generated loader tries a file beside it, then reads /usr/bin/ldd to tell glibc
 * from musl, then requires the platform package: a few milliseconds of start-up. On
 * glibc Linux, macOS and Windows the platform package is required directly (resolved from
 * @node-rs/crc32, whose optional dependency it is); where it is missing or does not load
 * (musl, another platform) the package's own loader decides, as before.
 */
function platformPackage(): string | undefined {
  const { platform, arch } = process;
  if (platform === "linux") return `@node-rs/crc32-linux-${arch}-gnu`;
  if (platform === "darwin") return `@node-rs/crc32-darwin-${arch}`;
  if (platform === "win32") return `@node-rs/crc32-win32-${arch}-msvc`;
  return undefined;
}

/** The first of the direct platform package and the package's loader that gives a crc32c. */
function loadNativeModule(): { crc32c?: NativeCrc32c; from: NativeSource } | null {
  const require = createRequire(import.meta.url);
  const direct = platformPackage();
  if (direct !== undefined) {
    try {
      const fromPackage = createRequire(require.resolve("@node-rs/crc32"));
      const mod = fromPackage(direct) as { crc32c?: NativeCrc32c };
      return { crc32c: mod.crc32c, from: "platform package" };
    } catch {
      // Not installed for this libc or platform: the package's loader finds the right one.
    }
  }
  try {
    const mod = require("@node-rs/crc32") as { crc32c?: NativeCrc32c };
    return { crc32c: mod.crc32c, from: "package loader" };
  } catch {
    return null;
  }
}

type NativeSource = "platform package" | "package loader";

/**
 * The native module is optional: its platform package may be missing (unsupported
 * OS/arch, or installed with --no-optional), so failing to load is not an error.
 */
function loadNative(): { fn: NativeCrc32c; from: NativeSource } | null {
  const mod = loadNativeModule();
  const fn = mod?.crc32c;
  if (mod === null || typeof fn !== "function") return null;
  // Refuse a module that loads but computes something else.
  return fn(Buffer.from("123456789")) === 0xe3069283 ? { fn, from: mod.from } : null;
}

/**
 * Below this size the N-API call costs more than it saves (see bench/crc-bench.ts);
 * record batches are often this small.
 */
const NATIVE_MIN_BYTES = 64;

/**
 * Loading the addon (dlopen of a 540 KB library) costs 2-6 ms, which a start-up that only
 * checks a few small internal batches before answering its first request need not pay.
 * So the JavaScript CRC serves until one buffer of NATIVE_NOW_BYTES or JS_BUDGET_BYTES in
 * all have gone through it; then the addon is loaded, once.
 */
const NATIVE_NOW_BYTES = 4096;
const JS_BUDGET_BYTES = 64 * 1024;
let jsBytes = 0;

let native: { fn: NativeCrc32c; from: NativeSource } | null | undefined;
function nativeCrc32c(): NativeCrc32c | null {
  if (native === undefined) native = loadNative();
  return native === null ? null : native.fn;
}

/** Which implementation {@link crc32c} uses from now on, for logs and the benchmark. */
export function crc32cImplementation(): "native" | "js" {
  return nativeCrc32c() === null ? "js" : "native";
}

/** How the native module was found, for the test that keeps start-up on the fast path. */
export function crc32cNativeSource(): NativeSource | null {
  nativeCrc32c();
  return native === undefined || native === null ? null : native.from;
}

/** Whether the addon has been loaded (or tried) yet: for the test of the deferral. */
export function crc32cNativeTried(): boolean {
  return native !== undefined;
}

/** CRC-32C of buf[start, end). Check value: "123456789" -> 0xE3069283. */
export function crc32c(buf: Uint8Array, start = 0, end = buf.length): number {
  const n = end - start;
  if (n >= NATIVE_MIN_BYTES) {
    let fn: NativeCrc32c | null = null;
    if (native !== undefined) fn = native === null ? null : native.fn;
    else {
      jsBytes += n;
      if (n >= NATIVE_NOW_BYTES || jsBytes >= JS_BUDGET_BYTES) fn = nativeCrc32c();
    }
    if (fn !== null) {
      const view = start === 0 && n === buf.length ? buf : buf.subarray(start, end);
      return fn(view) >>> 0;
    }
  }
  return crc32cJs(buf, start, end);
}
