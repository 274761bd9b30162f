export {
  CompressionCodec,
  type CompressionCodecId,
  codecNames,
  DEFAULT_MAX_DECOMPRESSED_BYTES,
  isCompressionCodecId,
} from "./codec-id.js";
export { type Codec, type CompressOptions, codecs, type DecompressOptions } from "./codecs.js";
export { gzipCompress, gzipDecompress } from "./gzip.js";
export {
  type Lz4ReadOptions,
  type Lz4WriteOptions,
  lz4FrameCompress,
  lz4FrameDecompress,
} from "./lz4-frame.js";
export {
  isXerial,
  snappyDecompress,
  snappyRawCompress,
  snappyRawDecompress,
  snappyXerialCompress,
  snappyXerialDecompress,
} from "./snappy.js";
export { zstdCompress, zstdDecompress } from "./zstd.js";
