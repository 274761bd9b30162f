import { DecodeError } from "../primitives/errors.js";
import { type DecodeBatchOptions, decodeBatch } from "./batch-decode.js";
import { RecordBatchHeader } from "./batch-header.js";
import { BatchField, CURRENT_MAGIC, LOG_OVERHEAD, MIN_BATCH_LENGTH } from "./batch-layout.js";
import { LEGACY_MIN_MESSAGE_SIZE } from "./legacy-layout.js";
import type { DecodedBatch } from "./types.js";

/** One entry of a RECORDS blob: a v2 batch, or a legacy (magic 0/1) message. */
export type RecordsEntry =
  | { magic: 2; start: number; end: number; header: RecordBatchHeader }
  | { magic: 0 | 1; start: number; end: number };

/**
 * Walks the entries of a RECORDS blob. All formats share the prefix
 * INT64 offset + INT32 size, so the walk needs no decoding. A partial entry at the end
 * (fetch responses are cut at max bytes) ends the walk cleanly; an entry that is
 * malformed (negative or too small size, unknown magic) is a DecodeError.
 */
export function* iterateRecords(
  blob: Buffer,
): Generator<RecordsEntry, { truncatedTailBytes: number }> {
  let at = 0;
  while (at < blob.length) {
    if (blob.length - at < LOG_OVERHEAD + 5) break; // not even offset, size and magic
    const size = blob.readInt32BE(at + BatchField.batchLength);
    const magic = blob.readInt8(at + BatchField.magic);
    if (magic === CURRENT_MAGIC) {
      if (size < MIN_BATCH_LENGTH)
        throw new DecodeError("invalid-value", `batchLength ${size}`, at + 8);
    } else if (magic === 0 || magic === 1) {
      if (size < LEGACY_MIN_MESSAGE_SIZE[magic])
        throw new DecodeError("invalid-value", `message size ${size}`, at + 8);
    } else {
      throw new DecodeError("invalid-value", `unknown magic ${magic}`, at + BatchField.magic);
    }
    const end = at + LOG_OVERHEAD + size;
    if (end > blob.length) break;
    if (magic === CURRENT_MAGIC)
      yield { magic, start: at, end, header: RecordBatchHeader.at(blob, at) };
    else yield { magic, start: at, end };
    at = end;
  }
  return { truncatedTailBytes: blob.length - at };
}

/**
 * Decodes every v2 batch of a RECORDS blob (e.g. a captured fetch response partition),
 * stopping at a truncated tail. A legacy entry is a DecodeError: use
 * readLegacyMessageSet for magic 0/1 data.
 */
export async function* decodeRecordBatches(
  blob: Buffer,
  opts: DecodeBatchOptions = {},
): AsyncGenerator<DecodedBatch> {
  for (const entry of iterateRecords(blob)) {
    if (entry.magic !== 2) {
      throw new DecodeError(
        "invalid-value",
        `legacy magic ${entry.magic} entry in a v2 records blob`,
        entry.start,
      );
    }
    yield await decodeBatch(blob, entry.start, opts);
  }
}

/** Convenience: all batches of a blob as an array. */
export async function decodeAllBatches(
  blob: Buffer,
  opts: DecodeBatchOptions = {},
): Promise<DecodedBatch[]> {
  const out: DecodedBatch[] = [];
  for await (const b of decodeRecordBatches(blob, opts)) out.push(b);
  return out;
}
