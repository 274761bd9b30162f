import {
  createProducerStateSnapshot,
  createProducerStateSnapshotBatchMetadata,
  createProducerStateSnapshotProducerEntry,
  decodeProducerStateSnapshot,
  encodeProducerStateSnapshot,
  Reader,
  sizeProducerStateSnapshot,
  Writer,
} from "@logbook/protocol";
import { InternalLog, type Logger, type StorageEngine } from "@logbook/storage";
import type { AbortedTxn } from "./aborted-txns.js";
import type { ProducerStateCheckpoint } from "./producer-state-rebuild.js";

/** The internal compacted log holding the latest producer-state snapshot per partition. */
export const PRODUCER_SNAPSHOTS_PARTITION = {
  topic: "__producer_snapshots",
  partition: 0,
} as const;

const VERSION = 0;

export interface PartitionSnapshot {
  topic: string;
  partition: number;
  checkpoint: ProducerStateCheckpoint;
}

/** Key: "<topic>/<partition>" (topic names cannot contain '/'), so compaction keeps one per partition. */
export function snapshotKey(topic: string, partition: number): string {
  return `${topic}/${partition}`;
}

/**
 * Key of a partition's aborted-transaction ranges, a record beside the snapshot ('#'
 * cannot occur in a topic name). Written in the same batch as the snapshot, and only
 * when there are ranges; read only when its endOffset matches the snapshot's.
 */
export function abortedKey(topic: string, partition: number): string {
  return `${snapshotKey(topic, partition)}#aborted`;
}

const ABORTED_VERSION = 0;
const ABORTED_ENTRY_BYTES = 24;

/** Value: INT16 version 0, INT64 endOffset, INT32 count, count × (INT64 producerId, INT64 firstOffset, INT64 lastOffset). */
export function encodeAborted(endOffset: number, aborted: readonly AbortedTxn[]): Buffer {
  const b = Buffer.alloc(14 + aborted.length * ABORTED_ENTRY_BYTES);
  b.writeInt16BE(ABORTED_VERSION, 0);
  b.writeBigInt64BE(BigInt(endOffset), 2);
  b.writeInt32BE(aborted.length, 10);
  aborted.forEach((a, i) => {
    const at = 14 + i * ABORTED_ENTRY_BYTES;
    b.writeBigInt64BE(a.producerId, at);
    b.writeBigInt64BE(BigInt(a.firstOffset), at + 8);
    b.writeBigInt64BE(BigInt(a.lastOffset), at + 16);
  });
  return b;
}

/** Undefined for an unknown version or a malformed value. */
export function decodeAborted(
  value: Buffer,
): { endOffset: number; aborted: AbortedTxn[] } | undefined {
  if (value.length < 14 || value.readInt16BE(0) !== ABORTED_VERSION) return undefined;
  const count = value.readInt32BE(10);
  if (count < 0 || value.length !== 14 + count * ABORTED_ENTRY_BYTES) return undefined;
  const aborted: AbortedTxn[] = [];
  for (let i = 0; i < count; i++) {
    const at = 14 + i * ABORTED_ENTRY_BYTES;
    aborted.push({
      producerId: value.readBigInt64BE(at),
      firstOffset: Number(value.readBigInt64BE(at + 8)),
      lastOffset: Number(value.readBigInt64BE(at + 16)),
    });
  }
  return { endOffset: Number(value.readBigInt64BE(2)), aborted };
}

/** Value: INT16 version + ProducerStateSnapshot (its CoordinatorEpoch and CurrentTxnFirstOffset carry transactions). */
export function encodeSnapshot(checkpoint: ProducerStateCheckpoint): Buffer {
  const snapshot = createProducerStateSnapshot({
    lastOffset: BigInt(checkpoint.endOffset),
    entries: checkpoint.entries.map((e) =>
      createProducerStateSnapshotProducerEntry({
        producerId: e.producerId,
        producerEpoch: e.epoch,
        coordinatorEpoch: e.coordinatorEpoch ?? -1,
        lastTimestamp: BigInt(e.lastTimestamp),
        currentTxnFirstOffset: BigInt(e.currentTxnFirstOffset ?? -1),
        batches: e.batches.map((b) =>
          createProducerStateSnapshotBatchMetadata({
            firstSequence: b.firstSeq,
            lastSequence: b.lastSeq,
            lastOffset: BigInt(b.lastOffset),
            offsetDelta: b.lastOffset - b.firstOffset,
          }),
        ),
      }),
    ),
  });
  const w = Writer.alloc(2 + sizeProducerStateSnapshot(snapshot, VERSION));
  w.int16(VERSION);
  encodeProducerStateSnapshot(w, snapshot, VERSION);
  return w.result();
}

/** Undefined for a version this broker does not know (a newer broker wrote it). */
export function decodeSnapshot(value: Buffer): ProducerStateCheckpoint | undefined {
  const r = new Reader(value);
  if (r.int16() !== VERSION) return undefined;
  const s = decodeProducerStateSnapshot(r, VERSION);
  return {
    endOffset: Number(s.lastOffset),
    entries: s.entries.map((e) => ({
      producerId: e.producerId,
      epoch: e.producerEpoch,
      lastTimestamp: Number(e.lastTimestamp),
      // Only when set, so snapshots from before transactions decode as they did.
      ...(e.coordinatorEpoch >= 0 ? { coordinatorEpoch: e.coordinatorEpoch } : {}),
      ...(e.currentTxnFirstOffset >= 0n
        ? { currentTxnFirstOffset: Number(e.currentTxnFirstOffset) }
        : {}),
      batches: e.batches.map((b) => {
        const lastOffset = Number(b.lastOffset);
        return {
          firstSeq: b.firstSequence,
          lastSeq: b.lastSequence,
          firstOffset: lastOffset - b.offsetDelta,
          lastOffset,
        };
      }),
    })),
  };
}

/**
 * Producer-state snapshots on the storage seam (so every engine has them): one
 * compacted InternalLog, latest record per partition key wins. Replayed once, on the
 * first partition that asks; each partition takes its snapshot once (a partition's
 * state is rebuilt once per process), which frees the memory again.
 */
export class ProducerSnapshotStore {
  private opening: Promise<{ log: InternalLog; latest: Map<string, Buffer> }> | null = null;

  constructor(
    private readonly storage: StorageEngine,
    private readonly logger: Logger,
  ) {}

  /** The latest snapshot of a partition, or null (none, or unreadable). */
  async take(topic: string, partition: number): Promise<ProducerStateCheckpoint | null> {
    const { latest } = await this.open();
    const key = snapshotKey(topic, partition);
    const value = latest.get(key);
    const abortedValue = latest.get(abortedKey(topic, partition));
    latest.delete(key);
    latest.delete(abortedKey(topic, partition));
    if (value === undefined) return null;
    try {
      const checkpoint = decodeSnapshot(value);
      if (checkpoint !== undefined) {
        const ranges = abortedValue === undefined ? undefined : decodeAborted(abortedValue);
        // Both records go in one batch, so ranges of another endOffset are left from an
        // older snapshot: this one was written with none.
        if (ranges !== undefined && ranges.endOffset === checkpoint.endOffset)
          checkpoint.aborted = ranges.aborted;
        return checkpoint;
      }
      this.logger.warn("ignoring a producer snapshot of an unknown version", { topic, partition });
    } catch (err) {
      this.logger.warn("ignoring an undecodable producer snapshot", {
        topic,
        partition,
        error: String(err),
      });
    }
    return null;
  }

  /** Writes the snapshots as one durable batch. */
  async write(snapshots: readonly PartitionSnapshot[]): Promise<void> {
    if (snapshots.length === 0) return;
    const { log } = await this.open();
    await log.append(
      snapshots.flatMap((s) => {
        const snapshot = {
          key: Buffer.from(snapshotKey(s.topic, s.partition)),
          value: encodeSnapshot(s.checkpoint),
        };
        const aborted = s.checkpoint.aborted ?? [];
        if (aborted.length === 0) return [snapshot];
        return [
          snapshot,
          {
            key: Buffer.from(abortedKey(s.topic, s.partition)),
            value: encodeAborted(s.checkpoint.endOffset, aborted),
          },
        ];
      }),
    );
  }

  private open(): Promise<{ log: InternalLog; latest: Map<string, Buffer> }> {
    if (this.opening === null) {
      const opening = (async () => {
        const log = await InternalLog.open(
          this.storage,
          PRODUCER_SNAPSHOTS_PARTITION.topic,
          PRODUCER_SNAPSHOTS_PARTITION.partition,
        );
        const latest = new Map<string, Buffer>();
        await log.replay((r) => {
          const key = r.key.toString();
          if (r.value === null) latest.delete(key);
          else latest.set(key, r.value);
        });
        return { log, latest };
      })();
      this.opening = opening;
      opening.catch(() => {
        if (this.opening === opening) this.opening = null;
      });
    }
    return this.opening;
  }
}
