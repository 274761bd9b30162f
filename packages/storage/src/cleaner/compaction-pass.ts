import { BatchField, ControlRecordType, type RecordBatchHeader } from "@logbook/protocol";
import type { LogConfig } from "../config.js";
import type { Logger } from "../logger.js";
import { controlTypeAt } from "../transactions/index.js";
import { type AbortedTransaction, AbortedTransactions } from "./aborted-transactions.js";
import { buildOffsetMap } from "./build-offset-map.js";
import { cleanSegmentBatches } from "./clean-segment.js";
import { newCleanStats } from "./clean-stats.js";
import { cleanableRatio, shouldClean } from "./dirty-ratio.js";
import { TransactionTracker } from "./transaction-tracker.js";

/** What a pass needs to know of a closed segment. */
export interface PassSegment {
  readonly baseOffset: number;
  /** Bytes of batches stored in it. */
  readonly size: number;
}

/**
 * One log as a compaction pass sees it; each engine implements the storage side (where
 * batches are read from, how a cleaned segment replaces the old one).
 */
export interface CompactionPassTarget<S extends PassSegment> {
  readonly config: Pick<LogConfig, "deleteRetentionMs" | "minCleanableDirtyRatio">;
  readonly logger: Logger;
  /** Closed segments (everything but the active one), oldest first. */
  closedSegments(): readonly S[];
  /** Base offset of the segment after `seg` (the active one's for the last closed). */
  nextBaseAfter(seg: S): number;
  /** Data at or above it (open transactions) is never cleaned. */
  readonly lastStableOffset: number;
  /** First offset not yet covered by a clean pass (never below the log start). */
  readonly cleanerOffset: number;
  /** Aborted transactions overlapping [from, to), from the log's transaction index. */
  abortedTransactions(from: number, to: number): AbortedTransaction[];
  /** The stored batches of `segments`, in offset order. */
  batches(segments: readonly S[]): AsyncGenerator<Buffer>;
  /** For each producer id, the base offset of its last batch in the closed segments. */
  lastBatchPerProducer(): Promise<Map<bigint, number>>;
  /** Stores `cleaned` in place of `seg` (same base offset); returns the bytes freed. */
  replaceSegment(seg: S, cleaned: AsyncGenerator<Buffer>): Promise<number>;
  /** Records how far the log is clean. */
  setCleanerOffset(offset: number): Promise<void>;
}

/**
 * One compaction pass over a log (see the design notes in ./index.ts), the same for every
 * engine: the closed segments below the last stable offset are candidates; when the
 * dirty ratio allows, the dirty ones are scanned into an offset map, then every candidate
 * from the log start up to where the map ends is cleaned, one segment into one, and the
 * log is marked clean up to there. Returns the bytes freed.
 */
export async function runCompactionPass<S extends PassSegment>(
  target: CompactionPassTarget<S>,
  now: number,
): Promise<number> {
  const cfg = target.config;
  // Never clean data of open transactions: stop at the last stable offset.
  const closed = target
    .closedSegments()
    .filter((s) => target.nextBaseAfter(s) <= target.lastStableOffset);
  if (closed.length === 0) return 0;
  let cleanBytes = 0;
  let dirtyBytes = 0;
  for (const s of closed) {
    if (target.nextBaseAfter(s) <= target.cleanerOffset) cleanBytes += s.size;
    else dirtyBytes += s.size;
  }
  if (!shouldClean(cleanableRatio(cleanBytes, dirtyBytes), cfg.minCleanableDirtyRatio)) return 0;

  const dirty = closed.filter((s) => target.nextBaseAfter(s) > target.cleanerOffset);
  const first = closed[0] as S;
  const end = target.nextBaseAfter(closed[closed.length - 1] as S);
  // The same instance for the map and the clean: aborted data must neither supersede
  // committed records in the map nor survive the clean.
  const aborted = new AbortedTransactions(target.abortedTransactions(first.baseOffset, end));
  const build = await buildOffsetMap(target.batches(dirty), {
    startOffset: target.cleanerOffset,
    aborted,
  });
  const lastBatchOf = await target.lastBatchPerProducer();
  const options = {
    deleteHorizonMs: now - cfg.deleteRetentionMs,
    aborted,
    transactions: new TransactionTracker(),
    retainEmptyBatch: (h: RecordBatchHeader) =>
      h.producerId >= 0n && lastBatchOf.get(h.producerId) === Number(h.baseOffset),
    stats: newCleanStats(),
  };
  let freed = 0;
  for (const seg of closed) {
    if (seg.baseOffset >= build.endOffset) break;
    freed += await target.replaceSegment(
      seg,
      cleanSegmentBatches(target.batches([seg]), build.map, options),
    );
  }
  await target.setCleanerOffset(build.endOffset);
  target.logger.info("compacted", {
    segments: closed.length,
    bytesFreed: freed,
    cleanedUpTo: build.endOffset,
    recordsRead: options.stats.recordsRead,
    recordsWritten: options.stats.recordsWritten,
  });
  return freed;
}

/** Whether a stored batch is an ABORT marker (its transaction-index entry lives while it does). */
export function isAbortMarker(batch: Buffer): boolean {
  const attributes = batch.readInt16BE(BatchField.attributes);
  return (attributes & 0x20) !== 0 && controlTypeAt(batch, 0) === ControlRecordType.abort;
}
