import { firstAtOrAfter, maxAtOrAfter, recordTimestamps } from "../batch-search.js";
import type { LogConfig } from "../config.js";
import type { TimestampLookup } from "../partition-log.js";
import type { Segment } from "./segment.js";
import type { SegmentList } from "./segment-list.js";

/**
 * ListOffsets by timestamp over a disk log: the time indexes narrow the search to a few
 * batches, and only those are decoded (the in-batch search is the engines' shared one).
 * Like reads, searches are not serialised with appends or retention: each segment is
 * pinned while it is searched, and the log's bounds are read afresh at each step. The
 * indexes a search loads go through the segment list's index cache, as a read's do.
 */

/** The log a search runs over; read at each step, as they move while it awaits. */
export interface SearchedLog {
  readonly logStartOffset: number;
  readonly highWatermark: number;
  readonly config: LogConfig;
}

/** What a segment's search found: a record, none in the log (null), or look further (undefined). */
type SegmentOutcome = TimestampLookup | null | undefined;

/** The first record at or above the log start whose timestamp is >= `timestamp`. */
export async function offsetForTimestamp(
  segments: SegmentList,
  log: SearchedLog,
  timestamp: number,
): Promise<TimestampLookup | null> {
  for (const seg of [...segments.all]) {
    if (seg.maxTimestamp < timestamp) continue;
    const outcome = await searching(segments, seg, async (): Promise<SegmentOutcome> => {
      const interval = log.config.indexIntervalBytes;
      const from = Math.max(await seg.timestampScanStart(timestamp, interval), log.logStartOffset);
      for await (const info of seg.batchesFrom(from, log.config.indexIntervalBytes)) {
        if (info.baseOffset >= log.highWatermark) return null;
        if (info.maxTimestamp < timestamp) continue;
        const found = await firstRecordAtOrAfter(log, seg, info.position, info.size, timestamp);
        if (found !== null) return found;
      }
      return undefined;
    });
    if (outcome !== undefined) return outcome;
  }
  return null;
}

/** The first record with the largest timestamp at or above the log start. */
export async function maxTimestamp(
  segments: SegmentList,
  log: SearchedLog,
): Promise<TimestampLookup | null> {
  // Per segment, the largest timestamp at or above the log start, and a batch holding it.
  let best: { ts: number; seg: Segment; batchBase: number } | null = null;
  const all = [...segments.all];
  for (let i = 0; i < all.length; i++) {
    const seg = all[i] as Segment;
    const next = all[i + 1]?.baseOffset ?? Number.POSITIVE_INFINITY;
    if (next <= log.logStartOffset || seg.maxTimestamp < 0) continue;
    let candidate: { ts: number; batchBase: number } | null = {
      ts: seg.maxTimestamp,
      batchBase: seg.offsetOfMaxTimestamp,
    };
    if (seg.baseOffset < log.logStartOffset)
      candidate = await maxAtOrAfterStart(segments, log, seg);
    if (candidate !== null && (best === null || candidate.ts > best.ts))
      best = { ...candidate, seg };
  }
  if (best === null) return null;
  const { seg, ts, batchBase } = best;
  return searching(segments, seg, async () => {
    const batch = await seg.findBatch(
      Math.max(batchBase, log.logStartOffset),
      log.config.indexIntervalBytes,
    );
    if (batch === null) return null;
    return firstRecordAtOrAfter(log, seg, batch.position, batch.size, ts);
  });
}

/** The segment holding the log start: its max over records at or after the start. */
function maxAtOrAfterStart(
  segments: SegmentList,
  log: SearchedLog,
  seg: Segment,
): Promise<{ ts: number; batchBase: number } | null> {
  return searching(segments, seg, async () => {
    let best: { ts: number; batchBase: number } | null = null;
    const start = log.logStartOffset;
    for await (const info of seg.batchesFrom(start, log.config.indexIntervalBytes)) {
      let ts = info.maxTimestamp;
      if (info.baseOffset < log.logStartOffset) {
        // A batch straddling the log start: only its records from the start count.
        const records = await recordTimestamps(await seg.read(info.position, info.size));
        ts = maxAtOrAfter(records, log.logStartOffset)?.timestamp ?? -1;
      }
      if (ts >= 0 && (best === null || ts > best.ts)) best = { ts, batchBase: info.baseOffset };
    }
    return best;
  });
}

/** Runs one segment's part of a search with the segment pinned and its indexes cached. */
function searching<T>(segments: SegmentList, seg: Segment, fn: () => Promise<T>): Promise<T> {
  return segments.pinned(seg, () => segments.indexed(seg, fn));
}

/** Decodes one stored batch and returns its first record at or above the log start with timestamp >= ts. */
async function firstRecordAtOrAfter(
  log: SearchedLog,
  seg: Segment,
  position: number,
  size: number,
  ts: number,
): Promise<TimestampLookup | null> {
  const records = await recordTimestamps(await seg.read(position, size));
  return firstAtOrAfter(records, ts, log.logStartOffset);
}
