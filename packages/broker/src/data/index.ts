import { ErrorCode } from "@logbook/protocol";
import {
  type Clock,
  type Logger,
  type PartitionLog,
  repeatEvery,
  type StorageEngine,
} from "@logbook/storage";
import {
  type TopicPartitionRef,
  type TxnMarker,
  type TxnMarkerWriter,
  type TxnProduceCheck,
  tpKey,
} from "../txn/contracts.js";
import { FetchSessionCache } from "./fetch-sessions.js";
import { ProducerIdAllocator } from "./producer-ids.js";
import { type PartitionSnapshot, ProducerSnapshotStore } from "./producer-snapshots.js";
import type { PartitionProducerState } from "./producer-state.js";
import { rebuildFrom } from "./producer-state-rebuild.js";
import { writeMarker } from "./txn-markers.js";

/**
 * Produce/fetch state owned by the broker: producer (idempotence and transaction)
 * state, fetch sessions; writes transaction markers for the transaction coordinator.
 */
export interface DataPlane extends TxnMarkerWriter {
  /** The broker's time source (the storage engine's): append times, long-poll deadlines. */
  readonly clock: Clock;
  readonly fetchSessions: FetchSessionCache;
  /** Aborted by close(), so waiting fetches answer at once. */
  readonly closing: AbortSignal;
  /** How producer states were rebuilt so far (for tests and diagnostics). */
  readonly rebuildStats: Readonly<RebuildStats>;
  /** The partition's producer state, rebuilt from its snapshot and log on first use. */
  producerState(log: PartitionLog): Promise<PartitionProducerState>;
  /** The partition's producer state if already loaded, without waiting (fetch fast path). */
  loadedProducerState(log: PartitionLog): PartitionProducerState | undefined;
  /**
   * Drops what is known of the producers of the partitions `which` picks, so their next
   * use rebuilds it from the log: should leadership come back here, the log will hold
   * batches another broker appended meanwhile.
   */
  forget(which: (topic: string, partition: number) => boolean): void;
  /**
   * A topic was deleted: forgets its partitions' producer state and deletes their
   * snapshots, so a topic created later under the name starts with none (as in Kafka,
   * where they go with the partition's directory).
   */
  dropTopic(topic: string, partitions: readonly number[]): Promise<void>;
  /**
   * Brokers sharing one database: makes this broker the partition's writer before it
   * appends (a produce as leader, a marker), which fences the broker that wrote before;
   * if the claim is new, the producer state is rebuilt from what that broker wrote.
   */
  claim(log: PartitionLog): Promise<void>;
  /** The durable producer-id allocator, opened on first use. */
  producerIds(): Promise<ProducerIdAllocator>;
  /** Snapshots the producer state of every partition changed since its last snapshot. */
  snapshotProducerStates(): Promise<void>;
  /** The coordinator's check for transactional batches; null refuses them (no coordinator). */
  readonly txnProduceCheck: TxnProduceCheck | null;
  setTxnProduceCheck(check: TxnProduceCheck | null): void;
  /** Stops the periodic snapshots, then writes a last one. */
  close(): Promise<void>;
}

export interface RebuildStats {
  /** Partitions whose state started from a snapshot. */
  fromSnapshot: number;
  /** Partitions rebuilt from the whole log (no snapshot, or one that did not fit). */
  fullScans: number;
  /** Batch headers read from logs by all rebuilds. */
  batchesScanned: number;
}

/** What the data plane needs from the broker (a real Broker satisfies it). */
export interface DataPlaneHost {
  readonly storage: StorageEngine;
  readonly logger: Logger;
  /**
   * Finds partitions for markers. Without it (handler tests) markers reach only
   * partitions this data plane has already seen.
   */
  readonly topics?: {
    partition(topic: string, partition: number): Promise<PartitionLog | undefined>;
  };
  /** Whether brokers share the storage engine (claims apply); a single node without it. */
  readonly cluster?: { readonly shared: boolean };
}

export interface DataPlaneOptions {
  /** Interval of the periodic producer-state snapshots; 0 disables them. Default 60 s. */
  snapshotIntervalMs?: number;
}

interface TrackedState {
  log: PartitionLog;
  state: Promise<PartitionProducerState>;
  /** The state once `state` has resolved. */
  loaded: PartitionProducerState | undefined;
  /** The state's changeCount when last snapshotted; -1 = never. */
  savedAt: number;
}

export function createDataPlane(
  broker: DataPlaneHost,
  maxFetchSessions = 1000,
  options: DataPlaneOptions = {},
): DataPlane {
  // Keyed by "<topic>/<partition>" with the log object kept beside: a deleted and
  // re-created topic has a new log object and so gets a fresh state.
  const tracked = new Map<string, TrackedState>();
  const snapshots = new ProducerSnapshotStore(broker.storage, broker.logger);
  const stats: RebuildStats = { fromSnapshot: 0, fullScans: 0, batchesScanned: 0 };
  const abort = new AbortController();
  let allocator: Promise<ProducerIdAllocator> | null = null;
  const fetchSessions = new FetchSessionCache(maxFetchSessions);
  // Snapshot runs never overlap: each waits for the one before.
  let snapshotting: Promise<void> = Promise.resolve();
  let txnProduceCheck: TxnProduceCheck | null = null;

  const load = async (log: PartitionLog, loaded: (savedAt: number) => void) => {
    // Another broker may have appended (a shared engine): rebuild from what is there now.
    await log.refresh();
    const checkpoint = await snapshots.take(log.topic, log.partition);
    const r = await rebuildFrom(log, checkpoint);
    if (r.fromCheckpoint) stats.fromSnapshot++;
    else stats.fullScans++;
    stats.batchesScanned += r.batchesScanned;
    // Unchanged since the snapshot it came from: nothing to write until it changes.
    if (r.fromCheckpoint && r.batchesScanned === 0) loaded(r.state.changeCount);
    const state = r.state;
    // Open transactions (also those recovered from a crash) hold read_committed reads
    // until their marker; the LSO is exclusive: the first open offset is not stable.
    // Never below the log start: retention may have removed an open transaction's start.
    log.setLastStableOffsetHook((hw) => Math.max(state.lastStableOffset(hw), log.logStartOffset));
    return state;
  };

  const snapshotOnce = async () => {
    const due: { entry: TrackedState; changeCount: number; snapshot: PartitionSnapshot }[] = [];
    for (const [key, entry] of tracked) {
      let state: PartitionProducerState;
      try {
        state = await entry.state;
      } catch {
        continue; // its rebuild failed; the next produce retries it
      }
      // Deleted (a request in flight during the deletion may have loaded it again):
      // never snapshotted, since the name may already belong to a new topic.
      if (entry.log.isClosed) {
        if (tracked.get(key) === entry) tracked.delete(key);
        continue;
      }
      if (state.changeCount === entry.savedAt) continue;
      // The high watermark, not the log end: everything below it is written, so the
      // snapshot never claims a batch whose append might still fail.
      const endOffset = entry.log.highWatermark;
      due.push({
        entry,
        changeCount: state.changeCount,
        snapshot: {
          topic: entry.log.topic,
          partition: entry.log.partition,
          checkpoint: { endOffset, entries: state.snapshot(endOffset) },
        },
      });
    }
    if (due.length === 0) return;
    await snapshots.write(due.map((d) => d.snapshot));
    for (const d of due) d.entry.savedAt = d.changeCount;
  };

  const snapshotProducerStates = () => {
    const run = snapshotting.then(snapshotOnce);
    snapshotting = run.catch((err: unknown) => {
      broker.logger.warn("writing producer-state snapshots failed", undefined, err);
    });
    return run;
  };

  const intervalMs = options.snapshotIntervalMs ?? 60_000;
  const stopSnapshots =
    intervalMs > 0
      ? repeatEvery(broker.storage.clock, intervalMs, () => {
          snapshotProducerStates().catch(() => {}); // logged by the chain
        })
      : null;

  const producerState = (log: PartitionLog): Promise<PartitionProducerState> => {
    const key = `${log.topic}/${log.partition}`;
    const known = tracked.get(key);
    if (known !== undefined && known.log === log) return known.state;
    const state = load(log, (savedAt) => {
      entry.savedAt = savedAt;
    });
    const entry: TrackedState = { log, state, loaded: undefined, savedAt: -1 };
    tracked.set(key, entry);
    entry.state.then(
      (loaded) => {
        entry.loaded = loaded;
      },
      () => {}, // logged below
    );
    entry.state.catch((err: unknown) => {
      if (tracked.get(key) === entry) tracked.delete(key);
      broker.logger.warn(
        "rebuilding producer state failed",
        {
          topic: log.topic,
          partition: log.partition,
        },
        err,
      );
    });
    return entry.state;
  };

  const findLog = async (tp: TopicPartitionRef): Promise<PartitionLog | undefined> => {
    if (broker.topics !== undefined) return broker.topics.partition(tp.topic, tp.partition);
    return tracked.get(tpKey(tp))?.log;
  };

  const forget = (which: (topic: string, partition: number) => boolean) => {
    for (const [key, entry] of tracked)
      if (which(entry.log.topic, entry.log.partition)) tracked.delete(key);
  };

  const dropTopic = (topic: string, partitions: readonly number[]) => {
    forget((t) => t === topic);
    // After any snapshot run under way, which may still write the topic's partitions.
    const run = snapshotting.then(() => snapshots.drop(topic, partitions));
    snapshotting = run.catch(() => {}); // the caller reports it
    return run;
  };

  const claim = async (log: PartitionLog) => {
    if (broker.cluster?.shared === true && (await log.claimWriter()))
      forget((t, p) => t === log.topic && p === log.partition);
  };

  const markOne = async (tp: TopicPartitionRef, marker: TxnMarker): Promise<number> => {
    // The group coordinator completes its own pending offsets in __consumer_offsets.
    if (tp.topic.startsWith("__")) return ErrorCode.NONE;
    const log = await findLog(tp);
    if (log === undefined) return ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
    await claim(log);
    return writeMarker(log, () => producerState(log), marker, broker.storage.clock.now());
  };

  return {
    clock: broker.storage.clock,
    fetchSessions,
    closing: abort.signal,
    rebuildStats: stats,
    producerState,
    loadedProducerState(log) {
      const known = tracked.get(`${log.topic}/${log.partition}`);
      return known !== undefined && known.log === log ? known.loaded : undefined;
    },
    forget,
    dropTopic,
    claim,
    get txnProduceCheck() {
      return txnProduceCheck;
    },
    setTxnProduceCheck(check) {
      txnProduceCheck = check;
    },
    async writeMarkers(partitions, marker) {
      const codes = await Promise.all(
        partitions.map(async (tp) => {
          try {
            return await markOne(tp, marker);
          } catch (err) {
            broker.logger.error(
              "writing a transaction marker failed",
              { topic: tp.topic, partition: tp.partition, producerId: String(marker.producerId) },
              err,
            );
            return ErrorCode.UNKNOWN_SERVER_ERROR;
          }
        }),
      );
      return new Map(partitions.map((tp, i) => [tpKey(tp), codes[i] ?? ErrorCode.NONE]));
    },
    producerIds() {
      if (allocator === null) {
        const opening = ProducerIdAllocator.open(broker.storage);
        allocator = opening;
        opening.catch(() => {
          if (allocator === opening) allocator = null;
        });
      }
      return allocator;
    },
    snapshotProducerStates,
    async close() {
      abort.abort();
      stopSnapshots?.();
      fetchSessions.clear();
      // Logged, not thrown: a failed snapshot only costs a longer rebuild next start.
      await snapshotProducerStates().catch(() => {});
    },
  };
}
