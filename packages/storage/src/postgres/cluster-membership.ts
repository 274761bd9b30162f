import { randomUUID } from "node:crypto";
import type { Pool, PoolClient } from "pg";
import {
  type BrokerEndpoint,
  type ClusterMembership,
  type ClusterTimeouts,
  DuplicateBrokerError,
  type LiveBroker,
} from "../cluster-membership.js";
import { type Clock, realClock, type TimerHandle } from "../env/clock.js";
import type { Logger } from "../logger.js";
import {
  BUMP_GENERATION,
  CLUSTER_TABLES_LOCK,
  CLUSTER_TABLES_SQL,
  DELETE_BROKER,
  DELETE_EXPIRED,
  INSERT_BROKER,
  SELECT_HOLDER,
  SELECT_VIEW,
  TOUCH_BROKER,
} from "./cluster-sql.js";

export interface PostgresClusterOptions extends ClusterTimeouts {
  readonly logger: Logger;
  /** Schedules heartbeats (expiry is judged by the database's clock, never this one). */
  readonly clock?: Clock;
}

/** judgeOthersFrom after a failed heartbeat: a session timeout after the next attempt. */
const AFTER_CONTACT = Number.POSITIVE_INFINITY;

/** What one heartbeat saw. */
interface View {
  readonly generation: number;
  readonly live: readonly LiveBroker[];
}

/**
 * Creates the membership tables if needed and returns a membership over `pool`, not yet
 * registered. The pool stays the caller's: close() leaves the cluster but does not end it.
 */
export async function openPostgresCluster(
  pool: Pool,
  options: PostgresClusterOptions,
): Promise<PostgresClusterMembership> {
  await inTransaction(pool, async (client) => {
    await client.query(CLUSTER_TABLES_LOCK);
    for (const statement of CLUSTER_TABLES_SQL) await client.query(statement);
  });
  const view = await inTransaction(pool, readView);
  return new PostgresClusterMembership(pool, options, view);
}

/**
 * Membership in a table of brokers: a row per live broker (node id, a random incarnation
 * per process start, endpoints, rack, last heartbeat by the database's clock) and a
 * cluster-wide generation raised in the same transaction as every change of the live set
 * (a join, a clean leave, or brokers found expired by anyone's heartbeat).
 *
 * Concurrency: one heartbeat at a time (each is scheduled when the previous one ends);
 * close() waits for the running one. Database errors in a heartbeat are logged and the
 * last view is kept, so a database outage does not empty the cluster in memory. After an
 * outage nobody heartbeated through (the database restarted, or unreachable), a broker
 * expires others only once it has been back for a whole session timeout: every broker
 * then had a session's time to heartbeat again, instead of the first one back expiring
 * all the others (and the cluster's generation, every leader and the group coordinator
 * moving twice for an outage no broker caused).
 */
export class PostgresClusterMembership implements ClusterMembership {
  /** Random per process start: tells this broker's row from a predecessor's with the same id. */
  readonly incarnation = randomUUID();
  private self: LiveBroker | null = null;
  private view: View;
  private readonly listeners = new Set<() => void>();
  private readonly clock: Clock;
  private timer: TimerHandle | null = null;
  private running: Promise<void> = Promise.resolve();
  private closed = false;
  /** Clock time from which this broker's heartbeats expire others (see the class comment). */
  private judgeOthersFrom = 0;

  constructor(
    private readonly pool: Pool,
    private readonly options: PostgresClusterOptions,
    initial: View,
  ) {
    this.clock = options.clock ?? realClock();
    this.view = initial;
  }

  get generation(): number {
    return this.view.generation;
  }

  live(): readonly LiveBroker[] {
    return this.view.live;
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async register(self: LiveBroker): Promise<void> {
    if (this.self !== null) throw new Error(`broker ${this.self.nodeId} is already registered`);
    if (this.closed) throw new Error("cluster membership is closed");
    const view = await inTransaction(this.pool, async (client) => {
      const expired = await client.query<{ node_id: number }>(DELETE_EXPIRED);
      if (!(await this.insertSelf(client, self))) throw await duplicate(client, self.nodeId);
      this.logExpired(expired.rows);
      await client.query(BUMP_GENERATION);
      return readView(client);
    });
    this.self = self;
    this.options.logger.info("joined the cluster", {
      nodeId: self.nodeId,
      incarnation: this.incarnation,
      generation: view.generation,
      live: view.live.map((b) => b.nodeId).join(","),
    });
    this.install(view);
    this.schedule();
  }

  /**
   * One heartbeat: refreshes this broker's row, removes expired brokers (raising the
   * generation once if any), rejoins if this broker was itself expired meanwhile, and
   * reads the live set. Runs on the timer; tests call it to step without waiting.
   */
  heartbeat(): Promise<void> {
    const run = this.running.then(() => this.beat());
    this.running = run;
    return run;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
    await this.running;
    const self = this.self;
    if (self === null) return;
    try {
      await inTransaction(this.pool, async (client) => {
        const left = await client.query(DELETE_BROKER, [self.nodeId, this.incarnation]);
        if ((left.rowCount ?? 0) > 0) await client.query(BUMP_GENERATION);
      });
      this.options.logger.info("left the cluster", { nodeId: self.nodeId });
    } catch (e) {
      // The others will find this broker expired after its session timeout instead.
      this.options.logger.warn("leaving the cluster failed", { nodeId: self.nodeId }, e);
    }
  }

  private async beat(): Promise<void> {
    const self = this.self;
    if (self === null || this.closed) return;
    const now = this.clock.now();
    if (this.judgeOthersFrom === AFTER_CONTACT)
      this.judgeOthersFrom = now + this.options.sessionTimeoutMs;
    const judgeOthers = now >= this.judgeOthersFrom;
    try {
      const view = await inTransaction(this.pool, async (client) => {
        const touched = await client.query(TOUCH_BROKER, [self.nodeId, this.incarnation]);
        const expired = judgeOthers
          ? await client.query<{ node_id: number }>(DELETE_EXPIRED)
          : { rows: [] };
        let changed = expired.rows.length > 0;
        this.logExpired(expired.rows);
        if ((touched.rowCount ?? 0) === 0) {
          // Found expired by another broker (a stall or a database outage longer than
          // the session timeout): join again if the node id is still free.
          if (await this.insertSelf(client, self)) {
            changed = true;
            this.options.logger.warn("rejoined the cluster after being expired", {
              nodeId: self.nodeId,
            });
          } else {
            this.options.logger.error("node id taken by another broker while expired", {
              nodeId: self.nodeId,
            });
          }
        }
        if (changed) await client.query(BUMP_GENERATION);
        return readView(client);
      });
      this.install(view);
    } catch (e) {
      this.judgeOthersFrom = AFTER_CONTACT;
      this.options.logger.warn("cluster heartbeat failed", { nodeId: self.nodeId }, e);
    }
  }

  private schedule(): void {
    if (this.closed) return;
    this.timer = this.clock.setTimeout(() => {
      this.timer = null;
      this.heartbeat().then(
        () => this.schedule(),
        () => this.schedule(),
      );
    }, this.options.heartbeatIntervalMs);
  }

  private async insertSelf(client: PoolClient, self: LiveBroker): Promise<boolean> {
    const inserted = await client.query(INSERT_BROKER, [
      self.nodeId,
      this.incarnation,
      self.rack,
      JSON.stringify(self.endpoints),
      this.options.sessionTimeoutMs,
    ]);
    return (inserted.rowCount ?? 0) > 0;
  }

  private logExpired(rows: readonly { node_id: number }[]): void {
    for (const r of rows)
      this.options.logger.warn("broker expired: no heartbeat within its session timeout", {
        nodeId: r.node_id,
      });
  }

  private install(view: View): void {
    const before = this.view;
    this.view = view;
    if (before.generation === view.generation && sameBrokers(before.live, view.live)) return;
    for (const listener of this.listeners) {
      try {
        listener();
      } catch (e) {
        this.options.logger.error("cluster change listener failed", {}, e);
      }
    }
  }
}

async function inTransaction<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  // A checked-out client has no pool listener: a connection lost between queries (the
  // database going away) would be an unhandled 'error' event and end the process. The
  // failure reaches us through the query in flight or the next one instead.
  const ignore = (): void => {};
  client.on("error", ignore);
  const release = (broken?: Error): void => {
    client.off("error", ignore);
    client.release(broken);
  };
  try {
    await client.query("BEGIN");
    const result = await work(client);
    await client.query("COMMIT");
    release();
    return result;
  } catch (e) {
    // A connection that cannot even roll back is broken: it is not given back to the pool.
    const rolledBack = await client.query("ROLLBACK").then(
      () => true,
      () => false,
    );
    release(rolledBack ? undefined : e instanceof Error ? e : new Error(String(e)));
    throw e;
  }
}

async function duplicate(client: PoolClient, nodeId: number): Promise<DuplicateBrokerError> {
  const held = await client.query<{
    incarnation: string;
    endpoints: unknown;
    silent_ms: string;
    session_timeout_ms: number;
  }>(SELECT_HOLDER, [nodeId]);
  const row = held.rows[0];
  const where =
    row === undefined
      ? ""
      : ` (incarnation ${row.incarnation} at ${endpointsOf(row.endpoints)
          .map((e) => `${e.listener}://${e.host}:${e.port}`)
          .join(
            ",",
          )}, last heartbeat ${row.silent_ms} ms ago; if it is dead, its row expires ${Math.max(0, row.session_timeout_ms - Number(row.silent_ms))} ms from now)`;
  return new DuplicateBrokerError(
    nodeId,
    `node.id ${nodeId} is already registered by a live broker${where}; give each broker its own node.id`,
  );
}

async function readView(client: PoolClient): Promise<View> {
  const result = await client.query<{
    generation: string;
    node_id: number | null;
    rack: string | null;
    endpoints: unknown;
  }>(SELECT_VIEW);
  const first = result.rows[0];
  if (first === undefined) throw new Error("logbook_cluster has no generation row");
  const live: LiveBroker[] = [];
  for (const r of result.rows) {
    if (r.node_id === null) continue;
    live.push({ nodeId: r.node_id, rack: r.rack, endpoints: endpointsOf(r.endpoints) });
  }
  return { generation: Number(first.generation), live };
}

/** The endpoints column, checked: it comes from the database, which any broker writes. */
function endpointsOf(value: unknown): BrokerEndpoint[] {
  if (!Array.isArray(value)) return [];
  const out: BrokerEndpoint[] = [];
  for (const e of value as unknown[]) {
    if (typeof e !== "object" || e === null) continue;
    const { listener, host, port, securityProtocol } = e as Record<string, unknown>;
    if (
      typeof listener === "string" &&
      typeof host === "string" &&
      typeof port === "number" &&
      typeof securityProtocol === "string"
    )
      out.push({ listener, host, port, securityProtocol });
  }
  return out;
}

function sameBrokers(a: readonly LiveBroker[], b: readonly LiveBroker[]): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
