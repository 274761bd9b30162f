/**
 * Curve 3: start-up time against the amount of data. For each size, one broker writes
 * that many bytes into a 1-partition topic (librdkafka load generator, 16 KiB records,
 * acks=1) and is SIGKILLed right after the last acknowledgement; then on the same data
 * directory:
 *   1. a broker starts after the SIGKILL (recovery: whatever was written after the last
 *      recovery checkpoint is validated again), and is stopped cleanly;
 *   2. a broker starts after that clean stop.
 * Each start is timed from spawn() to the first answered request (ApiVersions) and to
 * the partition being readable (a Fetch at the last written offset returns it). The data
 * directory is deleted before the next size. The page cache is not dropped: the tail of
 * what was just written is still in memory, as it would be after a quick restart.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { CLI_PATH, REPO_ROOT, removeDir } from "../../integration-tests/helpers/broker-process.js";
import { freePort } from "../../integration-tests/helpers/free-port.js";
import { createTopics, Fetcher, KafkaClient } from "../../packages/client/src/index.js";
import { runJsonChild } from "../lib/loadgen.js";
import { round } from "../lib/stats.js";
import { log, msSince, openConnection, QUIET, sleep, startLogbookWith } from "./common.js";

const RECORD_BYTES = 16 * 1024;
const TOPIC = "growth-data";
const GIB = 2 ** 30;
/** Longest single load-generator run while filling (it prints once, at the end). */
const MAX_CHUNK_SECONDS = 40;

export interface StartTimes {
  firstAnswerMs: number;
  readableMs: number;
}

export interface DataPoint {
  gib: number;
  bytesOnDisk: number;
  records: number;
  segments: number;
  writeSeconds: number;
  writeMBPerSec: number;
  /** Bytes after the recovery point of the last checkpoint at the SIGKILL: rescanned. */
  bytesAfterCheckpoint: number;
  afterSigkill: StartTimes;
  afterCleanStop: StartTimes;
}

async function partitionDir(dataDir: string): Promise<string> {
  return join(dataDir, `${TOPIC}-0`);
}

async function segmentFiles(dir: string): Promise<{ base: number; size: number }[]> {
  const names = (await readdir(dir)).filter((n) => n.endsWith(".log"));
  return Promise.all(
    names.map(async (n) => ({
      base: Number(n.slice(0, 20)),
      size: (await stat(join(dir, n))).size,
    })),
  );
}

/** Log bytes after the recovery point recorded in the partition's checkpoint file. */
async function bytesAfterCheckpoint(dir: string): Promise<number> {
  const segs = await segmentFiles(dir);
  const total = segs.reduce((s, x) => s + x.size, 0);
  let text = "";
  try {
    text = await readFile(join(dir, "logbook.checkpoint"), "utf8");
  } catch {
    return total; // never checkpointed: everything is rescanned
  }
  const get = (k: string): number => Number(new RegExp(`^${k} (\\d+)$`, "m").exec(text)?.[1] ?? 0);
  const seg = get("recovery-segment");
  const pos = get("recovery-position");
  return segs.filter((s) => s.base >= seg).reduce((s, x) => s + x.size, 0) - pos;
}

async function fill(bootstrap: string, loadgen: string, bytes: number) {
  let written = 0;
  let records = 0;
  let seconds = 0;
  // A first guess of the rate (MB/s seen here), corrected after each run.
  let chunk = Math.max(0.5, Math.min(MAX_CHUNK_SECONDS, (0.5 * bytes) / 400e6));
  while (written < bytes) {
    const r = await runJsonChild(
      loadgen,
      ["produce", bootstrap, TOPIC, "1", String(RECORD_BYTES), "1", String(chunk)],
      (chunk + 120) * 1000,
    );
    written += Number(r.bytes);
    records += Number(r.records);
    seconds += Number(r.seconds);
    const rate = written / seconds;
    chunk = Math.max(1, Math.min(MAX_CHUNK_SECONDS, (bytes - written) / rate));
    log(`    ${(written / GIB).toFixed(2)} GiB written at ${(rate / 1e6).toFixed(0)} MB/s`);
  }
  return { written, records, seconds };
}

/** Every broker this curve spawned, so that a failed point leaves none behind. */
const spawned = new Set<ChildProcess>();

/** Spawns `logbook start` on `dataDir` and times it to an answer and to a readable tail. */
async function timedStart(
  dataDir: string,
  lastOffset: bigint,
): Promise<{ child: ChildProcess; times: StartTimes }> {
  const port = await freePort();
  const start = process.hrtime.bigint();
  const child = spawn(
    process.execPath,
    [CLI_PATH, "start", "--port", String(port), "--data-dir", dataDir, ...QUIET],
    { cwd: REPO_ROOT, stdio: ["ignore", "ignore", "inherit"] },
  );
  spawned.add(child);
  const deadline = Date.now() + 600_000;
  const alive = () => child.exitCode === null && child.signalCode === null;
  for (;;) {
    if (!alive() || Date.now() > deadline) throw new Error("the broker did not answer");
    try {
      (await openConnection(port, 5_000)).close();
      break;
    } catch {
      await sleep(2);
    }
  }
  const firstAnswerMs = msSince(start);
  const client = await KafkaClient.connect({ brokers: [`127.0.0.1:${port}`], timeoutMs: 600_000 });
  try {
    for (;;) {
      if (!alive() || Date.now() > deadline) throw new Error("the partition never became readable");
      try {
        const fetcher = new Fetcher(client, [{ topic: TOPIC, partition: 0, offset: lastOffset }]);
        if ((await fetcher.poll(100)).length > 0) break;
      } catch {
        await sleep(5);
      }
    }
  } finally {
    await client.close();
  }
  return { child, times: { firstAnswerMs, readableMs: msSince(start) } };
}

function stopChild(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  child.kill(signal);
  return exited;
}

export async function measureDataSizes(
  loadgen: string,
  sizesGiB: readonly number[],
): Promise<DataPoint[]> {
  const out: DataPoint[] = [];
  for (const gib of sizesGiB) {
    log(`  ${gib} GiB: filling ...`);
    const writer = await startLogbookWith([]);
    const dataDir = writer.dataDir;
    try {
      const client = await KafkaClient.connect({ brokers: [writer.bootstrap] });
      await createTopics(client, [
        { name: TOPIC, partitions: 1, replicationFactor: 1, configs: new Map() },
      ]);
      await client.close();
      const filled = await fill(writer.bootstrap, loadgen, gib * GIB);
      process.kill(writer.pid, "SIGKILL");
      await writer.exited;
      const dir = await partitionDir(dataDir);
      const segs = await segmentFiles(dir);
      const rescanned = await bytesAfterCheckpoint(dir);
      const lastOffset = BigInt(filled.records - 1);

      const recovered = await timedStart(dataDir, lastOffset);
      await stopChild(recovered.child, "SIGTERM");
      const clean = await timedStart(dataDir, lastOffset);
      await stopChild(clean.child, "SIGTERM");

      const point: DataPoint = {
        gib,
        bytesOnDisk: segs.reduce((s, x) => s + x.size, 0),
        records: filled.records,
        segments: segs.length,
        writeSeconds: round(filled.seconds, 1),
        writeMBPerSec: round(filled.written / filled.seconds / 1e6, 1),
        bytesAfterCheckpoint: rescanned,
        afterSigkill: recovered.times,
        afterCleanStop: clean.times,
      };
      log(`  ${JSON.stringify(point)}`);
      out.push(point);
    } finally {
      if (writer.isAlive()) process.kill(writer.pid, "SIGKILL");
      for (const c of spawned) await stopChild(c, "SIGKILL");
      spawned.clear();
      await removeDir(dataDir);
    }
  }
  return out;
}
