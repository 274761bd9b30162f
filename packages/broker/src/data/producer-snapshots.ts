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

/** Value: INT16 version + ProducerStateSnapshot. */
export function encodeSnapshot(checkpoint: ProducerStateCheckpoint): Buffer {
  const snapshot = createProducerStateSnapshot({
    lastOffset: BigInt(checkpoint.endOffset),
    entries: checkpoint.entries.map((e) =>
      createProducerStateSnapshotProducerEntry({
        producerId: e.producerId,
        producerEpoch: e.epoch,
        lastTimestamp: BigInt(e.lastTimestamp),
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
    latest.delete(key);
    if (value === undefined) return null;
    try {
      const checkpoint = decodeSnapshot(value);
      if (checkpoint !== undefined) return checkpoint;
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
      snapshots.map((s) => ({
        key: Buffer.from(snapshotKey(s.topic, s.partition)),
        value: encodeSnapshot(s.checkpoint),
      })),
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
