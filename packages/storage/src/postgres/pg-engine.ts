import { randomUUID } from "node:crypto";
import pg from "pg";
import { DEFAULT_CLUSTER_TIMEOUTS } from "../cluster-membership.js";
import type { LogConfig } from "../config.js";
import type {
  EngineEnvOptions,
  EngineFactory,
  StorageEngine,
  TopicPartitionId,
} from "../engine.js";
import { type Clock, repeatEvery } from "../env/clock.js";
import { type Logger, silentLogger } from "../logger.js";
import { maintainLogs } from "../maintain-logs.js";
import type { PartitionLog } from "../partition-log.js";
import { orUnavailable } from "../storage-unavailable.js";
import { openPostgresCluster, type PostgresClusterMembership } from "./cluster-membership.js";
import { AppendListener } from "./pg-notifications.js";
import { PgPartitionLog } from "./pg-partition-log.js";
import { ensurePartition, loadPartition } from "./pg-queries.js";
import { migrate } from "./schema.js";

/** Kafka's log.retention.check.interval.ms default. */
const DEFAULT_MAINTENANCE_INTERVAL_MS = 5 * 60 * 1000;
/** How long an append waits for an unreachable database before it fails. */
const WRITE_RETRY_MS = 15_000;

function keyOf(tp: TopicPartitionId): string {
  return JSON.stringify([tp.topic, tp.partition]);
}

/** The URL as shown in logs and errors: the password is never printed. */
export function redactedUrl(url: URL): string {
  const copy = new URL(url.href);
  if (copy.password !== "") copy.password = "***";
  return copy.href;
}

/**
 * Partitions stored in PostgreSQL (`postgres://user@host:port/db`): record batches are
 * rows holding the bytes clients sent, offsets are assigned by conditional writes that
 * the partition row serialises, so several brokers may share one database. A dedicated
 * connection LISTENs for appends made by other brokers, which wake long-polling fetches.
 */
export class PgEngine implements StorageEngine {
  readonly clock: Clock;
  private readonly logger: Logger;
  private readonly logs = new Map<string, Promise<PgPartitionLog>>();
  private readonly byId = new Map<string, PgPartitionLog>();
  private readonly stopTimer: (() => void) | null = null;
  private maintaining = false;
  /** Names this engine (this broker process) in partition claims. */
  private readonly writerId = randomUUID();
  private closed = false;

  private constructor(
    readonly url: string,
    /** Connections shared by every log of this broker. */
    readonly pool: pg.Pool,
    private readonly appends: AppendListener,
    options: EngineEnvOptions,
    /** The brokers sharing this database; the broker registers itself in it. */
    readonly cluster: PostgresClusterMembership,
    /** `max_appends_per_write` (see PgPartitionLogDeps). */
    private readonly maxAppendsPerWrite: number,
  ) {
    this.clock = options.clock;
    this.logger = options.logger ?? silentLogger;
    const every = options.maintenanceIntervalMs ?? DEFAULT_MAINTENANCE_INTERVAL_MS;
    if (every > 0) this.stopTimer = repeatEvery(this.clock, every, () => void this.maintain());
    appends.onAppend((id, end) => {
      this.byId
        .get(id)
        ?.noticeEnd(end)
        .catch((e: unknown) =>
          this.logger.warn("reloading a partition after another broker's append failed", {
            error: e instanceof Error ? e.message : String(e),
          }),
        );
    });
    appends.onRewrite((id) => {
      this.byId
        .get(id)
        ?.refresh()
        .catch((e: unknown) =>
          this.logger.warn("rereading a partition after another broker's compaction failed", {
            error: e instanceof Error ? e.message : String(e),
          }),
        );
    });
    appends.onReconnect(() => {
      // Notifications sent while the listener was away are lost: look at every log.
      for (const log of this.byId.values())
        void log.noticeEnd(Number.MAX_SAFE_INTEGER).catch(() => {});
    });
  }

  static async open(url: URL, options: EngineEnvOptions): Promise<PgEngine> {
    const logger = options.logger ?? silentLogger;
    const shown = redactedUrl(url);
    const pool = new pg.Pool({
      connectionString: url.href.replace(/^postgresql:/, "postgres:"),
      max: Number(url.searchParams.get("pool_size") ?? 10),
      application_name: "logbook",
    });
    // An idle connection dropped by a database restart must not take the broker down.
    pool.on("error", (e) => logger.warn("PostgreSQL connection lost", { error: e.message }));
    let cluster: PostgresClusterMembership;
    try {
      const applied = await migrate(pool);
      if (applied > 0) logger.info("PostgreSQL schema migrated", { url: shown, applied });
      cluster = await openPostgresCluster(pool, {
        ...DEFAULT_CLUSTER_TIMEOUTS,
        ...options.cluster,
        logger: logger.child({ component: "cluster" }),
        clock: options.clock,
      });
    } catch (e) {
      await pool.end().catch(() => {});
      const detail = e instanceof Error ? e.message : String(e);
      throw new Error(`cannot use PostgreSQL at ${shown}: ${detail}`);
    }
    const appends = await AppendListener.start(url.href, logger, options.clock);
    const perWrite = Math.floor(Number(url.searchParams.get("max_appends_per_write") ?? 0));
    return new PgEngine(shown, pool, appends, options, cluster, Math.max(perWrite || 0, 0));
  }

  async open(tp: TopicPartitionId, config: LogConfig): Promise<PartitionLog> {
    if (this.closed) throw new Error(`storage engine ${this.url} is closed`);
    if (tp.topic.length === 0 || !Number.isSafeInteger(tp.partition) || tp.partition < 0) {
      throw new RangeError(`invalid topic-partition ${JSON.stringify(tp)}`);
    }
    const key = keyOf(tp);
    let log = this.logs.get(key);
    if (log === undefined) {
      log = orUnavailable(`opening ${tp.topic}-${tp.partition}`, () =>
        this.openLog(tp, config, key),
      );
      this.logs.set(key, log);
      log.catch(() => this.logs.delete(key));
    }
    return log;
  }

  private async openLog(
    tp: TopicPartitionId,
    config: LogConfig,
    key: string,
  ): Promise<PgPartitionLog> {
    const id = await ensurePartition(this.pool, tp.topic, tp.partition, this.clock.now());
    const snapshot = await loadPartition(this.pool, id);
    const log: PgPartitionLog = new PgPartitionLog(tp.topic, tp.partition, id, config, snapshot, {
      pool: this.pool,
      clock: this.clock,
      logger: this.logger.child({ topic: tp.topic, partition: tp.partition }),
      writeRetryMs: WRITE_RETRY_MS,
      writerId: this.writerId,
      maxAppendsPerWrite: this.maxAppendsPerWrite,
      onClose: () => {
        if (this.byId.get(id) === log) this.byId.delete(id);
        this.logs.delete(key);
      },
    });
    this.byId.set(id, log);
    return log;
  }

  async list(): Promise<TopicPartitionId[]> {
    const { rows } = await this.pool.query<{ topic: string; partition: number }>(
      "SELECT topic, partition FROM logbook_partition ORDER BY topic, partition",
    );
    return rows.map((r) => ({ topic: r.topic, partition: r.partition }));
  }

  async delete(tp: TopicPartitionId): Promise<void> {
    const key = keyOf(tp);
    const open = this.logs.get(key);
    if (open !== undefined) await (await open.catch(() => null))?.close();
    await this.pool.query("DELETE FROM logbook_partition WHERE topic = $1 AND partition = $2", [
      tp.topic,
      tp.partition,
    ]);
  }

  /** Retention and compaction over every open log, one log at a time. */
  async maintain(now = this.clock.now()): Promise<void> {
    if (this.maintaining) return;
    this.maintaining = true;
    try {
      await maintainLogs(this.logs.values(), now, this.logger);
    } finally {
      this.maintaining = false;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stopTimer?.();
    await this.cluster.close();
    for (const pending of [...this.logs.values()]) {
      const log = await pending.catch(() => null);
      await log?.close();
    }
    await this.appends.close();
    await this.pool.end();
  }
}

/** The factory registered for `postgres:` and `postgresql:` URLs. */
export const postgresEngineFactory: EngineFactory = (url, options) => PgEngine.open(url, options);
