import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { byTopicPartition } from "@logbook/protocol";
import type { LogConfig } from "../config.js";
import type {
  EngineEnvOptions,
  EngineFactory,
  StorageEngine,
  TopicPartitionId,
} from "../engine.js";
import { type Clock, repeatEvery } from "../env/clock.js";
import type { Fs } from "../env/fs.js";
import { withGroupedDirSync } from "../env/grouped-dir-sync.js";
import { silentLogger } from "../logger.js";
import { maintainLogs } from "../maintain-logs.js";
import type { PartitionLog } from "../partition-log.js";
import { DataDirLock } from "./dir-lock.js";
import { DiskPartitionLog } from "./disk-partition-log.js";
import { parsePartitionDirName, partitionDirName } from "./layout.js";

/** Kafka's log.flush.offset.checkpoint.interval.ms default. */
const DEFAULT_CHECKPOINT_INTERVAL_MS = 60_000;
/** Kafka's log.retention.check.interval.ms default. */
const DEFAULT_MAINTENANCE_INTERVAL_MS = 300_000;

/** The default engine: one directory per topic-partition under a data directory. */
export class DiskEngine implements StorageEngine {
  private readonly logs = new Map<string, Promise<DiskPartitionLog>>();
  private readonly stopTimer: (() => void) | null = null;
  private maintaining = false;
  /** Periodic checkpoints of all logs, one at a time (DiskLogOptions.queueCheckpoint). */
  private checkpoints: Promise<void> = Promise.resolve();
  private readonly fs: Fs;
  readonly clock: Clock;

  constructor(
    readonly dataDir: string,
    private readonly options: EngineEnvOptions,
    /** Held from open to close: one engine per data directory (see DataDirLock). */
    private readonly lock: DataDirLock | null = null,
  ) {
    // Partitions opened together share their fsyncs of the data directory.
    this.fs = withGroupedDirSync(options.fs);
    this.clock = options.clock;
    const every = options.maintenanceIntervalMs ?? DEFAULT_MAINTENANCE_INTERVAL_MS;
    if (every > 0) this.stopTimer = repeatEvery(this.clock, every, () => void this.maintain());
  }

  /** Retention and compaction over every open log, one log at a time. */
  async maintain(now = this.clock.now()): Promise<void> {
    if (this.maintaining) return;
    this.maintaining = true;
    try {
      await maintainLogs(this.logs.values(), now, this.options.logger ?? silentLogger);
    } finally {
      this.maintaining = false;
    }
  }

  get url(): string {
    return `file://${this.dataDir}`;
  }

  open(tp: TopicPartitionId, config: LogConfig): Promise<PartitionLog> {
    const name = partitionDirName(tp.topic, tp.partition);
    let log = this.logs.get(name);
    if (log === undefined) {
      log = DiskPartitionLog.open(join(this.dataDir, name), tp.topic, tp.partition, config, {
        fs: this.fs,
        clock: this.clock,
        logger: this.options.logger ?? silentLogger,
        checkpointIntervalMs: this.options.checkpointIntervalMs ?? DEFAULT_CHECKPOINT_INTERVAL_MS,
        queueCheckpoint: (checkpoint) => {
          const run = this.checkpoints.then(checkpoint);
          this.checkpoints = run.catch(() => {}); // the log reports its own failure
          return run;
        },
      });
      this.logs.set(name, log);
      log.catch(() => this.logs.delete(name));
    }
    return log;
  }

  async list(): Promise<TopicPartitionId[]> {
    const out: TopicPartitionId[] = [];
    for (const name of await this.fs.readdir(this.dataDir)) {
      const tp = parsePartitionDirName(name);
      if (tp !== null && (await this.fs.stat(join(this.dataDir, name))).isDirectory()) out.push(tp);
    }
    return out.sort(byTopicPartition);
  }

  async delete(tp: TopicPartitionId): Promise<void> {
    const name = partitionDirName(tp.topic, tp.partition);
    const log = this.logs.get(name);
    this.logs.delete(name);
    if (log !== undefined) await (await log).close();
    await this.fs.rm(join(this.dataDir, name), { recursive: true, force: true });
  }

  async close(): Promise<void> {
    this.stopTimer?.();
    const logs = [...this.logs.values()];
    this.logs.clear();
    for (const l of logs) await (await l).close();
    await this.lock?.release();
  }
}

export const diskEngineFactory: EngineFactory = async (url, options) => {
  const dir = fileURLToPath(url);
  await options.fs.mkdir(dir, { recursive: true });
  return new DiskEngine(dir, options, await DataDirLock.acquire(options.fs, options.clock, dir));
};
