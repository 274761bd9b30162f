/**
 * The PostgreSQL engine's rows of `pnpm bench` (#17): produce and consume throughput and
 * end-to-end latency with 1, 2 and 3 brokers over one database, and the file engine
 * beside them, driven by the same librdkafka load generator. The database is a
 * throwaway PostgreSQL (scripts/postgres/server.ts) with fsync on, as a real one runs.
 */
import { Kafka, logLevel } from "kafkajs";
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
  produceRecordsPerSec: number;
  produceMbPerSec: number;
  consumeRecordsPerSec: number;
  e2eP50Ms: number;
  e2eP99Ms: number;
  error?: string;
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
): Promise<EngineRow> {
  const brokers = await cluster(engine, count, url);
  const bootstrap = brokers.map((b) => b.bootstrap).join(",");
  const row: EngineRow = {
    engine,
    brokers: count,
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
    const c = await runJsonChild(loadgen, [
      "consume",
      bootstrap,
      "bench-produce",
      String(PARTITIONS),
      String(p.records),
      "60",
    ]);
    row.consumeRecordsPerSec = Number(c.recordsPerSec);
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
  const pg = await PostgresServer.start({ fsync: true });
  const rows: EngineRow[] = [];
  try {
    log("  file engine, 1 broker");
    rows.push(await measure(loadgen, "file", 1, "", seconds));
    for (const count of [1, 2, 3]) {
      log(`  PostgreSQL engine, ${count} broker${count > 1 ? "s" : ""}`);
      const url = await pg.createDatabase(`bench_${count}_${Date.now()}`);
      rows.push(await measure(loadgen, "postgres", count, url, seconds));
    }
  } finally {
    await pg.stop();
  }
  return rows;
}

/** The rows as a table for the report. */
export function printPostgresRows(rows: readonly EngineRow[], log: (line: string) => void): void {
  log(
    `\nStorage engines (librdkafka, ${SIZE} B records, produce to ${PARTITIONS} partitions acks=all, consume from earliest, end-to-end at ${E2E_RATE} rec/s)`,
  );
  log("engine      brokers  produce rec/s  produce MB/s  consume rec/s  e2e p50 ms  e2e p99 ms");
  for (const r of rows) {
    const cells = [
      r.engine.padEnd(10),
      String(r.brokers).padStart(7),
      r.produceRecordsPerSec.toFixed(0).padStart(13),
      r.produceMbPerSec.toFixed(1).padStart(12),
      r.consumeRecordsPerSec.toFixed(0).padStart(13),
      r.e2eP50Ms.toFixed(2).padStart(10),
      r.e2eP99Ms.toFixed(2).padStart(10),
    ];
    log(`${cells.join("  ")}${r.error === undefined ? "" : `  (${r.error})`}`);
  }
}
