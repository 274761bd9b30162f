import assert from "node:assert/strict";
import { type DecodedBatch, decodeBatch, RecordBatchHeader } from "@logbook/protocol";
import type { PartitionLog } from "../../src/partition-log.js";

export interface KeyedRecord {
  offset: number;
  key: string | null;
  value: string | null;
}

/** Every record from the log start to the high watermark, with its key and value. */
export async function readKeyedRecords(log: PartitionLog): Promise<KeyedRecord[]> {
  const out: KeyedRecord[] = [];
  let offset = log.logStartOffset;
  while (offset < log.highWatermark) {
    const r = await log.read(offset, 1 << 20);
    assert.equal(r.kind, "ok");
    if (r.kind !== "ok" || r.records.length === 0) break;
    let pos = 0;
    while (pos < r.records.length) {
      const h = RecordBatchHeader.at(r.records, pos);
      out.push(...keyedRecordsOf(await decodeBatch(r.records, pos), offset));
      offset = Number(h.baseOffset) + h.lastOffsetDelta + 1;
      pos = h.end;
    }
  }
  return out;
}

/** A decoded batch's records at or after `from`, with their offsets, keys and values. */
export function keyedRecordsOf(batch: DecodedBatch, from: number): KeyedRecord[] {
  const out: KeyedRecord[] = [];
  for (const rec of batch.records) {
    const offset = Number(batch.baseOffset) + rec.offsetDelta;
    if (offset >= from)
      out.push({ offset, key: rec.key?.toString() ?? null, value: rec.value?.toString() ?? null });
  }
  return out;
}
