/**
 * `pnpm bench:growth`: how Logbook's cost grows with partitions, connections, data and
 * group members (issue #18, item 4). Each curve's points can be chosen, so that a short
 * run is possible; each run replaces only the curves it ran in the results file, so the
 * curves may be measured one at a time; within a curve, the points a run measured
 * replace the earlier ones at the same x (so a long point can have a run of its own). `pnpm bench:charts` draws them.
 *
 *   pnpm bench:growth [--curves partitions,connections,data,rebalance]
 *                     [--partitions 1,100,1000,10000] [--produce-seconds 5]
 *                     [--connections 10,1000,10000] [--latency-samples 2000]
 *                     [--data-gib 1,10,50] [--members 10,100,1000]
 *                     [--no-build] [--out bench/results/growth.json]
 *
 * Wrap it in `flock /tmp/logbook-bench.lock` on a shared machine. See the "Growth"
 * section of docs/performance.md for the method and the last results.
 */

import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { dirname, join } from "node:path";
import { buildForBench } from "../lib/build.js";
import { buildLoadgen } from "../lib/loadgen.js";
import { REPO_ROOT, RESULTS_DIR } from "../lib/paths.js";
import { flagValue, hasFlag, log, numberList, runMeta } from "./common.js";
import { measureConnections } from "./connections.js";
import { measureDataSizes } from "./data-size.js";
import { openFilesLimit, relaunchWithOpenFiles } from "./open-files.js";
import { measurePartitions } from "./partitions.js";
import { measureRebalance } from "./rebalance.js";

const CURVES = ["partitions", "connections", "data", "rebalance"] as const;
type Curve = (typeof CURVES)[number];

const curves = (flagValue("--curves")?.split(",") ?? [...CURVES]) as Curve[];
for (const c of curves) if (!CURVES.includes(c)) throw new Error(`unknown curve ${c}`);
const partitionPoints = numberList("--partitions", [1, 100, 1000, 10000]);
const connectionPoints = numberList("--connections", [10, 1000, 10000]);
const dataPoints = numberList("--data-gib", [1, 10, 50]);
const memberPoints = numberList("--members", [10, 100, 1000]);
const outFile = flagValue("--out") ?? join(RESULTS_DIR, "growth.json");

// Both ends of every connection are in this process and the broker it spawns (which
// inherits the limit): the most connections of any curve, plus room for files.
const needFiles =
  1024 +
  Math.max(
    curves.includes("connections") ? Math.max(...connectionPoints) + 1 : 0,
    curves.includes("rebalance") ? Math.max(...memberPoints) : 0,
  );
if (openFilesLimit() < needFiles) relaunchWithOpenFiles(needFiles);

if (!hasFlag("--no-build")) buildForBench(log);

const results: Record<string, unknown> = existsSync(outFile)
  ? (JSON.parse(readFileSync(outFile, "utf8")) as Record<string, unknown>)
  : {};
results.machine = {
  node: process.version,
  cpus: cpus().length,
  cpuModel: cpus()[0]?.model ?? "unknown",
  memoryGiB: Math.round(totalmem() / 2 ** 30),
  openFilesLimit: openFilesLimit(),
  gitCommit: spawnSync("git", ["rev-parse", "--short", "HEAD"], { cwd: REPO_ROOT })
    .stdout?.toString()
    .trim(),
};

interface Run {
  [key: string]: unknown;
}

/**
 * Stores a curve's points, replacing earlier points at the same x and keeping the
 * others, so that the points of one curve may come from several short runs. Each run
 * is listed (command, start and end, load average, settings) with the x values it
 * measured; a run none of whose points is left is dropped from the list.
 */
function store(
  curve: Curve,
  x: string,
  started: Run,
  settings: Record<string, unknown>,
  points: object[],
): void {
  const key = (p: object): number => (p as Record<string, number>)[x] ?? Number.NaN;
  const before = results[curve] as { runs?: Run[]; points?: object[] } | undefined;
  const fresh = new Set(points.map(key));
  const kept = (before?.points ?? []).filter((p) => !fresh.has(key(p)));
  const runs = (before?.runs ?? []).filter((r) =>
    ((r[x] as number[] | undefined) ?? []).some((v) => !fresh.has(v)),
  );
  const run = { ...started, finishedAt: new Date().toISOString(), ...settings, [x]: [...fresh] };
  results[curve] = {
    runs: [...runs, run],
    points: [...kept, ...points].sort((a, b) => key(a) - key(b)),
  };
  mkdirSync(dirname(outFile), { recursive: true });
  writeFileSync(outFile, `${JSON.stringify(results, null, 2)}\n`);
}

const loadgen = buildLoadgen();
for (const curve of curves) {
  log(`${curve} ...`);
  const started = runMeta();
  if (curve === "partitions") {
    const produceSeconds = Number(flagValue("--produce-seconds") ?? 5);
    const points = await measurePartitions(loadgen, partitionPoints, produceSeconds);
    store(curve, "partitions", started, { recordBytes: 1024, produceSeconds }, points);
  } else if (curve === "connections") {
    const samples = Number(flagValue("--latency-samples") ?? 2000);
    const points = await measureConnections(connectionPoints, samples);
    store(curve, "connections", started, { latencySamples: samples }, points);
  } else if (curve === "data") {
    const points = await measureDataSizes(loadgen, dataPoints);
    store(curve, "gib", started, { recordBytes: 16384 }, points);
  } else {
    store(curve, "members", started, {}, await measureRebalance(memberPoints));
  }
}
log(`written to ${outFile}`);
process.exit(0);
