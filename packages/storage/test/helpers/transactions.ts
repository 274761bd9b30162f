import {
  buildEndTxnMarkerBatch,
  ControlRecordType,
  decodeBatch,
  decodeControlKey,
  RecordBatchHeader,
} from "@logbook/protocol";
import type { PartitionLog } from "../../src/partition-log.js";
import { makeBatch, T0, type TestRecord } from "./batches.js";
import { type KeyedRecord, keyedRecordsOf } from "./keyed-records.js";

/** A transactional data batch of `producerId` (epoch 0). */
export function txnBatch(
  producerId: bigint,
  records: readonly TestRecord[] | number,
  baseSequence = 0,
): Promise<Buffer> {
  return makeBatch(records, { isTransactional: true, producerId, producerEpoch: 0, baseSequence });
}

/** A COMMIT or ABORT marker batch of `producerId`. */
export function markerBatch(producerId: bigint, commit: boolean, timestamp = T0): Promise<Buffer> {
  return buildEndTxnMarkerBatch({
    commit,
    producerId,
    producerEpoch: 0,
    coordinatorEpoch: 0,
    timestamp: BigInt(timestamp),
  });
}

export type CommittedRecord = KeyedRecord;

/**
 * What a read_committed consumer sees, computed as Kafka's consumer does it: each
 * fetch (up to the last stable offset) comes with log.abortedTransactions for its
 * batches; a producer's transactional batches are skipped from the first offset of
 * one of its aborted transactions until its ABORT marker. Control batches are not
 * returned. `maxBytes` small makes many fetches (each with its own aborted list).
 */
export async function readCommitted(
  log: PartitionLog,
  maxBytes = 1 << 20,
): Promise<CommittedRecord[]> {
  const out: CommittedRecord[] = [];
  const bound = log.lastStableOffset;
  let offset = log.logStartOffset;
  while (offset < bound) {
    const r = await log.read(offset, maxBytes, bound);
    if (r.kind !== "ok" || r.records.length === 0) break;
    const headers: RecordBatchHeader[] = [];
    for (let at = 0; at < r.records.length; ) {
      const h = RecordBatchHeader.at(r.records, at);
      headers.push(h);
      at = h.end;
    }
    const first = Number((headers[0] as RecordBatchHeader).baseOffset);
    const end = Number((headers.at(-1) as RecordBatchHeader).lastOffset) + 1;
    const queue = await log.abortedTransactions(first, end);
    const abortedProducers = new Set<bigint>();
    for (const h of headers) {
      while (queue.length > 0 && (queue[0]?.firstOffset ?? 0) <= Number(h.lastOffset))
        abortedProducers.add(queue.shift()?.producerId ?? -1n);
      const batch = await decodeBatch(h.bytes());
      if (h.isControl) {
        const key = batch.records[0]?.key ?? null;
        if (key !== null && decodeControlKey(key).type === ControlRecordType.abort)
          abortedProducers.delete(h.producerId);
        continue;
      }
      if (h.isTransactional && abortedProducers.has(h.producerId)) continue;
      out.push(...keyedRecordsOf(batch, offset));
    }
    offset = end;
  }
  return out;
}
