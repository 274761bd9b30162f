import { type DecodeBatchOptions, decodeBatch, RecordBatchHeader } from "@logbook/protocol";
import type { AbortedTransactions } from "./aborted-transactions.js";
import { type BatchSource, storedBatches } from "./batch-source.js";
import { OffsetMap } from "./offset-map.js";
import { yieldEvery } from "./yield-every.js";

/** About 16 MiB of table (see OFFSET_MAP_BYTES_PER_SLOT). */
export const DEFAULT_OFFSET_MAP_ENTRIES = 500_000;

export interface BuildOffsetMapOptions {
  /** A map to reuse (it is cleared first); else a new one of `maxEntries`. */
  map?: OffsetMap;
  maxEntries?: number;
  /**
   * First dirty offset: records below it are skipped. A previous pass may have ended
   * inside a batch, so this is per record, not per batch.
   */
  startOffset?: number;
  /** Aborted data must not enter the map (the clean drops it). Same instance as the clean's. */
  aborted?: AbortedTransactions;
  /** Yield to the event loop after this many batches (default 8). */
  yieldEveryBatches?: number;
  signal?: AbortSignal;
  decode?: DecodeBatchOptions;
}

export interface OffsetMapBuild {
  map: OffsetMap;
  /** The map ran out of room before the end of the input. */
  full: boolean;
  /**
   * Exclusive end of the offsets the map covers (= map.endOffset). Clean the log up to
   * here, then build the next pass with `startOffset` = this.
   */
  endOffset: number;
}

/**
 * Scans the dirty section (batches in offset order) into key -> latest offset.
 * Control batches and aborted transactional data are skipped but covered; records
 * without a key are covered (the cleaner keeps them). When a new key does not fit,
 * the scan stops right before that record and reports where.
 */
export async function buildOffsetMap(
  batches: BatchSource,
  options: BuildOffsetMapOptions = {},
): Promise<OffsetMapBuild> {
  const map = options.map ?? new OffsetMap(options.maxEntries ?? DEFAULT_OFFSET_MAP_ENTRIES);
  map.clear();
  const startOffset = options.startOffset ?? 0;
  map.advanceTo(startOffset);
  const tick = yieldEvery(options.yieldEveryBatches ?? 8, { signal: options.signal });

  for await (const bytes of storedBatches(batches)) {
    await tick();
    const header = RecordBatchHeader.at(bytes);
    const baseOffset = Number(header.baseOffset);
    const nextOffset = Number(header.nextOffset);
    if (nextOffset <= startOffset) continue;
    const aborted =
      header.isTransactional && options.aborted?.contains(header.producerId, baseOffset) === true;
    if (header.isControl || aborted) {
      map.advanceTo(nextOffset);
      continue;
    }
    const batch = await decodeBatch(bytes, 0, options.decode);
    for (const record of batch.records) {
      const offset = baseOffset + record.offsetDelta;
      if (offset < startOffset) continue;
      if (record.key === null) {
        map.advanceTo(offset + 1);
      } else if (!map.put(record.key, offset)) {
        map.advanceTo(offset);
        return { map, full: true, endOffset: map.endOffset };
      }
    }
    map.advanceTo(nextOffset);
  }
  return { map, full: false, endOffset: map.endOffset };
}
