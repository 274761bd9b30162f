import type { ClusterMembership, ClusterTimeouts } from "./cluster-membership.js";
import type { LogConfig } from "./config.js";
import type { Clock } from "./env/clock.js";
import type { Fs } from "./env/fs.js";
import type { Logger } from "./logger.js";
import type { PartitionLog } from "./partition-log.js";

export interface TopicPartitionId {
  topic: string;
  partition: number;
}

export interface EngineOptions {
  logger?: Logger;
  /** How often each open log writes its recovery checkpoint (ms). */
  checkpointIntervalMs?: number;
  /**
   * How often retention and compaction run over every open log (Kafka's
   * log.retention.check.interval.ms, 5 minutes); 0 disables the timer.
   */
  maintenanceIntervalMs?: number;
  /** The file system (the real one unless a test injects a fault-injecting one). */
  fs?: Fs;
  /** Time and timers: LogAppendTime, segment.ms, flush.ms, retention, checkpoints. */
  clock?: Clock;
  /** Heartbeat and session timeout of the engine's cluster membership, when it has one. */
  cluster?: ClusterTimeouts;
}

/** Options as an engine receives them: the environment seams are always given. */
export type EngineEnvOptions = EngineOptions & { fs: Fs; clock: Clock };

/**
 * The narrow seam between Kafka semantics and where bytes live: partitions of record
 * batches addressed by offset. The broker's metadata is itself such a partition (an
 * ordered, compacted log), so an engine needs nothing else. Engines are chosen by the
 * scheme of a URL (`file:///var/lib/logbook`, `memory:`); every engine runs the same
 * conformance suite (packages/storage/test/engine-conformance.ts).
 */
export interface StorageEngine {
  readonly url: string;
  /** The engine's time source, shared by the logs built on it (e.g. InternalLog). */
  readonly clock: Clock;
  /** Opens (creating if needed) one partition's log. Opening twice returns the same log. */
  open(tp: TopicPartitionId, config: LogConfig): Promise<PartitionLog>;
  /** Every partition that has data in this engine. */
  list(): Promise<TopicPartitionId[]>;
  /** Closes and removes a partition's log and all its data. */
  delete(tp: TopicPartitionId): Promise<void>;
  /** Flushes, checkpoints and closes every open log. */
  close(): Promise<void>;
  /**
   * The brokers sharing this engine's data, for an engine several brokers use at once;
   * absent for an engine only one broker opens (file, memory).
   */
  readonly cluster?: ClusterMembership;
}

export type EngineFactory = (url: URL, options: EngineEnvOptions) => Promise<StorageEngine>;
