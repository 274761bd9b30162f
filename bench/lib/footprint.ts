/**
 * Start-up time and idle memory, each beside the same figure for a bare Node process.
 * Start-up is the time from spawn() to the first accepted TCP connection, found by
 * connecting in a tight retry loop; idle RSS is VmRSS two seconds after that.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { connect } from "node:net";
import { removeDir, tempDir } from "../../integration-tests/helpers/broker-process.js";
import { freePort } from "../../integration-tests/helpers/free-port.js";
import { CLI_PATH, REPO_ROOT } from "./paths.js";
import { memoryOf } from "./servers.js";
import { median } from "./stats.js";

const IDLE_SETTLE_MS = 2000;
/** USER_HZ: Linux reports CPU times in 1/100 s. */
const CLOCK_TICKS = 100;

function tryConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/** CPU time (user + system) the process has used, from /proc/<pid>/stat. */
async function cpuMs(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8");
  // Fields after the parenthesised command name; utime and stime are the 14th and 15th.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
}

async function spawnAndConnect(
  args: (port: number) => string[],
): Promise<{ ms: number; cpuMs: number; child: ChildProcess }> {
  const port = await freePort();
  const start = process.hrtime.bigint();
  const child = spawn(process.execPath, args(port), { cwd: REPO_ROOT, stdio: "ignore" });
  const deadline = Date.now() + 30_000;
  while (!(await tryConnect(port))) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error("no connection accepted");
  }
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  return { ms, cpuMs: await cpuMs(child.pid as number), child };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  await exited;
}

const logbookArgs = (dir: string) => (port: number) => [
  CLI_PATH,
  "start",
  "--port",
  String(port),
  "--data-dir",
  dir,
];
const bareServerArgs = (port: number) => [
  "-e",
  `require("node:net").createServer().listen(${port}, "127.0.0.1")`,
];

export interface Footprint {
  startupMs: {
    logbook: number;
    bareNodeServer: number;
    samples: { logbook: number[]; bareNodeServer: number[] };
  };
  /**
   * CPU time used by the time of the first accepted connection: far less disturbed
   * than wall time by other work on a shared machine (10 ms resolution).
   */
  startupCpuMs: { logbook: number; bareNodeServer: number };
  idleRssBytes: { logbook: number; emptyNode: number };
}

export async function measureFootprint(runs: number): Promise<Footprint> {
  const logbook: number[] = [];
  const bare: number[] = [];
  const logbookCpu: number[] = [];
  const bareCpu: number[] = [];
  for (let i = 0; i < runs; i++) {
    const dir = await tempDir("logbook-bench-start-");
    const l = await spawnAndConnect(logbookArgs(dir));
    logbook.push(l.ms);
    logbookCpu.push(l.cpuMs);
    await stop(l.child);
    await removeDir(dir);
    const b = await spawnAndConnect(bareServerArgs);
    bare.push(b.ms);
    bareCpu.push(b.cpuMs);
    await stop(b.child);
  }

  const dir = await tempDir("logbook-bench-idle-");
  const idle = await spawnAndConnect(logbookArgs(dir));
  const empty = spawn(process.execPath, ["-e", "setInterval(()=>{},1000)"], { stdio: "ignore" });
  await new Promise((r) => setTimeout(r, IDLE_SETTLE_MS));
  const idleRss = (await memoryOf(idle.child.pid as number)).rss;
  const emptyRss = (await memoryOf(empty.pid as number)).rss;
  await stop(idle.child);
  await stop(empty);
  await removeDir(dir);
  return {
    startupMs: {
      logbook: median(logbook),
      bareNodeServer: median(bare),
      samples: { logbook, bareNodeServer: bare },
    },
    startupCpuMs: { logbook: median(logbookCpu), bareNodeServer: median(bareCpu) },
    idleRssBytes: { logbook: idleRss, emptyNode: emptyRss },
  };
}
