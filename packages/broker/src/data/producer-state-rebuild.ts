import {
  ControlRecordType,
  decodeBatch,
  decodeControlKey,
  decodeEndTxnMarker,
  RecordBatchHeader,
} from "@logbook/protocol";
import type { PartitionLog } from "@logbook/storage";
import {
  lastSequence,
  PartitionProducerState,
  type ProducerSnapshotEntry,
} from "./producer-state.js";

const READ_CHUNK_BYTES = 1024 * 1024;
const DONE: Promise<void> = Promise.resolve();

/** A partition's producer state as of `endOffset` (see producer-snapshots.ts). */
export interface ProducerStateCheckpoint {
  endOffset: number;
  entries: ProducerSnapshotEntry[];
}

export interface RebuildResult {
  state: PartitionProducerState;
  /** Whether the checkpoint was used (false: none given, or it did not fit the log). */
  fromCheckpoint: boolean;
  /** Batch headers read from the log; tests use it to see how much was rescanned. */
  batchesScanned: number;
}

/**
 * Rebuilds a partition's producer state, so that de-duplication and sequence checks
 * survive a restart: from a checkpoint (a snapshot) plus the batch headers after it
 * when the checkpoint fits the log, else from every batch header in the log. Only
 * headers are looked at, but the bytes are read, which is why the snapshot matters.
 *
 * A checkpoint fits when log start <= endOffset <= high watermark. One ahead of the
 * log (the log was truncated or lost its tail) could hold batches that no longer
 * exist; one below the log start describes batches DeleteRecords or retention
 * removed. Either way the full scan is the truth.
 */
export async function rebuildFrom(
  log: PartitionLog,
  checkpoint: ProducerStateCheckpoint | null,
): Promise<RebuildResult> {
  const state = new PartitionProducerState();
  let offset = log.logStartOffset;
  const fits =
    checkpoint !== null &&
    checkpoint.endOffset >= log.logStartOffset &&
    checkpoint.endOffset <= log.highWatermark;
  if (fits) {
    for (const entry of checkpoint.entries) restoreLive(state, entry, log.logStartOffset);
    offset = checkpoint.endOffset;
  }
  const batchesScanned = await scan(log, state, offset);
  return { state, fromCheckpoint: fits, batchesScanned };
}

/** The full rebuild, from every batch header in the log. */
export async function rebuildProducerState(log: PartitionLog): Promise<PartitionProducerState> {
  return (await rebuildFrom(log, null)).state;
}

/**
 * Batches below the log start are gone from the log, so a full scan would not know
 * them; neither does the restored state (a producer left without batches is unknown
 * again, as after retention).
 */
function restoreLive(
  state: PartitionProducerState,
  entry: ProducerSnapshotEntry,
  logStart: number,
): void {
  const batches = entry.batches.filter((b) => b.lastOffset >= logStart);
  // An open transaction keeps its producer: its marker is still to come.
  const open = (entry.currentTxnFirstOffset ?? -1) >= 0;
  if (entry.batches.length > 0 && batches.length === 0 && !open) return;
  state.restore({ ...entry, batches });
}

async function scan(log: PartitionLog, state: PartitionProducerState, from: number) {
  let offset = from;
  let scanned = 0;
  while (offset < log.highWatermark) {
    const read = await log.read(offset, READ_CHUNK_BYTES);
    if (read.kind !== "ok" || read.records.length === 0) break;
    let at = 0;
    let next = offset;
    while (at < read.records.length) {
      const h = RecordBatchHeader.at(read.records, at);
      if (h.end > read.records.length) break;
      // A read starts at the batch containing `offset`; a checkpoint never splits a
      // batch, but a batch already in it must not be applied twice.
      if (Number(h.lastOffset) >= offset) {
        await apply(state, h, read.records, at);
        scanned++;
      }
      next = Number(h.nextOffset);
      at = h.end;
    }
    if (next <= offset) break;
    offset = next;
  }
  return scanned;
}

async function apply(
  state: PartitionProducerState,
  h: RecordBatchHeader,
  buf: Buffer,
  at: number,
): Promise<void> {
  const producerId = h.producerId;
  if (producerId < 0n) return;
  if (h.isControl) {
    await applyControl(state, h, buf, at);
    return;
  }
  if (h.baseSequence < 0) {
    state.recordEpoch(producerId, h.producerEpoch);
    return;
  }
  const firstOffset = Number(h.baseOffset);
  state.record(
    producerId,
    h.producerEpoch,
    {
      firstSeq: h.baseSequence,
      lastSeq: lastSequence(h.baseSequence, h.lastOffsetDelta),
      firstOffset,
      lastOffset: firstOffset + h.lastOffsetDelta,
      maxTimestamp: Number(h.maxTimestamp),
      written: DONE,
    },
    Number(h.maxTimestamp),
    h.isTransactional,
  );
}

/**
 * A transaction marker ends the producer's transaction as it did when written; control
 * batches are small and uncompressed, so decoding the one record is cheap.
 */
async function applyControl(
  state: PartitionProducerState,
  h: RecordBatchHeader,
  buf: Buffer,
  at: number,
): Promise<void> {
  const record = (await decodeBatch(buf, at, { verifyCrc: false })).records[0];
  const type = record === undefined ? -1 : decodeControlKey(record.key).type;
  if (
    record === undefined ||
    (type !== ControlRecordType.abort && type !== ControlRecordType.commit)
  ) {
    state.recordEpoch(h.producerId, h.producerEpoch);
    return;
  }
  state.endTransaction(
    {
      producerId: h.producerId,
      epoch: h.producerEpoch,
      coordinatorEpoch: decodeEndTxnMarker(record.value).coordinatorEpoch,
      commit: type === ControlRecordType.commit,
    },
    Number(h.baseOffset),
    Number(h.maxTimestamp),
  );
}
