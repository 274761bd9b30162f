/**
 * kafkajs 2.2.4 ships only gzip; an application registers the other codecs in its
 * CompressionCodecs table (compress gets kafkajs's Encoder, whose `buffer` holds the
 * record bytes; decompress gets the batch payload). These are backed by our own
 * @logbook/protocol codecs: snappy xerial-framed (what Java and librdkafka read), the
 * LZ4 frame format (KIP-57) and zstd, so a kafkajs client exercises the broker's
 * storage and Fetch of every codec with bytes librdkafka can also read.
 */
import { type CompressionCodecId, codecs } from "@logbook/protocol";
// A default import: Node's CommonJS export detection misses kafkajs's CompressionCodecs.
import kafkajs from "kafkajs";

const { CompressionCodecs, CompressionTypes } = kafkajs;

/** What kafkajs calls a codec (see kafkajs/src/protocol/message/compression). */
export interface KafkajsCodec {
  compress(encoder: { buffer: Buffer }): Promise<Buffer>;
  decompress(buffer: Buffer): Promise<Buffer>;
}

export function kafkajsCodec(id: CompressionCodecId): KafkajsCodec {
  const codec = codecs[id];
  return {
    compress: (encoder) => codec.compress(encoder.buffer),
    decompress: (buffer) => codec.decompress(buffer),
  };
}

/** Registers snappy, lz4 and zstd process-wide (kafkajs keeps one table per process). */
export function registerKafkajsCodecs(): void {
  CompressionCodecs[CompressionTypes.Snappy] = () => kafkajsCodec(2);
  CompressionCodecs[CompressionTypes.LZ4] = () => kafkajsCodec(3);
  CompressionCodecs[CompressionTypes.ZSTD] = () => kafkajsCodec(4);
}
