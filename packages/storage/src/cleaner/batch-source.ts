import { DecodeError, iterateRecords } from "@logbook/protocol";

/**
 * Stored batches as the disk engine reads them: each Buffer holds one or more whole
 * RecordBatch v2 entries back to back, with their assigned offsets.
 */
export type BatchSource = Iterable<Buffer> | AsyncIterable<Buffer>;

/**
 * Splits a chunk into views of its batches. A cut-off tail or a legacy entry is an
 * error, not an end: segments handed to the cleaner were recovered at open, so either
 * means the caller passed the wrong bytes, and cleaning must stop rather than lose data.
 */
export function* splitBatches(chunk: Buffer): Generator<Buffer> {
  const walk = iterateRecords(chunk);
  for (;;) {
    const step = walk.next();
    if (step.done) {
      const tail = step.value.truncatedTailBytes;
      if (tail > 0) {
        throw new DecodeError(
          "truncated",
          `${tail} bytes after the last whole batch`,
          chunk.length - tail,
        );
      }
      return;
    }
    const entry = step.value;
    if (entry.magic !== 2) {
      throw new DecodeError(
        "invalid-value",
        `legacy magic ${entry.magic} entry in a segment`,
        entry.start,
      );
    }
    yield chunk.subarray(entry.start, entry.end);
  }
}

/** Every batch of a source, in order, one Buffer each. */
export async function* storedBatches(source: BatchSource): AsyncGenerator<Buffer> {
  for await (const chunk of source) yield* splitBatches(chunk);
}
