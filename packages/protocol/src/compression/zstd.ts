import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { corrupt, tooLarge } from "./errors.js";

/** The slice of the emscripten module we call directly (the library's decompress trusts the frame's size). */
interface ZstdWasmModule {
  _malloc(n: number): number;
  _free(p: number): void;
  _ZSTD_decompress(dst: number, dstCap: number, src: number, srcSize: number): number;
  _ZSTD_isError(code: number): number;
  HEAPU8: Uint8Array;
}

interface ZstdWasm {
  init(): Promise<void>;
  compress(buf: Uint8Array, level?: number): Uint8Array;
}

const require = createRequire(import.meta.url);

let ready: Promise<{ lib: ZstdWasm; mod: ZstdWasmModule }> | null = null;

/** The wasm binary ships inside the npm package; it is compiled once, on first use. */
function load(): Promise<{ lib: ZstdWasm; mod: ZstdWasmModule }> {
  ready ??= (async () => {
    const lib = require("@bokuweb/zstd-wasm") as ZstdWasm;
    await lib.init();
    // The package exports only its entry point; the module sits beside it.
    const entry = require.resolve("@bokuweb/zstd-wasm");
    const { Module } = require(join(dirname(entry), "module.js")) as { Module: ZstdWasmModule };
    return { lib, mod: Module };
  })();
  return ready;
}

/** zstd-jni and librdkafka default to level 3. */
export async function zstdCompress(data: Uint8Array, level = 3): Promise<Buffer> {
  const { lib } = await load();
  const out = lib.compress(data, level);
  return Buffer.from(out.buffer, out.byteOffset, out.length);
}

const ZSTD_MAGIC = 0xfd2fb528;
/** ZSTD_error_dstSize_tooSmall; zstd returns errors as (size_t)-code. */
const DST_TOO_SMALL = 70;

/**
 * Frame_Content_Size from the first frame header, or -1 when the frame omits it
 * (streaming writers such as zstd-jni's do). Parsed here so a hostile header cannot
 * make us allocate before we compare it with the cap.
 */
export function zstdDeclaredSize(buf: Uint8Array): number {
  if (buf.length < 5) return -1;
  const magic =
    ((buf[0] as number) |
      ((buf[1] as number) << 8) |
      ((buf[2] as number) << 16) |
      ((buf[3] as number) << 24)) >>>
    0;
  if (magic !== ZSTD_MAGIC) return -1;
  const fhd = buf[4] as number;
  const fcsFlag = fhd >>> 6;
  const singleSegment = (fhd >>> 5) & 1;
  const dictFlag = fhd & 3;
  const fcsBytes = [singleSegment ? 1 : 0, 2, 4, 8][fcsFlag] as number;
  if (fcsBytes === 0) return -1;
  const at = 5 + (singleSegment ? 0 : 1) + [0, 1, 2, 4][dictFlag]!;
  if (buf.length < at + fcsBytes) return -1;
  const view = Buffer.from(buf.buffer, buf.byteOffset, buf.length);
  if (fcsBytes === 1) return view[at] as number;
  if (fcsBytes === 2) return view.readUInt16LE(at) + 256;
  if (fcsBytes === 4) return view.readUInt32LE(at);
  const big = view.readBigUInt64LE(at);
  return big > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(big);
}

/**
 * Decodes all frames into a buffer that starts at the declared size (or a guess) and
 * doubles on "destination too small", never beyond maxOutput. A bomb therefore costs
 * at most maxOutput bytes of wasm memory before it is refused.
 */
export async function zstdDecompress(data: Uint8Array, maxOutput: number): Promise<Buffer> {
  if (data.length === 0) throw corrupt("zstd", "empty input");
  const { mod } = await load();
  const declared = zstdDeclaredSize(data);
  if (declared > maxOutput) throw tooLarge("zstd", maxOutput);
  let cap = Math.min(maxOutput, Math.max(declared, data.length * 8, 64 * 1024));
  const src = mod._malloc(data.length);
  if (src === 0) throw tooLarge("zstd", maxOutput);
  try {
    mod.HEAPU8.set(data, src);
    for (;;) {
      const dst = mod._malloc(Math.max(cap, 1));
      if (dst === 0) throw tooLarge("zstd", maxOutput);
      try {
        const n = mod._ZSTD_decompress(dst, cap, src, data.length);
        if (!mod._ZSTD_isError(n)) {
          return Buffer.from(mod.HEAPU8.subarray(dst, dst + n)); // copy out of the wasm heap
        }
        const code = -(n | 0);
        if (code !== DST_TOO_SMALL) throw corrupt("zstd", `decoder error ${code}`);
        if (cap >= maxOutput) throw tooLarge("zstd", maxOutput);
        cap = Math.min(maxOutput, cap * 2);
      } finally {
        mod._free(dst);
      }
    }
  } finally {
    mod._free(src);
  }
}
