import { decodeBatch, TimestampType } from "@logbook/protocol";
import type { TimestampLookup } from "../partition-log.js";
import type { StoredBatch } from "./segment.js";

/**
 * Offset and effective timestamp of every record in a stored batch, in order. Under
 * LogAppendTime every record carries the batch's maxTimestamp, as clients see it.
 */
export async function recordTimestamps(batch: StoredBatch): Promise<TimestampLookup[]> {
  const decoded = await decodeBatch(batch.bytes, 0, { verifyCrc: false });
  const appendTime = decoded.timestampType === TimestampType.logAppendTime;
  return decoded.records.map((r) => ({
    offset: batch.baseOffset + r.offsetDelta,
    timestamp: appendTime
      ? Number(decoded.maxTimestamp)
      : Number(decoded.baseTimestamp + r.timestampDelta),
  }));
}
