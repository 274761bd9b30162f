/**
 * The PostgreSQL engine's rows of `pnpm bench` (#17): produce and consume throughput and
 * end-to-end latency with 1, 2 and 3 brokers over one database, and the file engine
 * beside them, driven by the same librdkafka load generator. The database is a
 * throwaway PostgreSQL (scripts/postgres/server.ts) with fsync on, as a real one runs.
 */
import { Kafka, logLevel } from "kafkajs";
import pg from "pg";
import {
  type BrokerProcess,
  removeDir,
  startBroker,
} from "../integration-tests/helpers/broker-process.js";
import { PostgresServer } from "../scripts/postgres/server.js";
import { runJsonChild } from "./lib/loadgen.js";

export interface EngineRow {
  engine: "file" | "postgres";
  brokers: number;
  /** `max_appends_per_write` for PostgreSQL (0 = every waiting append in one statement). */
  appendsPerWrite: number;
  produceRecordsPerSec: number;
  produceMbPerSec: number;
  consumeRecordsPerSec: number;
  e2eP50Ms: number;
  e2eP99Ms: number;
  /** During the produce phase, from the database's statistics (PostgreSQL rows only). */
  database?: DatabaseWork;
  /** During the end-to-end phase (1,000 small batches a second to one partition). */
  databaseE2e?: DatabaseWork;
  error?: string;
}

/** What the database did while the produce phase ran. */
export interface DatabaseWork {
  commitsPerSec: number;
  /** Record batches stored per committed transaction: what coalescing achieved. */
  batchesPerCommit: number;
  /** WAL flushes to disk (fsync) per second. */
  walSyncsPerSec: number;
  /** Mean time one WAL fsync took (track_wal_io_timing). */
  walSyncMs: number;
}

interface DbCounters {
  commits: number;
  batches: number;
  walSyncs: number;
  walSyncMs: number;
}

/** The database's counters now (statistics are flushed within a second: wait first). */
async function counters(url: string): Promise<DbCounters> {
  await new Promise((r) => setTimeout(r, 1200));
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const db = await client.query<{ xact_commit: string }>(
      "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()",
    );
    const wal = await client.query<{ wal_sync: string; wal_sync_time: number }>(
      "SELECT wal_sync, wal_sync_time FROM pg_stat_wal",
    );
    const rows = await client.query<{ n: string }>("SELECT count(*) AS n FROM logbook_batch");
    return {
      commits: Number(db.rows[0]?.xact_commit ?? 0),
      batches: Number(rows.rows[0]?.n ?? 0),
      walSyncs: Number(wal.rows[0]?.wal_sync ?? 0),
      walSyncMs: Number(wal.rows[0]?.wal_sync_time ?? 0),
    };
  } finally {
    await client.end();
  }
}

function work(before: DbCounters, after: DbCounters, seconds: number): DatabaseWork {
  const commits = after.commits - before.commits;
  const syncs = after.walSyncs - before.walSyncs;
  return {
    commitsPerSec: commits / seconds,
    batchesPerCommit: commits > 0 ? (after.batches - before.batches) / commits : Number.NaN,
    walSyncsPerSec: syncs / seconds,
    walSyncMs: syncs > 0 ? (after.walSyncMs - before.walSyncMs) / syncs : Number.NaN,
  };
}

const SIZE = 1024;
const PARTITIONS = 8;
const E2E_RATE = 1000;

async function cluster(
  engine: "file" | "postgres",
  count: number,
  url: string,
): Promise<BrokerProcess[]> {
  const out: BrokerProcess[] = [];
  for (let id = 1; id <= count; id++) {
    out.push(
      await startBroker({
        ...(engine === "postgres" ? { dataDir: url } : {}),
        args: ["-o", `node.id=${id}`, "--log-level", "warn"],
      }),
    );
  }
  return out;
}

async function measure(
  loadgen: string,
  engine: "file" | "postgres",
  count: number,
  url: string,
  seconds: number,
  appendsPerWrite = 0,
): Promise<EngineRow> {
  const dataDir = appendsPerWrite > 0 ? `${url}?max_appends_per_write=${appendsPerWrite}` : url;
  const brokers = await cluster(engine, count, dataDir);
  const bootstrap = brokers.map((b) => b.bootstrap).join(",");
  const row: EngineRow = {
    engine,
    brokers: count,
    appendsPerWrite,
    produceRecordsPerSec: Number.NaN,
    produceMbPerSec: Number.NaN,
    consumeRecordsPerSec: Number.NaN,
    e2eP50Ms: Number.NaN,
    e2eP99Ms: Number.NaN,
  };
  try {
    const admin = new Kafka({
      brokers: brokers.map((b) => b.bootstrap),
      logLevel: logLevel.NOTHING,
    }).admin();
    await admin.connect();
    await admin.createTopics({
      topics: [
        { topic: "bench-produce", numPartitions: PARTITIONS },
        { topic: "bench-e2e", numPartitions: 1 },
      ],
      waitForLeaders: true,
    });
    await admin.disconnect();
    const before = engine === "postgres" ? await counters(url) : null;
    const p = await runJsonChild(loadgen, [
      "produce",
      bootstrap,
      "bench-produce",
      String(PARTITIONS),
      String(SIZE),
      "all",
      String(seconds),
    ]);
    row.produceRecordsPerSec = Number(p.recordsPerSec);
    row.produceMbPerSec = Number(p.mbPerSec);
    if (before !== null) row.database = work(before, await counters(url), seconds);
    const c = await runJsonChild(loadgen, [
      "consume",
      bootstrap,
      "bench-produce",
      String(PARTITIONS),
      String(p.records),
      "60",
    ]);
    row.consumeRecordsPerSec = Number(c.recordsPerSec);
    const beforeE2e = engine === "postgres" ? await counters(url) : null;
    const e = await runJsonChild(loadgen, [
      "e2e",
      bootstrap,
      "bench-e2e",
      String(SIZE),
      String(E2E_RATE),
      String(seconds * 2),
    ]);
    row.e2eP50Ms = Number(e.p50Ms);
    row.e2eP99Ms = Number(e.p99Ms);
    if (beforeE2e !== null) row.databaseE2e = work(beforeE2e, await counters(url), seconds * 2);
  } catch (err) {
    row.error = err instanceof Error ? (err.message.split("\n")[0] ?? "") : String(err);
  } finally {
    for (const b of brokers) {
      await b.stop();
      if (engine === "file") await removeDir(b.dataDir);
    }
  }
  return row;
}

/** Every row: the file engine (one broker), then PostgreSQL with 1, 2 and 3 brokers. */
export async function postgresRows(
  loadgen: string,
  seconds: number,
  log: (line: string) => void,
): Promise<EngineRow[]> {
  const server = await PostgresServer.start({
    fsync: true,
    settings: { track_wal_io_timing: "on" },
  });
  const rows: EngineRow[] = [];
  try {
    log("  file engine, 1 broker");
    rows.push(await measure(loadgen, "file", 1, "", seconds));
    for (const count of [1, 2, 3]) {
      log(`  PostgreSQL engine, ${count} broker${count > 1 ? "s" : ""}`);
      const url = await server.createDatabase(`bench_${count}_${Date.now()}`);
      rows.push(await measure(loadgen, "postgres", count, url, seconds));
    }
    // What coalescing buys: one append per statement, one broker.
    log("  PostgreSQL engine, 1 broker, one append per statement");
    const url = await server.createDatabase(`bench_single_${Date.now()}`);
    rows.push(await measure(loadgen, "postgres", 1, url, seconds, 1));
  } finally {
    await server.stop();
  }
  return rows;
}

const DB_HEADER = "commits/s  batches/commit  WAL fsyncs/s  ms/fsync";

/** The database's figures as table cells (dashes for the file engine). */
function dbCells(d: DatabaseWork | undefined): string[] {
  return [
    (d?.commitsPerSec.toFixed(0) ?? "-").padStart(9),
    (d?.batchesPerCommit.toFixed(1) ?? "-").padStart(14),
    (d?.walSyncsPerSec.toFixed(0) ?? "-").padStart(12),
    (d?.walSyncMs.toFixed(2) ?? "-").padStart(8),
  ];
}

/** Which engine, with the statement limit when there is one, and how many brokers. */
function rowName(r: EngineRow): string[] {
  const engine = r.appendsPerWrite > 0 ? `${r.engine}/${r.appendsPerWrite}` : r.engine;
  return [engine.padEnd(10), String(r.brokers).padStart(7)];
}

/** The rows as a table for the report. */
export function printPostgresRows(rows: readonly EngineRow[], log: (line: string) => void): void {
  log(
    `\nStorage engines (librdkafka, ${SIZE} B records, produce to ${PARTITIONS} partitions acks=all, consume from earliest, end-to-end at ${E2E_RATE} rec/s)`,
  );
  log(
    `engine      brokers  produce rec/s  produce MB/s  consume rec/s  e2e p50 ms  e2e p99 ms  ${DB_HEADER}`,
  );
  for (const r of rows) {
    const cells = [
      ...rowName(r),
      r.produceRecordsPerSec.toFixed(0).padStart(13),
      r.produceMbPerSec.toFixed(1).padStart(12),
      r.consumeRecordsPerSec.toFixed(0).padStart(13),
      r.e2eP50Ms.toFixed(2).padStart(10),
      r.e2eP99Ms.toFixed(2).padStart(10),
      ...dbCells(r.database),
    ];
    log(`${cells.join("  ")}${r.error === undefined ? "" : `  (${r.error})`}`);
  }
  log(`\nThe database during the end-to-end phase (${E2E_RATE} records a second, one partition)`);
  log(`engine      brokers  ${DB_HEADER}`);
  for (const r of rows)
    if (r.databaseE2e !== undefined) log([...rowName(r), ...dbCells(r.databaseE2e)].join("  "));
}
