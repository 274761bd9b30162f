import { type BatchSource, storedBatches } from "./batch-source.js";
import { type CleanBatchOptions, cleanBatch } from "./clean-batch.js";
import type { OffsetMap } from "./offset-map.js";
import { yieldEvery } from "./yield-every.js";

export interface CleanSegmentOptions extends CleanBatchOptions {
  /** Yield to the event loop after this many batches (default 8) or ~10 ms of work. */
  yieldEveryBatches?: number;
  /** Stops the pass (the iterator throws the reason); the caller then discards `.cleaned`. */
  signal?: AbortSignal;
}

/**
 * Streams one segment's batches through the cleaner and yields what to write to its
 * `.cleaned` replacement, one batch per Buffer, in offset order. Pulls the next batch
 * only when the caller asks, so memory stays at about one batch.
 */
export async function* cleanSegmentBatches(
  batches: BatchSource,
  map: OffsetMap,
  options: CleanSegmentOptions,
): AsyncGenerator<Buffer> {
  const tick = yieldEvery(options.yieldEveryBatches ?? 8, { signal: options.signal });
  for await (const batch of storedBatches(batches)) {
    await tick();
    const out = await cleanBatch(batch, map, options);
    if (out !== null) yield out;
  }
}
