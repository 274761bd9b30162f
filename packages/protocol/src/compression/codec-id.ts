/** Codec ids as carried in attribute bits 0-2 of batches (magic 2) and wrapper messages (magic 0/1). */
export const CompressionCodec = {
  none: 0,
  gzip: 1,
  snappy: 2,
  lz4: 3,
  zstd: 4,
} as const;

export type CompressionCodecId = (typeof CompressionCodec)[keyof typeof CompressionCodec];

export const codecNames: Readonly<Record<CompressionCodecId, string>> = {
  0: "none",
  1: "gzip",
  2: "snappy",
  3: "lz4",
  4: "zstd",
};

export function isCompressionCodecId(n: number): n is CompressionCodecId {
  return Number.isInteger(n) && n >= 0 && n <= 4;
}

/**
 * Default cap on decompressed bytes: a batch's records are bounded by the broker's
 * max message size (1 MiB by default in Kafka), so 64 MiB leaves room without
 * letting a small compressed payload expand without limit.
 */
export const DEFAULT_MAX_DECOMPRESSED_BYTES = 64 * 1024 * 1024;
