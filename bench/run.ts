/**
 * `pnpm bench`: Logbook against Apache Kafka (single KRaft node, started here) and a
 * minimal Node.js Kafka server (the ceiling, bench/ceiling) in the same run, driven by
 * the same clients, so that every Logbook figure can be read as a ratio to Kafka (the
 * headline) and to what Node itself allows on this machine right now.
 * See docs/performance.md for what is measured and what the numbers mean.
 *
 *   pnpm bench [--quick] [--rounds N] [--only produce,consume,latency,omb,kafkajs,postgres]
 *              [--no-kafkajs] [--no-kafka] [--no-footprint] [--no-build] [--out FILE]
 *   pnpm bench --profile [--seconds N]   (CPU profiles instead, see bench/profile.ts)
 *
 * --quick: one round of shorter cells (a smoke run, not for the results file).
 * Each round runs every cell on the three servers back to back, the order rotating by
 * round, and the reported figure is the median over rounds of the per-round values and
 * ratios. Writes bench/results/latest.json unless --out says otherwise.
 */

import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { dirname, join } from "node:path";
import { type Admin, Kafka, logLevel } from "kafkajs";
import { buildForBench } from "./lib/build.js";
import { type Cell, FIELDS, GROUPS, kindOf, type Sample, summarise } from "./lib/cells.js";
import { type Footprint, measureFootprint } from "./lib/footprint.js";
import { buildLoadgen, runJsonChild } from "./lib/loadgen.js";
import { describeMachine } from "./lib/machine.js";
import { OMB, searchSustainedRate } from "./lib/omb.js";
import { REPO_ROOT, RESULTS_DIR } from "./lib/paths.js";
import { evaluateGoals, printReport } from "./lib/report.js";
import {
  sampleRss,
  startCeiling,
  startKafkaTarget,
  startLogbook,
  type Target,
} from "./lib/servers.js";
import { round } from "./lib/stats.js";
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
const OMB_STEP_SECONDS = quick ? 2 : 4;
const OMB_BISECTIONS = quick ? 1 : 2;
const SIZES = [100, 1024, 16384];
const PARTITIONS = [1, 100];
const ACKS = ["1", "all"] as const;
/** Every size and partition count at 1,000 rec/s; 1 KiB also at 20,000 rec/s. */
const LATENCY_CELLS = [
  ...SIZES.flatMap((size) => PARTITIONS.map((partitions) => ({ size, partitions, rate: 1000 }))),
  ...PARTITIONS.map((partitions) => ({ size: 1024, partitions, rate: 20000 })),
];
const CONSUME_CAP_BYTES = (quick ? 64 : 256) * 1024 * 1024;
const CONSUME_CAP_RECORDS = quick ? 500_000 : 2_000_000;
const KAFKAJS_CONSUME_CAP_RECORDS = 300_000;
/** --only WORD[,WORD]: run only the steps named (produce, consume, latency, omb, kafkajs, postgres). */
const only = value("--only")?.split(",");
const wanted = (step: string): boolean => only === undefined || only.includes(step);
const outFile = value("--out") ?? join(RESULTS_DIR, quick ? "quick.json" : "latest.json");

const sizeLabel = (size: number): string => (size >= 1024 ? `${size / 1024} KiB` : `${size} B`);
const partitionsLabel = (p: number): string => `${p} partition${p > 1 ? "s" : ""}`;

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

if (!flag("--no-build")) buildForBench(log);
if (flag("--profile")) {
  const { profileMain } = await import("./profile.js");
  await profileMain(Number(value("--seconds") ?? 5));
  process.exit(0);
}
const loadgen = buildLoadgen();
const machine = describeMachine(loadgen);
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

/** A server that does not start is left out; its cells show "-". */
async function tryStart(name: string, start: () => Promise<Target>): Promise<Target[]> {
  try {
    return [await start()];
  } catch (e) {
    log(`  ${name} did not start: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}`);
    return [];
  }
}
log("starting the ceiling, Logbook and Kafka ...");
let kafkaStartMs = Number.NaN;
const targets: Target[] = [
  ...(await tryStart("the ceiling", startCeiling)),
  ...(await tryStart("logbook", () => startLogbook())),
  ...(flag("--no-kafka")
    ? []
    : await tryStart("kafka", async () => {
        const k = await startKafkaTarget();
        kafkaStartMs = k.startMs;
        return k;
      })),
];
if (targets.length === 0) process.exit(1);
// A run that dies half way must not leave its servers behind.
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
const admins = new Map<string, Promise<Admin>>();
function adminOf(t: Target): Promise<Admin> {
  let admin = admins.get(t.name);
  if (admin === undefined) {
    const a = new Kafka({ brokers: [t.bootstrap], logLevel: logLevel.NOTHING }).admin();
    admin = a.connect().then(() => a);
    admins.set(t.name, admin);
  }
  return admin;
}

/** Topics written this round per server, deleted at the end of the round. */
const roundTopics = new Map<string, string[]>();
/**
 * Creates a topic and waits until the server answers ListOffsets for every partition.
 * Kafka lists a new partition's leader in Metadata a moment before that broker serves
 * it; a client that fetches meanwhile is told NOT_LEADER and backs off for seconds,
 * which would land in the first latency samples. (kafkajs's own wait can even fail:
 * its metadata refresh after CreateTopics may see UNKNOWN_TOPIC_OR_PARTITION.)
 */
async function createTopic(t: Target, topic: string, partitions: number): Promise<void> {
  const admin = await adminOf(t);
  let createError: unknown;
  try {
    await admin.createTopics({ topics: [{ topic, numPartitions: partitions }] });
  } catch (e) {
    createError = e;
  }
  roundTopics.set(t.name, [...(roundTopics.get(t.name) ?? []), topic]);
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      const offsets = await admin.fetchTopicOffsets(topic);
      if (offsets.length === partitions) return;
    } catch (e) {
      if (Date.now() > deadline) throw createError ?? e;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Frees the disk a round wrote (several GB per server) before the next one: DeleteTopics,
 * or for the ceiling, which has none, its own way (the machine's disk is not large
 * enough for three rounds of everything).
 */
async function deleteRoundTopics(): Promise<void> {
  for (const t of targets) {
    const topics = roundTopics.get(t.name) ?? [];
    if (topics.length === 0) continue;
    try {
      if (t.freeTopics !== undefined) await t.freeTopics(topics);
      else await (await adminOf(t)).deleteTopics({ topics, timeout: 60_000 });
    } catch (e) {
      log(`  deleting ${t.name}'s topics failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  roundTopics.clear();
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
  const slot = cell.rounds[round] ?? {};
  cell.rounds[round] = slot;
  slot[target.name] = sample;
}

/** All servers, the order rotating by round so that drift in load hits each alike. */
function ordered(r: number): Target[] {
  const k = r % targets.length;
  return [...targets.slice(k), ...targets.slice(0, k)];
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
  runJsonChild(process.execPath, ["--import", "tsx", kafkajsScript, ...args]);
const rdkafka = (args: string[]): Promise<Sample> => runJsonChild(loadgen, args);

/**
 * Writes the page cache back to disk (sync) before a timed cell, so that no server pays
 * for the writeback of what the cell before it wrote: with 2-3 GB dirty, Kafka's
 * produce of 1 KiB records to 100 partitions fell from about 180,000 to 27,000 records/s
 * here, its 1-partition produce did not. A sync after a cell takes well under a second.
 */
function settleDisk(): Promise<void> {
  return new Promise((resolve) => {
    const child = spawn("sync", [], { stdio: "ignore" });
    child.on("exit", () => resolve());
    child.on("error", () => resolve());
  });
}

/** Creates a fresh topic on the server and runs one client against it. */
function onTopic(
  t: Target,
  topic: string,
  partitions: number,
  run: () => Promise<Sample>,
): Promise<Sample> {
  return attempt(`${t.name} ${topic}`, async () => {
    await createTopic(t, topic, partitions);
    await settleDisk();
    return run();
  });
}

// JIT warm-up, not recorded: V8 and the JVM compile their hot paths during the first
// seconds of load, each kind of load its own, and the first cells measured should not
// pay for it. One short run of each kind of step on every server.
log("warm-up ...");
for (const t of targets) {
  const s = await onTopic(t, "warm-up", 1, () =>
    rdkafka(["produce", t.bootstrap, "warm-up", "1", "1024", "1", String(PRODUCE_SECONDS)]),
  );
  const count = Math.min(Number(s.records) || 0, CONSUME_CAP_RECORDS);
  if (count > 0)
    await attempt(`${t.name} warm-up consume`, () =>
      rdkafka(["consume", t.bootstrap, "warm-up", "1", String(count), "60"]),
    );
  await onTopic(t, "warm-up-many", 100, () =>
    rdkafka([
      "produce",
      t.bootstrap,
      "warm-up-many",
      "100",
      "1024",
      "1",
      String(PRODUCE_SECONDS),
      "prime",
    ]),
  );
  await onTopic(t, "warm-up-e2e", 1, () =>
    rdkafka(["e2e", t.bootstrap, "warm-up-e2e", "1024", "20000", "1", "1"]),
  );
  if (wanted("omb"))
    await onTopic(t, "warm-up-omb", OMB.partitions, () =>
      rdkafka([
        "omb",
        t.bootstrap,
        "warm-up-omb",
        String(OMB.partitions),
        String(OMB.size),
        String(OMB.startRate),
        "1",
        String(OMB.producers),
        String(OMB.consumers),
      ]),
    );
}

for (let r = 0; r < ROUNDS; r++) {
  log(`round ${r + 1}/${ROUNDS} (load average ${loadavg()[0]?.toFixed(1)})`);
  const produced = new Map<string, number>();
  // Consume reads the topics this step produced (the acks=1 ones).
  for (const size of wanted("produce") || wanted("consume") ? SIZES : [])
    for (const partitions of PARTITIONS)
      for (const acks of ACKS)
        for (const t of ordered(r)) {
          const topic = `p-${size}-${partitions}-${acks}-r${r}`;
          const s = await onTopic(t, topic, partitions, () =>
            rdkafka([
              "produce",
              t.bootstrap,
              topic,
              String(partitions),
              String(size),
              acks,
              String(PRODUCE_SECONDS),
              "prime",
            ]),
          );
          produced.set(`${t.name}/${topic}`, Number(s.records) || 0);
          record(
            GROUPS.produce,
            `${sizeLabel(size)}, ${partitionsLabel(partitions)}, acks=${acks}`,
            { size, partitions, acks },
            r,
            t,
            s,
          );
        }
  for (const size of wanted("consume") ? SIZES : [])
    for (const partitions of PARTITIONS) {
      const topic = `p-${size}-${partitions}-1-r${r}`;
      // The same count from every server: a server that produced more would otherwise
      // be timed over more of librdkafka's fetch rounds.
      const everyServer = ordered(r)
        .map((t) => produced.get(`${t.name}/${topic}`) ?? 0)
        .filter((n) => n > 0);
      const common = everyServer.length === 0 ? 0 : Math.min(...everyServer);
      for (const t of ordered(r)) {
        const available = produced.get(`${t.name}/${topic}`) ?? 0;
        const count = Math.min(
          available,
          common,
          CONSUME_CAP_RECORDS,
          Math.floor(CONSUME_CAP_BYTES / size),
        );
        const s = await attempt(`${t.name} consume ${topic}`, async () => {
          if (count === 0) throw new Error("nothing was produced to read");
          await settleDisk();
          return rdkafka(["consume", t.bootstrap, topic, String(partitions), String(count), "60"]);
        });
        record(
          GROUPS.consume,
          `${sizeLabel(size)}, ${partitionsLabel(partitions)}`,
          { size, partitions },
          r,
          t,
          s,
        );
      }
    }
  for (const { size, partitions, rate } of wanted("latency") ? LATENCY_CELLS : [])
    for (const t of ordered(r)) {
      const topic = `e2e-${size}-${partitions}-${rate}-r${r}`;
      const s = await onTopic(t, topic, partitions, () =>
        rdkafka([
          "e2e",
          t.bootstrap,
          topic,
          String(size),
          String(rate),
          String(E2E_SECONDS),
          String(partitions),
        ]),
      );
      record(
        GROUPS.latency,
        `${sizeLabel(size)}, ${partitionsLabel(partitions)}, ${rate.toLocaleString("en-US")} rec/s`,
        { size, partitions, rate },
        r,
        t,
        s,
      );
    }
  for (const t of wanted("omb") ? ordered(r) : []) {
    log(`  omb: searching ${t.name}'s highest rate ...`);
    let step = 0;
    const s = await searchSustainedRate((rate) => {
      const topic = `omb-r${r}-${step++}`;
      return onTopic(t, topic, OMB.partitions, () =>
        rdkafka([
          "omb",
          t.bootstrap,
          topic,
          String(OMB.partitions),
          String(OMB.size),
          String(rate),
          String(OMB_STEP_SECONDS),
          String(OMB.producers),
          String(OMB.consumers),
        ]),
      );
    }, OMB_BISECTIONS);
    log(`  omb: ${t.name} sustained ${s.sustainedRate ?? "-"} rec/s (${s.steps})`);
    record(GROUPS.omb, `${OMB_STEP_SECONDS} s per step`, { rate: "search" }, r, t, s);
  }
  if (!flag("--no-kafkajs") && wanted("kafkajs"))
    for (const size of SIZES)
      for (const t of ordered(r)) {
        const topic = `k-${size}-r${r}`;
        const s = await onTopic(t, topic, 1, () =>
          kafkajs(["produce", t.bootstrap, topic, String(size), "1", String(KAFKAJS_SECONDS)]),
        );
        record(GROUPS.kafkajsProduce, `${sizeLabel(size)}, 1 partition, acks=1`, { size }, r, t, s);
        const count = Math.min(
          Number(s.records) || 0,
          KAFKAJS_CONSUME_CAP_RECORDS,
          Math.floor(CONSUME_CAP_BYTES / size),
        );
        const c = await attempt(`${t.name} kafkajs consume ${topic}`, async () => {
          if (count === 0) throw new Error("nothing was produced to read");
          await settleDisk();
          return kafkajs(["consume", t.bootstrap, topic, String(count), "60"]);
        });
        record(GROUPS.kafkajsConsume, `${sizeLabel(size)}, 1 partition`, { size }, r, t, c);
      }
  await deleteRoundTopics();
}

const peakRss: Record<string, number> = {};
for (const [name, sampler] of rss) peakRss[name] = await sampler.stop();
for (const admin of admins.values()) await admin.then((a) => a.disconnect()).catch(() => {});
for (const t of targets) await t.stop().catch(() => {});
stopped = true;

// The storage engines side by side (PostgreSQL with 1, 2 and 3 brokers), after the
// comparison so that its servers are not running meanwhile.
let engineRows: EngineRow[] = [];
if (wanted("postgres") && !flag("--no-postgres")) {
  log("storage engines (PostgreSQL with 1, 2 and 3 brokers, the file engine beside) ...");
  engineRows = await postgresRows(loadgen, quick ? 1.5 : 3, log);
}

const summary = [...cells.values()].map((cell) => summarise(cell, FIELDS[kindOf(cell.group)]));

const results = {
  meta: {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    quick,
    rounds: ROUNDS,
    servers: targets.map((t) => t.name),
    machine,
    // Kept from earlier result files.
    node: process.version,
    cpus: machine.cores,
    cpuModel: machine.cpuModel,
    kafkaStartMs,
    loadAverageBefore: loadBefore.map((x) => round(x, 2)),
    loadAverageAfter: loadavg().map((x) => round(x, 2)),
    gitCommit: spawnSync("git", ["rev-parse", "--short", "HEAD"], { cwd: REPO_ROOT })
      .stdout?.toString()
      .trim(),
    seconds: {
      produce: PRODUCE_SECONDS,
      e2e: E2E_SECONDS,
      kafkajs: KAFKAJS_SECONDS,
      ombStep: OMB_STEP_SECONDS,
    },
    omb: { ...OMB, stepSeconds: OMB_STEP_SECONDS, bisections: OMB_BISECTIONS },
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
