/**
 * `pnpm bench --profile`: CPU profiles of Logbook's produce and fetch paths.
 *
 * Starts `logbook start` under `node --cpu-prof` twice: once while the librdkafka load
 * generator produces (1 KiB and 100 B records, one partition, acks=1), and once, on
 * the same data directory, while it consumes everything from the earliest offset. Each
 * profile is written when the broker stops, then summarised: the functions with the
 * most self time, and the total (inclusive) time under Logbook's own functions.
 * Profiles are kept in the printed directory for chrome://inspect or speedscope.
 */

import { spawn } from "node:child_process";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { Kafka, logLevel } from "kafkajs";
import { removeDir, tempDir } from "../integration-tests/helpers/broker-process.js";
import { buildLoadgen, runJsonChild } from "./lib/loadgen.js";
import { CLI_PATH, REPO_ROOT } from "./lib/paths.js";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
}

const TOP = 25;

function where(frame: ProfileNode["callFrame"]): string {
  const url = frame.url.replace(`file://${REPO_ROOT}`, "").replace(/^node:/, "node:");
  return url === "" ? "" : `${url}:${frame.lineNumber + 1}`;
}

function label(frame: ProfileNode["callFrame"]): string {
  const name = frame.functionName === "" ? "(anonymous)" : frame.functionName;
  const at = where(frame);
  return at === "" ? name : `${name} ${at}`;
}

/** Self and inclusive sample counts per function, as shares of all samples. */
export function summarise(profile: CpuProfile): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const total = profile.samples.length;
  const self = new Map<string, number>();
  for (const n of profile.nodes) {
    const key = label(n.callFrame);
    self.set(key, (self.get(key) ?? 0) + (n.hitCount ?? 0));
  }
  // Inclusive: each function counted once per stack it appears in.
  const inclusive = new Map<string, number>();
  const walk = (id: number, onStack: Set<string>): number => {
    const n = byId.get(id) as ProfileNode;
    const key = label(n.callFrame);
    let hits = n.hitCount ?? 0;
    const added = !onStack.has(key);
    if (added) onStack.add(key);
    for (const c of n.children ?? []) hits += walk(c, onStack);
    if (added) {
      onStack.delete(key);
      inclusive.set(key, (inclusive.get(key) ?? 0) + hits);
    }
    return hits;
  };
  const root = profile.nodes[0];
  if (root !== undefined) walk(root.id, new Set());
  const pct = (v: number): string => `${((100 * v) / total).toFixed(1).padStart(5)}%`;
  const idle = self.get("(idle)") ?? 0;
  const lines = [
    `${total} samples over ${((profile.endTime - profile.startTime) / 1e6).toFixed(1)} s; idle ${pct(idle)}, busy ${pct(total - idle)}`,
    "",
    "self time",
  ];
  for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, TOP))
    lines.push(`${pct(v)}  ${k}`);
  lines.push("", "inclusive time, Logbook's own functions (packages/)");
  const own = [...inclusive].filter(([k]) => k.includes(" packages/")).sort((a, b) => b[1] - a[1]);
  for (const [k, v] of own.slice(0, TOP)) lines.push(`${pct(v)}  ${k}`);
  // Who the heaviest native and library frames are working for: the nearest caller
  // in Logbook's own code, by self time of the frame.
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const ownCaller = (id: number): string => {
    for (let p = parent.get(id); p !== undefined; p = parent.get(p)) {
      const f = (byId.get(p) as ProfileNode).callFrame;
      if (f.url.includes("/packages/")) return label(f);
    }
    return "(no Logbook frame)";
  };
  const heavy = [...self]
    .filter(([k]) => !k.startsWith("(") && !k.includes(" packages/"))
    .sort((a, b) => b[1] - a[1])
    .slice(0, 5);
  for (const [fn] of heavy) {
    const callers = new Map<string, number>();
    for (const n of profile.nodes)
      if (label(n.callFrame) === fn && (n.hitCount ?? 0) > 0) {
        const c = ownCaller(n.id);
        callers.set(c, (callers.get(c) ?? 0) + (n.hitCount ?? 0));
      }
    lines.push("", `${fn}: self time by nearest Logbook caller`);
    for (const [k, v] of [...callers].sort((a, b) => b[1] - a[1]).slice(0, 6))
      lines.push(`${pct(v)}  ${k}`);
  }
  return lines.join("\n");
}

async function profiled<T>(
  dataDir: string,
  profileDir: string,
  run: (bootstrap: string) => Promise<T>,
): Promise<{ result: T; profile: CpuProfile }> {
  // --cpu-prof is refused in NODE_OPTIONS, so this spawns node itself.
  const child = spawn(
    process.execPath,
    [
      `--cpu-prof`,
      `--cpu-prof-dir=${profileDir}`,
      CLI_PATH,
      "start",
      "--port",
      "0",
      "--data-dir",
      dataDir,
      "--log-level",
      "warn",
    ],
    { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "inherit"] },
  );
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /^logbook ready on .+:(\d+) /m.exec(out);
      if (m !== null) resolve(Number(m[1]));
    });
    void exited.then(() => reject(new Error("logbook exited before it was ready")));
  });
  const result = await run(`127.0.0.1:${port}`);
  child.kill("SIGTERM");
  await exited;
  const files = (await readdir(profileDir)).filter((f) => f.endsWith(".cpuprofile"));
  const newest = files.sort().pop();
  if (newest === undefined) throw new Error(`no profile in ${profileDir}`);
  const profile = JSON.parse(await readFile(join(profileDir, newest), "utf8")) as CpuProfile;
  return { result, profile };
}

export async function profileMain(seconds: number): Promise<void> {
  const loadgen = buildLoadgen();
  const dataDir = await tempDir("logbook-bench-profile-");
  const produceDir = await tempDir("logbook-profile-produce-");
  const fetchDir = await tempDir("logbook-profile-fetch-");
  const topics = [
    ["prof-1024", 1024],
    ["prof-100", 100],
  ] as const;
  const produce = await profiled(dataDir, produceDir, async (bootstrap) => {
    const admin = new Kafka({ brokers: [bootstrap], logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    await admin.createTopics({ topics: topics.map(([topic]) => ({ topic, numPartitions: 1 })) });
    await admin.disconnect();
    const out = [];
    for (const [topic, size] of topics)
      out.push(
        await runJsonChild(loadgen, [
          "produce",
          bootstrap,
          topic,
          "1",
          String(size),
          "1",
          String(seconds),
        ]),
      );
    return out;
  });
  const consume = await profiled(dataDir, fetchDir, async (bootstrap) => {
    const out = [];
    for (const [i, [topic]] of topics.entries()) {
      const count = String(produce.result[i]?.records ?? 0);
      out.push(await runJsonChild(loadgen, ["consume", bootstrap, topic, "1", count, "120"]));
    }
    return out;
  });
  await removeDir(dataDir);
  process.stdout.write(
    `\n== produce (${JSON.stringify(produce.result)})\n${summarise(produce.profile)}\n`,
  );
  process.stdout.write(
    `\n== fetch (${JSON.stringify(consume.result)})\n${summarise(consume.profile)}\n`,
  );
  process.stdout.write(`\nprofiles: ${produceDir} ${fetchDir}\n`);
}
