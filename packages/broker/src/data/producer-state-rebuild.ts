import { RecordBatchHeader } from "@logbook/protocol";
import type { PartitionLog } from "@logbook/storage";
import { lastSequence, PartitionProducerState } from "./producer-state.js";

const READ_CHUNK_BYTES = 1024 * 1024;
const DONE: Promise<void> = Promise.resolve();

/**
 * Rebuilds a partition's producer state from the batch headers in its log, so that
 * de-duplication and sequence checks survive a restart. Reads the whole log once per
 * partition (on first produce after start); only headers are looked at, but the
 * bytes are read. A snapshot beside the segments (ProducerStateSnapshot) would bound
 * this to the tail; not done yet.
 */
export async function rebuildProducerState(log: PartitionLog): Promise<PartitionProducerState> {
  const state = new PartitionProducerState();
  let offset = log.logStartOffset;
  while (offset < log.highWatermark) {
    const read = await log.read(offset, READ_CHUNK_BYTES);
    if (read.kind !== "ok" || read.records.length === 0) break;
    let at = 0;
    let next = offset;
    while (at < read.records.length) {
      const h = RecordBatchHeader.at(read.records, at);
      if (h.end > read.records.length) break;
      apply(state, h);
      next = Number(h.nextOffset);
      at = h.end;
    }
    if (next <= offset) break;
    offset = next;
  }
  return state;
}

function apply(state: PartitionProducerState, h: RecordBatchHeader): void {
  const producerId = h.producerId;
  if (producerId < 0n) return;
  if (h.isControl || h.baseSequence < 0) {
    state.recordEpoch(producerId, h.producerEpoch);
    return;
  }
  const firstOffset = Number(h.baseOffset);
  state.record(producerId, h.producerEpoch, {
    firstSeq: h.baseSequence,
    lastSeq: lastSequence(h.baseSequence, h.lastOffsetDelta),
    firstOffset,
    lastOffset: firstOffset + h.lastOffsetDelta,
    written: DONE,
  });
}
