/**
 * Log compaction: the core of Kafka's LogCleaner, as pure functions over record
 * batches. Nothing here knows about files; the disk engine reads segments, feeds their
 * batches through this code and swaps the results in.
 *
 * WHAT COMPACTION KEEPS
 * A compacted log keeps, for every key, at least the latest record written with that
 * key. Older records of a key go, and so, after a grace period, does a key's tombstone
 * (a record with a null value), so a consumer that reads the whole log sees the final
 * state of every key. A record survives a pass when:
 *   - its offset is at or above the map's `endOffset` (the map knows nothing about
 *     it yet), or
 *   - it has no key (the broker refuses these at produce time; kept rather than lost), or
 *   - it is the latest for its key (offset >= the map's offset for the key, or the key
 *     is not in the map), unless it is a tombstone in a batch whose maxTimestamp is
 *     below the delete horizon,
 * and it is not transactional data inside an aborted transaction the caller listed.
 *
 * CLEAN AND DIRTY SECTIONS
 * The log is [clean section][dirty section][active segment]. The clean section was
 * compacted by an earlier pass, so it holds at most one record per key; the dirty
 * section is everything appended since, up to the active segment and the last stable
 * offset (data of open transactions is never cleaned: whether it will be aborted is not
 * known yet). A pass starts when cleanableRatio(clean, dirty) passes
 * min.cleanable.dirty.ratio (shouldClean).
 *
 * THE OFFSET MAP
 * A pass first scans the dirty section into an OffsetMap: key -> latest offset. The map
 * is bounded: it holds a 128-bit digest of each key (SHA-256 truncated; MD5 would allow
 * crafted collisions, and a collision drops a record of another key) and refuses new
 * keys beyond `maxEntries`. When it fills, buildOffsetMap stops before the first record
 * that did not fit and reports `endOffset`; the caller cleans with this map, marks the
 * log clean up to `endOffset`, and builds the next map from there. Control batches and
 * aborted data are not put in the map (aborted data must not supersede committed data).
 *
 * A PASS
 * With the map built, the caller streams every segment from the log start up to the
 * segment holding `endOffset` through cleanSegmentBatches, in order, and writes what
 * comes out. Each pass must start at the log start: a tombstone may only go once every
 * older record of its key has been checked against a map that contained the tombstone,
 * and the TransactionTracker must see all of a transaction's data before its marker.
 *
 * WHY OFFSETS NEVER CHANGE
 * Consumers' committed offsets, the offset and time indexes, producer sequence numbers
 * and the fetch protocol all address records by offset. A rewritten batch therefore
 * keeps its baseOffset, its original lastOffsetDelta (the batch still spans the same
 * offsets, and baseSequence + lastOffsetDelta is still the producer's last sequence),
 * and every survivor keeps its offsetDelta and timestampDelta: gaps are allowed, and
 * clients skip them. Producer fields, attributes and maxTimestamp stay; the records are
 * compressed again with the batch's own codec and get a fresh CRC-32C. A batch whose
 * records all survive is returned as the very same bytes.
 *
 * TOMBSTONE HORIZON
 * A tombstone must live long enough for every consumer to see it, so it is removed only
 * when its batch's maxTimestamp is below `deleteHorizonMs` (now - delete.retention.ms).
 * Kafka instead judged whole segments by the time they were last cleaned (later KIP-534
 * stamps a horizon into the batch); a caller wanting that passes -Infinity or +Infinity
 * per segment.
 *
 * TRANSACTIONS
 * COMMIT/ABORT markers (control batches) are kept until past the horizon and, when a
 * TransactionTracker is given, until no data of their transaction is left; removing a
 * marker while its data remains would leave that transaction open on replay. Aborted
 * data is dropped when the caller passes the aborted transactions (from its transaction
 * index). Other control records (KRaft) are always kept.
 *
 * EMPTY BATCHES
 * A batch with no survivors is dropped, unless `retainEmptyBatch` says it is the last
 * batch of an idempotent or transactional producer: then a header-only batch takes its
 * place, so the producer's epoch and last sequence survive a restart. An empty batch
 * that no longer qualifies is dropped on a later pass.
 *
 * SWAPPING SEGMENTS CRASH-SAFELY (the disk engine's side, src/disk/compaction.ts)
 * Each cleaned segment is written to `<base>.log.cleaned` (same base offset) and
 * fsynced. Under the log's write lock: a `<base>.log.swap.range` note names the segments
 * it replaces; renaming `.cleaned` to `.log.swap` commits the swap; the old segment's
 * files become `.deleted`; `.log.swap` becomes `.log`; the note goes; the directory is
 * fsynced. At open, recovery deletes `.cleaned` and `.deleted` files, completes any
 * committed `.log.swap` and deletes uncommitted swap leftovers. A crash at any point
 * therefore leaves either the old segment or the new one, never neither (and, once
 * recovery ran, never both). Since offsets are unchanged, a reader positioned by offset
 * reads either copy alike.
 *
 * Time-slicing: every iterator here yields to the event loop every few batches
 * (yieldEvery), so a pass runs off the request path without stalling it.
 */
export { type AbortedTransaction, AbortedTransactions } from "./aborted-transactions.js";
export { type BatchSource, splitBatches, storedBatches } from "./batch-source.js";
export {
  type BuildOffsetMapOptions,
  buildOffsetMap,
  DEFAULT_OFFSET_MAP_ENTRIES,
  type OffsetMapBuild,
} from "./build-offset-map.js";
export { type CleanBatchOptions, cleanBatch } from "./clean-batch.js";
export { type CleanSegmentOptions, cleanSegmentBatches } from "./clean-segment.js";
export { type CleanStats, newCleanStats } from "./clean-stats.js";
export {
  type CompactionPassTarget,
  isAbortMarker,
  type PassSegment,
  runCompactionPass,
} from "./compaction-pass.js";
export { cleanableRatio, shouldClean } from "./dirty-ratio.js";
export {
  KEY_DIGEST_BYTES,
  keyDigest,
  OFFSET_MAP_BYTES_PER_SLOT,
  OffsetMap,
} from "./offset-map.js";
export { TransactionTracker } from "./transaction-tracker.js";
export { yieldEvery } from "./yield-every.js";
