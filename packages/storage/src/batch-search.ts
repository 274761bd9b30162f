import { type BatchRecord, type DecodedBatch, decodeBatch, TimestampType } from "@logbook/protocol";
import type { TimestampLookup } from "./partition-log.js";

/**
 * Searching inside one stored batch, the same for every engine: which offset and
 * timestamp each record has, and the record a ListOffsets lookup answers with.
 */

/**
 * A record's timestamp as clients see it: its own (CreateTime), or under LogAppendTime
 * the batch's maxTimestamp, which the broker stamped with its append time.
 */
export function effectiveTimestamp(
  batch: Pick<DecodedBatch, "timestampType" | "baseTimestamp" | "maxTimestamp">,
  record: Pick<BatchRecord, "timestampDelta">,
): number {
  return batch.timestampType === TimestampType.logAppendTime
    ? Number(batch.maxTimestamp)
    : Number(batch.baseTimestamp + record.timestampDelta);
}

/** Offset and effective timestamp of every record of a stored batch, in offset order. */
export async function recordTimestamps(batch: Buffer): Promise<TimestampLookup[]> {
  const decoded = await decodeBatch(batch, 0, { verifyCrc: false });
  const base = Number(decoded.baseOffset);
  return decoded.records.map((r) => ({
    offset: base + r.offsetDelta,
    timestamp: effectiveTimestamp(decoded, r),
  }));
}

/** The first record at or above `fromOffset` whose timestamp is >= `timestamp`. */
export function firstAtOrAfter(
  records: readonly TimestampLookup[],
  timestamp: number,
  fromOffset: number,
): TimestampLookup | null {
  for (const r of records) if (r.offset >= fromOffset && r.timestamp >= timestamp) return r;
  return null;
}

/** The first record with the largest timestamp among those at or above `fromOffset`. */
export function maxAtOrAfter(
  records: readonly TimestampLookup[],
  fromOffset: number,
): TimestampLookup | null {
  let best: TimestampLookup | null = null;
  for (const r of records) {
    if (r.offset >= fromOffset && (best === null || r.timestamp > best.timestamp)) best = r;
  }
  return best;
}
