import { promisify } from "node:util";
import type { InputType, ZlibOptions } from "node:zlib";
import { corrupt, tooLarge } from "./errors.js";

// node:zlib is loaded on first use, as the other codecs: start-up should not pay for it.
const zlib = (): Promise<typeof import("node:zlib")> => import("node:zlib");
let gzipFn: ((data: InputType) => Promise<Buffer>) | undefined;
let gunzipFn: ((data: InputType, options: ZlibOptions) => Promise<Buffer>) | undefined;
async function gzipAsync(data: InputType): Promise<Buffer> {
  gzipFn ??= promisify((await zlib()).gzip);
  return gzipFn(data);
}
async function gunzipAsync(data: InputType, options: ZlibOptions): Promise<Buffer> {
  gunzipFn ??= promisify((await zlib()).gunzip);
  return gunzipFn(data, options);
}

/** Default zlib settings: the same bytes kafkajs and Java's GZIPOutputStream level produce. */
export async function gzipCompress(data: Uint8Array): Promise<Buffer> {
  return gzipAsync(data);
}

/**
 * Node's gunzip already continues through concatenated members; maxOutputLength
 * stops a bomb inside zlib instead of after allocating.
 */
export async function gzipDecompress(data: Uint8Array, maxOutput: number): Promise<Buffer> {
  try {
    return await gunzipAsync(data, { maxOutputLength: Math.max(1, maxOutput) });
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === "ERR_BUFFER_TOO_LARGE") throw tooLarge("gzip", maxOutput);
    if (code === "Z_BUF_ERROR" && data.length > 0) throw corrupt("gzip", "truncated stream");
    throw corrupt("gzip", e instanceof Error ? e.message : String(e));
  }
}
