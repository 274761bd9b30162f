import { mkdir, readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { LogConfig } from "../config.js";
import type { EngineFactory, EngineOptions, StorageEngine, TopicPartitionId } from "../engine.js";
import { silentLogger } from "../logger.js";
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
  private readonly timer: NodeJS.Timeout | null = null;
  private maintaining = false;

  constructor(
    readonly dataDir: string,
    private readonly options: EngineOptions,
    /** Held from open to close: one engine per data directory (see DataDirLock). */
    private readonly lock: DataDirLock | null = null,
  ) {
    const every = options.maintenanceIntervalMs ?? DEFAULT_MAINTENANCE_INTERVAL_MS;
    if (every > 0) {
      this.timer = setInterval(() => void this.maintain(), every);
      this.timer.unref();
    }
  }

  /** Retention and compaction over every open log, one log at a time. */
  async maintain(now = Date.now()): Promise<void> {
    if (this.maintaining) return;
    this.maintaining = true;
    try {
      for (const pending of [...this.logs.values()]) {
        const log = await pending.catch(() => null);
        await log?.runMaintenance(now).catch((e: unknown) => {
          (this.options.logger ?? silentLogger).error("maintenance failed", {
            topic: log.topic,
            partition: log.partition,
            error: String(e),
          });
        });
      }
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
        logger: this.options.logger ?? silentLogger,
        checkpointIntervalMs: this.options.checkpointIntervalMs ?? DEFAULT_CHECKPOINT_INTERVAL_MS,
      });
      this.logs.set(name, log);
      log.catch(() => this.logs.delete(name));
    }
    return log;
  }

  async list(): Promise<TopicPartitionId[]> {
    const out: TopicPartitionId[] = [];
    for (const e of await readdir(this.dataDir, { withFileTypes: true })) {
      const tp = e.isDirectory() ? parsePartitionDirName(e.name) : null;
      if (tp !== null) out.push(tp);
    }
    return out.sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
  }

  async delete(tp: TopicPartitionId): Promise<void> {
    const name = partitionDirName(tp.topic, tp.partition);
    const log = this.logs.get(name);
    this.logs.delete(name);
    if (log !== undefined) await (await log).close();
    await rm(join(this.dataDir, name), { recursive: true, force: true });
  }

  async close(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer);
    const logs = [...this.logs.values()];
    this.logs.clear();
    for (const l of logs) await (await l).close();
    await this.lock?.release();
  }
}

export const diskEngineFactory: EngineFactory = async (url, options) => {
  const dir = fileURLToPath(url);
  await mkdir(dir, { recursive: true });
  return new DiskEngine(dir, options, await DataDirLock.acquire(dir));
};
