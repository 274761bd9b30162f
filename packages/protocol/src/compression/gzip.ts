import { promisify } from "node:util";
import { gunzip, gzip } from "node:zlib";
import { corrupt, tooLarge } from "./errors.js";

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

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
