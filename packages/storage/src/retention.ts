import type { LogConfig } from "./config.js";

/** The settings retention applies (both engines run the same rule). */
export type RetentionRules = Pick<LogConfig, "cleanupPolicy" | "retentionMs" | "retentionBytes">;

/** No time or size limit: only segments wholly below the log start go (DeleteRecords). */
export const BELOW_LOG_START_ONLY: Readonly<RetentionRules> = Object.freeze({
  cleanupPolicy: Object.freeze({ delete: false, compact: false }),
  retentionMs: -1,
  retentionBytes: -1,
});

export interface SegmentSummary {
  baseOffset: number;
  size: number;
  /** Largest record timestamp in the segment; -1 when it has none. */
  maxTimestamp: number;
  /**
   * When the segment was last written (on disk, the `.log` file's modification time),
   * which stands in for maxTimestamp when the segment has no timestamp (as in Kafka); a
   * segment without either is kept.
   */
  lastModified?: number;
}

/** What retention.ms compares with now: Kafka's LogSegment.largestTimestamp. */
export function largestTimestamp(s: SegmentSummary): number {
  if (s.maxTimestamp >= 0) return s.maxTimestamp;
  return s.lastModified ?? Number.POSITIVE_INFINITY;
}

/**
 * How many of the oldest segments retention removes. `segments` is ascending by base
 * offset and its last entry is the active segment, which is never removed. A segment
 * goes when every offset in it is below the log start offset (DeleteRecords), or, for
 * cleanup.policy=delete, when its newest record (or, with no timestamps, its last write)
 * is older than retention.ms or the log without it is still at least retention.bytes.
 * Only a prefix is ever removed, so the log stays contiguous. -1 disables a limit
 * (infinite retention). The rule of both engines, so retention behaves alike in each.
 */
export function segmentsToDelete(
  segments: readonly SegmentSummary[],
  config: RetentionRules,
  now: number,
  logStartOffset: number,
): number {
  let total = 0;
  for (const s of segments) total += s.size;
  let n = 0;
  for (let i = 0; i < segments.length - 1; i++) {
    const seg = segments[i] as SegmentSummary;
    const next = segments[i + 1] as SegmentSummary;
    const belowStart = next.baseOffset <= logStartOffset;
    const byTime =
      config.cleanupPolicy.delete &&
      config.retentionMs >= 0 &&
      largestTimestamp(seg) < now - config.retentionMs;
    const bySize =
      config.cleanupPolicy.delete &&
      config.retentionBytes >= 0 &&
      total - seg.size >= config.retentionBytes;
    if (!(belowStart || byTime || bySize)) break;
    total -= seg.size;
    n++;
  }
  return n;
}
