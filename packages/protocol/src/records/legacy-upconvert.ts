import type { CompressionCodecId } from "../compression/codec-id.js";
import { isCompressionCodecId } from "../compression/codec-id.js";
import { DecodeError } from "../primitives/errors.js";
import { encodeBatch } from "./batch-encode.js";
import type { LegacyMessage } from "./legacy-message-set.js";

export interface UpConvertOptions {
  /** Default: the codec the legacy messages came in. */
  compression?: CompressionCodecId;
  /** Use 0, 1, 2 … as offset deltas instead of the message offsets (the produce path, where the broker assigns offsets). */
  renumber?: boolean;
  partitionLeaderEpoch?: number;
}

/**
 * Builds one v2 batch from legacy messages: no producer id or sequence, magic-0
 * timestamps stay -1 (NO_TIMESTAMP), LogAppendTime carries over from the first message.
 */
export async function upConvertLegacy(
  messages: readonly LegacyMessage[],
  opts: UpConvertOptions = {},
): Promise<Buffer> {
  const first = messages[0];
  if (first === undefined)
    throw new DecodeError("invalid-value", "no legacy messages to convert", 0);
  const base = first.offset;
  const baseTimestamp = first.timestamp;
  const codec = opts.compression ?? first.compression;
  if (!isCompressionCodecId(codec)) throw new DecodeError("invalid-value", `codec ${codec}`, 0);
  let maxTimestamp = baseTimestamp;
  const records = messages.map((m, i) => {
    const delta = opts.renumber ? BigInt(i) : m.offset - base;
    if (
      delta < 0n ||
      delta > 0x7fffffffn ||
      (i > 0 && !opts.renumber && m.offset <= (messages[i - 1] as LegacyMessage).offset)
    ) {
      throw new DecodeError("invalid-value", `legacy offsets not increasing at message ${i}`, 0);
    }
    if (m.timestamp > maxTimestamp) maxTimestamp = m.timestamp;
    return {
      attributes: 0,
      timestampDelta: m.timestamp - baseTimestamp,
      offsetDelta: Number(delta),
      key: m.key,
      value: m.value,
      headers: [],
    };
  });
  return encodeBatch({
    baseOffset: base,
    partitionLeaderEpoch: opts.partitionLeaderEpoch ?? -1,
    compression: codec,
    timestampType: first.timestampType,
    baseTimestamp,
    maxTimestamp,
    records,
  });
}
