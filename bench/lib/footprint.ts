/**
 * Start-up time and idle memory, each beside the same figure for a bare Node process.
 * Start-up is the time from spawn() to the first answered request: an ApiVersions v0
 * request is sent on every connection of a tight connect-retry loop until a whole
 * response frame comes back (issue #18 asks for the first answered request, not the
 * first accepted connection). The bare Node server answers any frame with a small one.
 * Idle RSS is VmRSS two seconds after that.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readdir, readFile } from "node:fs/promises";
import { connect } from "node:net";
import { removeDir, tempDir } from "../../integration-tests/helpers/broker-process.js";
import { freePort } from "../../integration-tests/helpers/free-port.js";
import { CLI_PATH, REPO_ROOT } from "./paths.js";
import { memoryOf } from "./servers.js";
import { median } from "./stats.js";

const IDLE_SETTLE_MS = 2000;

/** ApiVersions v0, correlation id 1, null client id: the first request of most clients. */
const API_VERSIONS_V0 = Buffer.from([0, 0, 0, 10, 0, 18, 0, 0, 0, 0, 0, 1, 0xff, 0xff]);

/** Connects, sends ApiVersions v0 and resolves true once a whole response frame is back. */
function tryRequest(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    let got = Buffer.alloc(0);
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.once("connect", () => socket.write(API_VERSIONS_V0));
    socket.on("data", (d: Buffer) => {
      got = Buffer.concat([got, d]);
      if (got.length >= 4 && got.length >= 4 + got.readInt32BE(0)) done(true);
    });
    socket.once("error", () => done(false));
    socket.once("close", () => done(false));
  });
}

/**
 * CPU time (user + system, every thread) the process has used, from the nanosecond
 * run times in /proc/<pid>/task/<tid>/schedstat (/proc/<pid>/stat counts in 10 ms ticks).
 */
async function cpuMs(pid: number): Promise<number> {
  let ns = 0;
  for (const tid of await readdir(`/proc/${pid}/task`)) {
    const s = await readFile(`/proc/${pid}/task/${tid}/schedstat`, "utf8").catch(() => "0");
    ns += Number(s.split(" ")[0]);
  }
  return ns / 1e6;
}

export interface StartSample {
  /** Spawn to the first answered ApiVersions request. */
  ms: number;
  /** CPU time the process had used by then. */
  cpuMs: number;
  /** Phases the broker logged on its "listening" line (startupMs.*), when it did. */
  phases: Record<string, number>;
  child: ChildProcess;
}

/** Which Node binary starts the process, and what it adds to the environment. */
export interface SpawnWith {
  node?: string;
  env?: Record<string, string>;
}

async function spawnAndAsk(
  args: (port: number) => string[],
  how: SpawnWith = {},
): Promise<StartSample> {
  const port = await freePort();
  const start = process.hrtime.bigint();
  const child = spawn(how.node ?? process.execPath, args(port), {
    cwd: REPO_ROOT,
    stdio: ["ignore", "ignore", "pipe"],
    env: { ...process.env, ...how.env },
  });
  let stderr = "";
  child.stderr?.setEncoding("utf8").on("data", (d: string) => {
    stderr += d;
  });
  const deadline = Date.now() + 30_000;
  while (!(await tryRequest(port))) {
    if (child.exitCode !== null || Date.now() > deadline)
      throw new Error(`no request answered: ${stderr.slice(-500)}`);
  }
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const cpu = await cpuMs(child.pid as number);
  // The listening line is written before the ready line; give it a moment to arrive.
  await new Promise((r) => setTimeout(r, 50));
  return { ms, cpuMs: cpu, phases: phasesOf(stderr), child };
}

function phasesOf(stderr: string): Record<string, number> {
  for (const line of stderr.split("\n")) {
    if (!line.includes('"msg":"listening"')) continue;
    try {
      const v: unknown = JSON.parse(line);
      if (typeof v !== "object" || v === null) return {};
      const out: Record<string, number> = {};
      for (const [k, x] of Object.entries(v))
        if (k.startsWith("startupMs.") && typeof x === "number") out[k.slice(10)] = x;
      return out;
    } catch {
      // Not a JSON line.
    }
  }
  return {};
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  await exited;
}

export const logbookArgs =
  (cli: string, nodeArgs: readonly string[] = []) =>
  (dir: string) =>
  (port: number) => [...nodeArgs, cli, "start", "--port", String(port), "--data-dir", dir];

const bareServerArgs = (port: number) => [
  "-e",
  `require("node:net").createServer((s) => s.on("data", () => s.write(Buffer.from([0, 0, 0, 4, 0, 0, 0, 1])))).listen(${port}, "127.0.0.1")`,
];

export interface StartupFigures {
  startupMs: number[];
  cpuMs: number[];
  /** Median of each logged phase over the runs. */
  phases: Record<string, number>;
  /** VmRSS two seconds after the first answer, per run. */
  idleRssBytes: number[];
}

/** `runs` starts of a Logbook CLI on a fresh data directory each. */
export async function measureStarts(
  runs: number,
  cli: string = CLI_PATH,
  nodeArgs: readonly string[] = [],
  withIdleRss = true,
  how: SpawnWith = {},
): Promise<StartupFigures> {
  const out: StartupFigures = { startupMs: [], cpuMs: [], phases: {}, idleRssBytes: [] };
  const phaseSamples = new Map<string, number[]>();
  for (let i = 0; i < runs; i++) {
    const dir = await tempDir("logbook-bench-start-");
    const s = await spawnAndAsk(logbookArgs(cli, nodeArgs)(dir), how);
    out.startupMs.push(s.ms);
    out.cpuMs.push(s.cpuMs);
    for (const [k, v] of Object.entries(s.phases))
      phaseSamples.set(k, [...(phaseSamples.get(k) ?? []), v]);
    if (withIdleRss) {
      await new Promise((r) => setTimeout(r, IDLE_SETTLE_MS));
      out.idleRssBytes.push((await memoryOf(s.child.pid as number)).rss);
    }
    await stop(s.child);
    await removeDir(dir);
  }
  for (const [k, v] of phaseSamples) out.phases[k] = median(v);
  return out;
}

/** `runs` starts of a bare Node server that answers any frame. */
export async function measureBareStarts(
  runs: number,
  how: SpawnWith = {},
): Promise<{ startupMs: number[]; cpuMs: number[] }> {
  const out = { startupMs: [] as number[], cpuMs: [] as number[] };
  for (let i = 0; i < runs; i++) {
    const b = await spawnAndAsk(bareServerArgs, how);
    out.startupMs.push(b.ms);
    out.cpuMs.push(b.cpuMs);
    await stop(b.child);
  }
  return out;
}

/** VmRSS of an empty Node process (a timer keeps it alive) after the settle time. */
export async function emptyNodeRss(node = process.execPath): Promise<number> {
  const empty = spawn(node, ["-e", "setInterval(()=>{},1000)"], { stdio: "ignore" });
  await new Promise((r) => setTimeout(r, IDLE_SETTLE_MS));
  const rss = (await memoryOf(empty.pid as number)).rss;
  await stop(empty);
  return rss;
}

export interface Footprint {
  startupMs: {
    logbook: number;
    bareNodeServer: number;
    samples: { logbook: number[]; bareNodeServer: number[] };
  };
  /**
   * CPU time used by the time of the first answered request: far less disturbed than
   * wall time by other work on a shared machine.
   */
  startupCpuMs: { logbook: number; bareNodeServer: number };
  /** Where Logbook's start-up went (median ms of each phase it logs). */
  startupPhasesMs?: Record<string, number>;
  idleRssBytes: { logbook: number; emptyNode: number };
}

export async function measureFootprint(runs: number): Promise<Footprint> {
  const logbook: StartupFigures = { startupMs: [], cpuMs: [], phases: {}, idleRssBytes: [] };
  const bare = { startupMs: [] as number[], cpuMs: [] as number[] };
  // Fills the launcher's code cache (written 2 s after the ready line, before the idle RSS
  // is read), as the first start after an install does: the figures are of later starts.
  await measureStarts(1, CLI_PATH, [], true);
  // Alternate, one start each, so that a burst of other work hits both alike.
  for (let i = 0; i < runs; i++) {
    const l = await measureStarts(1, CLI_PATH, [], false);
    logbook.startupMs.push(...l.startupMs);
    logbook.cpuMs.push(...l.cpuMs);
    const b = await measureBareStarts(1);
    bare.startupMs.push(...b.startupMs);
    bare.cpuMs.push(...b.cpuMs);
  }
  const idle = await measureStarts(1, CLI_PATH, [], true);
  return {
    startupMs: {
      logbook: median(logbook.startupMs),
      bareNodeServer: median(bare.startupMs),
      samples: { logbook: logbook.startupMs, bareNodeServer: bare.startupMs },
    },
    startupCpuMs: { logbook: median(logbook.cpuMs), bareNodeServer: median(bare.cpuMs) },
    startupPhasesMs: idle.phases,
    idleRssBytes: { logbook: idle.idleRssBytes[0] ?? Number.NaN, emptyNode: await emptyNodeRss() },
  };
}
