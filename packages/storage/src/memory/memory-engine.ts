import { byTopicPartition } from "@logbook/protocol";
import type { LogConfig } from "../config.js";
import type { EngineFactory, EngineOptions, StorageEngine, TopicPartitionId } from "../engine.js";
import type { Clock } from "../env/clock.js";
import { type Logger, silentLogger } from "../logger.js";
import type { PartitionLog } from "../partition-log.js";
import { MemoryLogState } from "./log-state.js";
import { MemoryPartitionLog } from "./memory-partition-log.js";

/**
 * Where a memory engine keeps its partitions. Pass the same store to a new engine to
 * simulate a restart (data and log start offsets survive); use one engine per store
 * at a time.
 */
export class MemoryStore {
  readonly logs = new Map<string, { tp: TopicPartitionId; state: MemoryLogState }>();
}

export interface MemoryEngineOptions extends EngineOptions {
  url?: string;
  store?: MemoryStore;
  /** Time for LogAppendTime, segment.ms and default retention time. */
  clock: Clock;
}

function keyOf(tp: TopicPartitionId): string {
  return JSON.stringify([tp.topic, tp.partition]);
}

/**
 * Partitions held in memory (scheme `memory:`): for tests, and a second engine proving
 * the StorageEngine seam. Batches are grouped into segments by segment.bytes so that
 * retention behaves as on disk. Nothing survives the process.
 */
export class MemoryEngine implements StorageEngine {
  readonly url: string;
  private readonly store: MemoryStore;
  readonly clock: Clock;
  private readonly logger: Logger;
  private readonly openLogs = new Map<string, MemoryPartitionLog>();
  private closed = false;

  constructor(options: MemoryEngineOptions) {
    this.url = options.url ?? "memory:";
    this.store = options.store ?? new MemoryStore();
    this.clock = options.clock;
    this.logger = options.logger ?? silentLogger;
  }

  async open(tp: TopicPartitionId, config: LogConfig): Promise<PartitionLog> {
    if (this.closed) throw new Error(`storage engine ${this.url} is closed`);
    if (tp.topic.length === 0 || !Number.isSafeInteger(tp.partition) || tp.partition < 0) {
      throw new RangeError(`invalid topic-partition ${JSON.stringify(tp)}`);
    }
    const key = keyOf(tp);
    const already = this.openLogs.get(key);
    if (already) return already;
    let entry = this.store.logs.get(key);
    if (!entry) {
      entry = {
        tp: { topic: tp.topic, partition: tp.partition },
        state: new MemoryLogState(this.clock.now()),
      };
      this.store.logs.set(key, entry);
    }
    const log: MemoryPartitionLog = new MemoryPartitionLog(tp.topic, tp.partition, config, {
      state: entry.state,
      clock: this.clock,
      logger: this.logger.child({ topic: tp.topic, partition: tp.partition }),
      onClose: () => {
        if (this.openLogs.get(key) === log) this.openLogs.delete(key);
      },
    });
    this.openLogs.set(key, log);
    return log;
  }

  async list(): Promise<TopicPartitionId[]> {
    return [...this.store.logs.values()].map((e) => ({ ...e.tp })).sort(byTopicPartition);
  }

  async delete(tp: TopicPartitionId): Promise<void> {
    const key = keyOf(tp);
    await this.openLogs.get(key)?.close();
    this.store.logs.delete(key);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const log of [...this.openLogs.values()]) await log.close();
  }
}

/** The factory registered for the `memory:` scheme; every call gets a fresh store. */
export const memoryEngineFactory: EngineFactory = async (url, options) => {
  if (url.protocol !== "memory:") {
    throw new RangeError(`memory engine cannot serve ${url.href}`);
  }
  return new MemoryEngine({ ...options, url: url.href });
};
