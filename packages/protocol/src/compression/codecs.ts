import { type CompressionCodecId, DEFAULT_MAX_DECOMPRESSED_BYTES } from "./codec-id.js";
import { tooLarge } from "./errors.js";
import { gzipCompress, gzipDecompress } from "./gzip.js";
import { lz4FrameCompress, lz4FrameDecompress } from "./lz4-frame.js";
import { snappyDecompress, snappyXerialCompress } from "./snappy.js";
import { zstdCompress, zstdDecompress } from "./zstd.js";

export interface DecompressOptions {
  /** Refuse output larger than this many bytes (decompression-bomb guard). */
  maxOutputBytes?: number;
  /** Legacy magic 0 LZ4 wrappers carry a header checksum computed the pre-KIP-57 way. */
  legacyLz4HeaderChecksum?: boolean;
}

export interface CompressOptions {
  /** Write the pre-KIP-57 LZ4 header checksum (for magic 0 wrapper messages only). */
  legacyLz4HeaderChecksum?: boolean;
}

export interface Codec {
  readonly id: CompressionCodecId;
  readonly name: string;
  compress(data: Uint8Array, opts?: CompressOptions): Promise<Buffer>;
  /** Throws DecodeError on corrupt input or output over the limit. */
  decompress(data: Uint8Array, opts?: DecompressOptions): Promise<Buffer>;
}

function limitOf(opts: DecompressOptions | undefined): number {
  return opts?.maxOutputBytes ?? DEFAULT_MAX_DECOMPRESSED_BYTES;
}

function asBuffer(data: Uint8Array): Buffer {
  return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.length);
}

const none: Codec = {
  id: 0,
  name: "none",
  compress: async (data) => asBuffer(data),
  decompress: async (data, opts) => {
    if (data.length > limitOf(opts)) throw tooLarge("none", limitOf(opts));
    return asBuffer(data);
  },
};

const gzip: Codec = {
  id: 1,
  name: "gzip",
  compress: (data) => gzipCompress(data),
  decompress: (data, opts) => gzipDecompress(data, limitOf(opts)),
};

/** Writes xerial framing (every client reads it); reads xerial or raw. */
const snappy: Codec = {
  id: 2,
  name: "snappy",
  compress: async (data) => snappyXerialCompress(data),
  decompress: async (data, opts) => snappyDecompress(data, limitOf(opts)),
};

const lz4: Codec = {
  id: 3,
  name: "lz4",
  compress: async (data, opts) =>
    lz4FrameCompress(data, { legacyHeaderChecksum: opts?.legacyLz4HeaderChecksum ?? false }),
  decompress: async (data, opts) =>
    lz4FrameDecompress(data, limitOf(opts), {
      ignoreHeaderChecksum: opts?.legacyLz4HeaderChecksum ?? false,
    }),
};

const zstd: Codec = {
  id: 4,
  name: "zstd",
  compress: (data) => zstdCompress(data),
  decompress: (data, opts) => zstdDecompress(data, limitOf(opts)),
};

/** Keyed by the attribute codec id (bits 0-2). */
export const codecs: Readonly<Record<CompressionCodecId, Codec>> = {
  0: none,
  1: gzip,
  2: snappy,
  3: lz4,
  4: zstd,
};
