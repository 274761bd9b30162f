/**
 * `pnpm bench`: Logbook against a minimal Node.js Kafka server (the ceiling,
 * bench/ceiling) in the same run, driven by the same clients, so that every Logbook
 * figure can be read as a ratio to what Node itself allows on this machine right now.
 * See docs/performance.md for what is measured and what the numbers mean.
 *
 *   pnpm bench [--quick] [--rounds N] [--only produce,consume,latency,kafkajs,postgres]
 *              [--no-kafkajs] [--no-footprint] [--no-build] [--out FILE]
 *   pnpm bench --profile [--seconds N]   (CPU profiles instead, see bench/profile.ts)
 *
 * --quick: one round of shorter cells (a smoke run, not for the results file).
 * Each round runs every cell on both servers back to back (alternating which goes
 * first), and the reported figure is the median over rounds of the per-round values and
 * ratios. Writes bench/results/latest.json unless --out says otherwise.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { dirname, join } from "node:path";
import { Kafka, logLevel } from "kafkajs";
import { type Footprint, measureFootprint } from "./lib/footprint.js";
import { buildLoadgen, runJsonChild } from "./lib/loadgen.js";
import { REPO_ROOT, RESULTS_DIR } from "./lib/paths.js";
import { evaluateGoals, printReport } from "./lib/report.js";
import { sampleRss, startCeiling, startLogbook, type Target } from "./lib/servers.js";
import { median, round } from "./lib/stats.js";
import { type EngineRow, postgresRows, printPostgresRows } from "./postgres-rows.js";

const argv = process.argv.slice(2);
const flag = (name: string): boolean => argv.includes(name);
const value = (name: string): string | undefined => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const quick = flag("--quick");
const ROUNDS = Number(value("--rounds") ?? (quick ? 1 : 3));
const PRODUCE_SECONDS = quick ? 0.8 : 1.5;
const E2E_SECONDS = quick ? 1.5 : 3;
const KAFKAJS_SECONDS = quick ? 1 : 1.5;
const SIZES = [100, 1024, 16384];
const PARTITIONS = [1, 8];
const ACKS = ["1", "all"] as const;
const RATES = [1000, 20000];
const CONSUME_CAP_BYTES = (quick ? 64 : 256) * 1024 * 1024;
const CONSUME_CAP_RECORDS = quick ? 500_000 : 2_000_000;
const KAFKAJS_CONSUME_CAP_RECORDS = 300_000;
/** --only WORD[,WORD]: run only the steps named (produce, consume, latency, kafkajs). */
const only = value("--only")?.split(",");
const wanted = (step: string): boolean => only === undefined || only.includes(step);
const outFile = value("--out") ?? join(RESULTS_DIR, quick ? "quick.json" : "latest.json");

export type Sample = Record<string, number | string>;
export interface Cell {
  group: string;
  label: string;
  params: Record<string, number | string>;
  rounds: { ceiling: Sample; logbook: Sample }[];
}

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

if (!flag("--no-build")) {
  log("building ...");
  const r = spawnSync(
    process.execPath,
    [join(REPO_ROOT, "node_modules/typescript/bin/tsc"), "-b", "tsconfig.build.json"],
    {
      cwd: REPO_ROOT,
      stdio: "inherit",
    },
  );
  if (r.status !== 0) process.exit(1);
  const b = spawnSync(process.execPath, [join(REPO_ROOT, "scripts/bundle-cli.mjs")], {
    cwd: REPO_ROOT,
    stdio: "inherit",
  });
  if (b.status !== 0) process.exit(1);
}
if (flag("--profile")) {
  const { profileMain } = await import("./profile.js");
  await profileMain(Number(value("--seconds") ?? 5));
  process.exit(0);
}
const loadgen = buildLoadgen();
const startedAt = new Date();
const loadBefore = loadavg();

log("start-up and idle footprint ...");
const footprint: Footprint = flag("--no-footprint")
  ? {
      startupMs: {
        logbook: Number.NaN,
        bareNodeServer: Number.NaN,
        samples: { logbook: [], bareNodeServer: [] },
      },
      startupCpuMs: { logbook: Number.NaN, bareNodeServer: Number.NaN },
      idleRssBytes: { logbook: Number.NaN, emptyNode: Number.NaN },
    }
  : await measureFootprint(quick ? 3 : 5);

const targets: Target[] = [await startCeiling(), await startLogbook()];
// A run that dies half way must not leave its two servers behind.
let stopped = false;
process.on("exit", () => {
  if (stopped) return;
  for (const t of targets) {
    try {
      process.kill(t.pid, "SIGKILL");
    } catch {
      // Already stopped.
    }
  }
});
const rss = new Map(targets.map((t) => [t.name, sampleRss(t.pid)]));
const admins = new Map(
  await Promise.all(
    targets.map(async (t) => {
      const admin = new Kafka({ brokers: [t.bootstrap], logLevel: logLevel.NOTHING }).admin();
      await admin.connect();
      return [t.name, admin] as const;
    }),
  ),
);

async function createTopic(t: Target, topic: string, partitions: number): Promise<void> {
  const admin = admins.get(t.name);
  if (admin === undefined) throw new Error("no admin client");
  await admin.createTopics({
    topics: [{ topic, numPartitions: partitions }],
    waitForLeaders: true,
  });
}

const cells = new Map<string, Cell>();
function record(
  group: string,
  label: string,
  params: Cell["params"],
  round: number,
  target: Target,
  sample: Sample,
): void {
  const key = `${group}/${label}`;
  let cell = cells.get(key);
  if (cell === undefined) {
    cell = { group, label, params, rounds: [] };
    cells.set(key, cell);
  }
  const slot = cell.rounds[round] ?? { ceiling: {}, logbook: {} };
  cell.rounds[round] = slot;
  slot[target.name] = sample;
}

/** Both servers, the order alternating by round so that drift in load hits both. */
function ordered(r: number): Target[] {
  return r % 2 === 0 ? targets : [...targets].reverse();
}

/** A failed cell is reported (as NaN) rather than ending the run. */
async function attempt(what: string, run: () => Promise<Sample>): Promise<Sample> {
  try {
    return await run();
  } catch (e) {
    log(`  ${what} failed: ${e instanceof Error ? e.message : String(e)}`);
    return { error: e instanceof Error ? (e.message.split("\n")[0] ?? "") : String(e) };
  }
}

const kafkajsScript = join(REPO_ROOT, "bench/kafkajs-load.ts");
const kafkajs = (args: string[]): Promise<Sample> =>
  attempt(`kafkajs ${args.slice(0, 3).join(" ")}`, () =>
    runJsonChild(process.execPath, ["--import", "tsx", kafkajsScript, ...args]),
  );
const rdkafka = (args: string[]): Promise<Sample> =>
  attempt(`loadgen ${args.slice(0, 3).join(" ")}`, () => runJsonChild(loadgen, args));

for (let r = 0; r < ROUNDS; r++) {
  log(`round ${r + 1}/${ROUNDS} (load average ${loadavg()[0]?.toFixed(1)})`);
  const produced = new Map<string, number>();
  // Consume reads the topics this step produced.
  for (const size of wanted("produce") || wanted("consume") ? SIZES : [])
    for (const partitions of PARTITIONS)
      for (const acks of ACKS)
        for (const t of ordered(r)) {
          const topic = `p-${size}-${partitions}-${acks}-r${r}`;
          await createTopic(t, topic, partitions);
          const s = await rdkafka([
            "produce",
            t.bootstrap,
            topic,
            String(partitions),
            String(size),
            acks,
            String(PRODUCE_SECONDS),
          ]);
          produced.set(`${t.name}/${topic}`, Number(s.records));
          record(
            "librdkafka produce",
            `${size} B, ${partitions} partition${partitions > 1 ? "s" : ""}, acks=${acks}`,
            { size, partitions, acks },
            r,
            t,
            s,
          );
        }
  for (const size of wanted("consume") ? SIZES : [])
    for (const t of ordered(r)) {
      const topic = `p-${size}-1-1-r${r}`;
      const available = produced.get(`${t.name}/${topic}`) ?? 0;
      const count = Math.min(available, CONSUME_CAP_RECORDS, Math.floor(CONSUME_CAP_BYTES / size));
      const s = await rdkafka(["consume", t.bootstrap, topic, "1", String(count), "60"]);
      record("librdkafka consume from earliest", `${size} B, 1 partition`, { size }, r, t, s);
    }
  for (const rate of wanted("latency") ? RATES : [])
    for (const t of ordered(r)) {
      const topic = `e2e-${rate}-r${r}`;
      await createTopic(t, topic, 1);
      const s = await rdkafka([
        "e2e",
        t.bootstrap,
        topic,
        "1024",
        String(rate),
        String(E2E_SECONDS),
      ]);
      record(
        "librdkafka end-to-end latency",
        `${rate} rec/s of 1 KiB`,
        { rate, size: 1024 },
        r,
        t,
        s,
      );
    }
  if (flag("--no-kafkajs") || !wanted("kafkajs")) continue;
  for (const size of SIZES)
    for (const t of ordered(r)) {
      const topic = `k-${size}-r${r}`;
      await createTopic(t, topic, 1);
      const s = await kafkajs([
        "produce",
        t.bootstrap,
        topic,
        String(size),
        "1",
        String(KAFKAJS_SECONDS),
      ]);
      record("kafkajs produce", `${size} B, 1 partition, acks=1`, { size }, r, t, s);
      const count = Math.min(
        Number(s.records),
        KAFKAJS_CONSUME_CAP_RECORDS,
        Math.floor(CONSUME_CAP_BYTES / size),
      );
      const c = await kafkajs(["consume", t.bootstrap, topic, String(count), "60"]);
      record("kafkajs consume from earliest", `${size} B, 1 partition`, { size }, r, t, c);
    }
}

const peakRss: Record<string, number> = {};
for (const [name, sampler] of rss) peakRss[name] = await sampler.stop();
for (const admin of admins.values()) await admin.disconnect();
for (const t of targets) await t.stop();
stopped = true;

// The storage engines side by side (PostgreSQL with 1, 2 and 3 brokers), after the
// comparison with the ceiling so that its servers are not running meanwhile.
let engineRows: EngineRow[] = [];
if (wanted("postgres") && !flag("--no-postgres")) {
  log("storage engines (PostgreSQL with 1, 2 and 3 brokers, the file engine beside) ...");
  engineRows = await postgresRows(loadgen, quick ? 1.5 : 3, log);
}

/** Median over rounds of each figure, and of the per-round Logbook/ceiling ratio. */
function summarise(cell: Cell, fields: string[]) {
  const out: Record<string, { ceiling: number; logbook: number; ratio: number }> = {};
  for (const f of fields) {
    const c = cell.rounds.map((x) => Number(x.ceiling[f]));
    const l = cell.rounds.map((x) => Number(x.logbook[f]));
    out[f] = {
      ceiling: round(median(c), 3),
      logbook: round(median(l), 3),
      ratio: round(median(cell.rounds.map((_, i) => (l[i] as number) / (c[i] as number))), 3),
    };
  }
  return out;
}

const summary = [...cells.values()].map((cell) => ({
  group: cell.group,
  label: cell.label,
  params: cell.params,
  figures: summarise(
    cell,
    cell.group.includes("latency")
      ? ["p50Ms", "p99Ms", "p999Ms", "achievedRate"]
      : ["recordsPerSec", "mbPerSec"],
  ),
  rounds: cell.rounds,
}));

const results = {
  meta: {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    quick,
    rounds: ROUNDS,
    node: process.version,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? "unknown",
    loadAverageBefore: loadBefore.map((x) => round(x, 2)),
    loadAverageAfter: loadavg().map((x) => round(x, 2)),
    gitCommit: spawnSync("git", ["rev-parse", "--short", "HEAD"], { cwd: REPO_ROOT })
      .stdout?.toString()
      .trim(),
    seconds: { produce: PRODUCE_SECONDS, e2e: E2E_SECONDS, kafkajs: KAFKAJS_SECONDS },
  },
  footprint: { ...footprint, peakRssUnderLoadBytes: peakRss },
  cells: summary,
  engines: engineRows,
  goals: [] as ReturnType<typeof evaluateGoals>,
};
results.goals = evaluateGoals(results);
printReport(results);
if (engineRows.length > 0) printPostgresRows(engineRows, log);
mkdirSync(dirname(outFile), { recursive: true });
writeFileSync(outFile, `${JSON.stringify(results, null, 2)}\n`);
log(`\nwritten to ${outFile}`);
process.exit(0);
