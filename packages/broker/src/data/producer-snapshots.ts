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

/**
 * Key of the aborted-transaction ranges that brokers before per-segment transaction
 * indexes wrote beside each snapshot ('#' cannot occur in a topic name). Now the
 * storage log indexes aborted transactions itself, so such a record is ignored when
 * read and deleted (a tombstone) with the partition's next snapshot.
 */
export function legacyAbortedKey(topic: string, partition: number): string {
  return `${snapshotKey(topic, partition)}#aborted`;
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
            timestamp: BigInt(b.maxTimestamp),
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
          maxTimestamp: Number(b.timestamp),
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
  /** Legacy aborted-range records seen, to delete with their partition's next snapshot. */
  private readonly legacyKeys = new Set<string>();

  constructor(
    private readonly storage: StorageEngine,
    private readonly logger: Logger,
  ) {}

  /** The latest snapshot of a partition, or null (none, or unreadable). */
  async take(topic: string, partition: number): Promise<ProducerStateCheckpoint | null> {
    const { latest } = await this.open();
    const key = snapshotKey(topic, partition);
    const value = latest.get(key);
    const legacy = legacyAbortedKey(topic, partition);
    if (latest.delete(legacy)) this.legacyKeys.add(legacy);
    latest.delete(key);
    if (value === undefined) return null;
    try {
      const checkpoint = decodeSnapshot(value);
      if (checkpoint !== undefined) return checkpoint;
      this.logger.warn("ignoring a producer snapshot of an unknown version", { topic, partition });
    } catch (err) {
      this.logger.warn(
        "ignoring an undecodable producer snapshot",
        {
          topic,
          partition,
        },
        err,
      );
    }
    return null;
  }

  /** Writes the snapshots as one durable batch. */
  async write(snapshots: readonly PartitionSnapshot[]): Promise<void> {
    if (snapshots.length === 0) return;
    const { log } = await this.open();
    const tombstoned: string[] = [];
    await log.append(
      snapshots.flatMap((s) => {
        const snapshot = {
          key: Buffer.from(snapshotKey(s.topic, s.partition)),
          value: encodeSnapshot(s.checkpoint),
        };
        const legacy = legacyAbortedKey(s.topic, s.partition);
        if (!this.legacyKeys.has(legacy)) return [snapshot];
        tombstoned.push(legacy);
        return [snapshot, { key: Buffer.from(legacy), value: null }];
      }),
    );
    for (const k of tombstoned) this.legacyKeys.delete(k);
  }

  /**
   * Deletes the snapshots of a deleted topic's partitions (tombstones, as one durable
   * batch), so a topic created later under its name does not start from them.
   */
  async drop(topic: string, partitions: readonly number[]): Promise<void> {
    if (partitions.length === 0) return;
    const { log, latest } = await this.open();
    const keys: string[] = [];
    for (const partition of partitions) {
      const key = snapshotKey(topic, partition);
      latest.delete(key);
      keys.push(key);
      const legacy = legacyAbortedKey(topic, partition);
      if (latest.delete(legacy) || this.legacyKeys.delete(legacy)) keys.push(legacy);
    }
    await log.append(keys.map((key) => ({ key: Buffer.from(key), value: null })));
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
