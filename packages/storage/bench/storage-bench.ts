/**
 * Disk engine throughput beside plain `fs` on the same machine: append MB/s (OS flush and
 * flush.messages=1, 8 appends in flight) against sequential FileHandle.write of the same
 * buffers, and read MB/s (log.read in 1 MiB requests from offset 0 to the end) against
 * sequential FileHandle.read of the segment file. Median of 3 rounds, 16 KiB and 1 MiB
 * batches built before timing. A script, not a test: record the numbers in the README.
 *
 *   node --conditions=logbook-source --import tsx packages/storage/bench/storage-bench.ts
 *     [--json] [--mb N]   (N MiB appended per measurement; default 256)
 * BENCH_VERBOSE=1 also prints every round's numbers to stderr (they vary a lot on a VM).
 *
 * Goals: append >= 0.85 x plain write with OS flush; read >= 0.9 x plain read.
 */
import { execFileSync } from "node:child_process";
import { type FileHandle, mkdtemp, open, readdir, rm } from "node:fs/promises";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { RecordBatchHeader } from "@logbook/protocol";
import { logConfig } from "../src/config.js";
import { openStorageEngine } from "../src/engines.js";
import type { PartitionLog } from "../src/partition-log.js";
import { makeBatchOfSize } from "../test/helpers/batches.js";

const ROUNDS = 3;
const IN_FLIGHT = 8;
const READ_CHUNK = 1 << 20;
const MB = 1e6;

const args = process.argv.slice(2);
const asJson = args.includes("--json");
const mbArg = args.indexOf("--mb");
const TOTAL = (mbArg >= 0 ? Number(args[mbArg + 1]) : 256) * 1024 * 1024;

interface CaseResult {
  batchBytes: number;
  totalBytes: number;
  /** MB/s (10^6 bytes per second), median of the rounds. */
  plainWrite: number;
  appendOsFlush: number;
  plainWriteFsync: number;
  appendFsync: number;
  plainRead: number;
  logRead: number;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
};
const mbps = (bytes: number, ms: number): number => bytes / MB / (ms / 1000);

/** Lets writeback of the previous step finish before the next is timed. */
function settle(): void {
  execFileSync("sync");
}

async function timed(fn: () => Promise<void>): Promise<number> {
  settle();
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** Sequential writes of the buffers; with `syncEvery`, fdatasync after that many. */
async function plainWrite(path: string, buffers: Buffer[], syncEvery: number): Promise<number> {
  const fh = await open(path, "w");
  try {
    const ms = await timed(async () => {
      let n = 0;
      for (const b of buffers) {
        await fh.write(b);
        if (syncEvery > 0 && ++n % syncEvery === 0) await fh.datasync();
      }
      if (syncEvery > 0) await fh.datasync();
    });
    await fh.sync(); // outside the timing: no writeback left over for the next run
    return ms;
  } finally {
    await fh.close();
  }
}

/** IN_FLIGHT appenders, each re-appending its own copy once its previous append resolved. */
async function appendAll(log: PartitionLog, batch: Buffer, count: number): Promise<number> {
  let left = count;
  const worker = async (): Promise<void> => {
    const own = Buffer.from(batch);
    while (left > 0) {
      left--;
      await log.append(own);
    }
  };
  return timed(async () => {
    await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  });
}

async function readLog(log: PartitionLog): Promise<number> {
  let bytes = 0;
  const ms = await timed(async () => {
    let offset = log.logStartOffset;
    for (;;) {
      const r = await log.read(offset, READ_CHUNK);
      if (r.kind !== "ok") throw new Error(`read(${offset}): ${r.kind}`);
      if (r.records.length === 0) break;
      bytes += r.records.length;
      let at = 0;
      let last = RecordBatchHeader.at(r.records, 0);
      while (at < r.records.length) {
        last = RecordBatchHeader.at(r.records, at);
        at = last.end;
      }
      offset = Number(last.lastOffset) + 1;
    }
  });
  if (bytes !== log.sizeInBytes) throw new Error(`read ${bytes} of ${log.sizeInBytes} bytes`);
  return ms;
}

/** Sequential 1 MiB reads of a file into fresh buffers (as log.read returns fresh ones). */
async function plainRead(path: string): Promise<number> {
  const fh: FileHandle = await open(path, "r");
  try {
    const { size } = await fh.stat();
    return await timed(async () => {
      let pos = 0;
      while (pos < size) {
        const buf = Buffer.allocUnsafe(Math.min(READ_CHUNK, size - pos));
        const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
        if (bytesRead === 0) throw new Error("short file");
        pos += bytesRead;
      }
    });
  } finally {
    await fh.close();
  }
}

async function segmentFile(dir: string): Promise<string> {
  const names = (await readdir(dir)).filter((n) => n.endsWith(".log"));
  if (names.length !== 1) throw new Error(`expected one segment, found ${names.length}`);
  return join(dir, names[0] as string);
}

/**
 * One round. Each engine measurement runs right after its plain counterpart, in the same
 * state (nothing deleted in between), and files are removed only at the end of the round.
 */
async function round(batch: Buffer): Promise<Omit<CaseResult, "batchBytes">> {
  const count = Math.max(IN_FLIGHT, Math.floor(TOTAL / batch.length));
  const totalBytes = count * batch.length;
  const buffers = Array.from({ length: count }, (_, i) => (i < 16 ? Buffer.from(batch) : batch));
  const dir = await mkdtemp(join(tmpdir(), "logbook-bench-"));
  const tp = { topic: "bench", partition: 0 };
  try {
    const writeMs = await plainWrite(join(dir, "plain"), buffers, 0);
    const osEngine = await openStorageEngine(join(dir, "os"));
    const osLog = await osEngine.open(tp, logConfig());
    const appendMs = await appendAll(osLog, batch, count);
    await osLog.flush(); // outside the timing, as for the plain write

    const plainReadMs = await plainRead(await segmentFile(join(dir, "os", "bench-0")));
    const logReadMs = await readLog(osLog);
    await osEngine.close();

    const writeSyncMs = await plainWrite(join(dir, "plain-sync"), buffers, IN_FLIGHT);
    const syncEngine = await openStorageEngine(join(dir, "fsync"));
    const syncLog = await syncEngine.open(tp, logConfig({ flushMessages: 1 }));
    const appendSyncMs = await appendAll(syncLog, batch, count);
    await syncEngine.close();

    return {
      totalBytes,
      plainWrite: mbps(totalBytes, writeMs),
      appendOsFlush: mbps(totalBytes, appendMs),
      plainWriteFsync: mbps(totalBytes, writeSyncMs),
      appendFsync: mbps(totalBytes, appendSyncMs),
      plainRead: mbps(totalBytes, plainReadMs),
      logRead: mbps(totalBytes, logReadMs),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const results: CaseResult[] = [];
for (const size of [16 * 1024, 1024 * 1024]) {
  const batch = await makeBatchOfSize(size, size >= 1 << 20 ? 64 : 16);
  // A discarded warm-up round: on a VM the first use of fresh memory (page cache, buffers)
  // costs page faults in the host, which would land on whichever measurement runs first.
  await round(batch);
  const rounds: Omit<CaseResult, "batchBytes">[] = [];
  for (let i = 0; i < ROUNDS; i++) rounds.push(await round(batch));
  if (process.env.BENCH_VERBOSE) console.error(JSON.stringify(rounds));
  const pick = (k: keyof Omit<CaseResult, "batchBytes" | "totalBytes">): number =>
    median(rounds.map((r) => r[k]));
  results.push({
    batchBytes: size,
    totalBytes: (rounds[0] as { totalBytes: number }).totalBytes,
    plainWrite: pick("plainWrite"),
    appendOsFlush: pick("appendOsFlush"),
    plainWriteFsync: pick("plainWriteFsync"),
    appendFsync: pick("appendFsync"),
    plainRead: pick("plainRead"),
    logRead: pick("logRead"),
  });
}

const label = (n: number): string => (n >= 1 << 20 ? `${n >> 20} MiB` : `${n >> 10} KiB`);
const f = (n: number): string => n.toFixed(0).padStart(7);
const r = (a: number, b: number): string => (a / b).toFixed(2).padStart(6);
const lines = [
  `Disk engine vs plain fs, MB/s (10^6 B/s), median of ${ROUNDS}; ${label(TOTAL)} per run, ` +
    `${IN_FLIGHT} appends in flight; ${cpus().length} cores, node ${process.version}`,
  "batch    plain-write  append(os)  ratio | plain+fsync/8  append(fsync)  ratio | plain-read  log.read  ratio",
  ...results.map(
    (x) =>
      `${label(x.batchBytes).padEnd(8)} ${f(x.plainWrite)}     ${f(x.appendOsFlush)}   ${r(x.appendOsFlush, x.plainWrite)} |` +
      `       ${f(x.plainWriteFsync)}        ${f(x.appendFsync)} ${r(x.appendFsync, x.plainWriteFsync)} |` +
      `    ${f(x.plainRead)}   ${f(x.logRead)} ${r(x.logRead, x.plainRead)}`,
  ),
  "goals: append(os)/plain-write >= 0.85, log.read/plain-read >= 0.90",
];
if (asJson) {
  process.stderr.write(`${lines.join("\n")}\n`);
  const out = {
    date: new Date().toISOString(),
    node: process.version,
    cores: cpus().length,
    rounds: ROUNDS,
    inFlight: IN_FLIGHT,
    results: results.map((x) => ({
      ...x,
      appendRatio: x.appendOsFlush / x.plainWrite,
      appendFsyncRatio: x.appendFsync / x.plainWriteFsync,
      readRatio: x.logRead / x.plainRead,
    })),
  };
  process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
} else {
  process.stdout.write(`${lines.join("\n")}\n`);
}
