/**
 * Starts the real `logbook start` (packages/broker/bundle/logbook.js, the bundled CLI
 * users run, so `pnpm build` must have run: the test runner builds and bundles first) as a child process on a free port with a
 * temporary data directory, waits for its ready line and stops it with SIGTERM.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { killOnExit } from "../../scripts/kill-on-exit.js";
import { type ProcessResult, runProcess } from "./run-process.js";

export const REPO_ROOT = new URL("../../", import.meta.url).pathname;
export const CLI_PATH = join(REPO_ROOT, "packages/broker/bundle/logbook.js");

const READY = /^logbook ready on (.+):(\d+) \(data (.*)\)$/;
/** A guard against a hung start, not an assertion: a healthy start takes milliseconds. */
const START_GUARD_MS = 30_000;

export interface BrokerProcess {
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  /** "127.0.0.1:PORT", for client bootstrap lists. */
  readonly bootstrap: string;
  readonly pid: number;
  readonly readyLine: string;
  /** Everything the process wrote to stdout / stderr so far. */
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (or the signal name) once the process has exited. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  isAlive(): boolean;
  /** SIGTERM and wait for the exit; returns the exit code. */
  stop(): Promise<number | null>;
}

export interface StartOptions {
  /** Data directory; a fresh temporary one by default. */
  dataDir?: string;
  /** Extra `logbook start` arguments (after --port 0 and --data-dir). */
  args?: string[];
  env?: Record<string, string>;
  port?: number;
  /** Pass only `args` (no --port 0 / --data-dir), to test other configuration sources. */
  bare?: boolean;
  /** The Node binary to run the CLI with; this process's by default. */
  node?: string;
}

export async function tempDir(prefix = "logbook-it-"): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/** Spawns `node cli.js ARGS` (stdin `input`) and resolves once it has exited, with its output. */
export async function runCli(
  args: string[],
  env: Record<string, string> = {},
  input?: string,
): Promise<ProcessResult> {
  ensureBuilt();
  return runProcess(process.execPath, [CLI_PATH, ...args], {
    cwd: REPO_ROOT,
    env: childEnv(env),
    ...(input === undefined ? {} : { input }),
  });
}

export async function startBroker(opts: StartOptions = {}): Promise<BrokerProcess> {
  ensureBuilt();
  const dataDir = opts.dataDir ?? (await tempDir());
  const args = opts.bare
    ? [CLI_PATH, "start", ...(opts.args ?? [])]
    : [
        CLI_PATH,
        "start",
        "--port",
        String(opts.port ?? 0),
        "--data-dir",
        dataDir,
        ...(opts.args ?? []),
      ];
  const child = killOnExit(
    spawn(opts.node ?? process.execPath, args, {
      cwd: REPO_ROOT,
      env: childEnv(opts.env ?? {}),
      stdio: ["ignore", "pipe", "pipe"],
    }),
  );
  let out = "";
  let err = "";
  child.stderr.on("data", (d: Buffer) => {
    err += d.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("exit", (code, signal) => resolve({ code, signal })),
  );
  const readyLine = await new Promise<string>((resolve, reject) => {
    const guard = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`logbook did not print its ready line; stderr:\n${err}`));
    }, START_GUARD_MS);
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      const line = out.split("\n").find((l) => READY.test(l));
      if (line !== undefined) {
        clearTimeout(guard);
        resolve(line);
      }
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(guard);
      reject(new Error(`logbook exited (${code ?? signal}) before ready; stderr:\n${err}`));
    });
  });
  const m = READY.exec(readyLine) as RegExpExecArray;
  const host = m[1] as string;
  const port = Number(m[2]);
  return {
    host,
    port,
    dataDir,
    bootstrap: `127.0.0.1:${port}`,
    pid: child.pid as number,
    readyLine,
    stdout: () => out,
    stderr: () => err,
    exited,
    isAlive: () => child.exitCode === null && child.signalCode === null,
    stop: () => stopChild(child, exited),
  };
}

async function stopChild(
  child: ChildProcess,
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>,
): Promise<number | null> {
  if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
  const { code } = await exited;
  return code;
}

function ensureBuilt(): void {
  if (!existsSync(CLI_PATH))
    throw new Error(`${CLI_PATH} is missing: run \`pnpm build\` (the test runner builds first)`);
}

function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  // Set by `node --test` for its own subprocesses; the broker is not one.
  delete env.NODE_TEST_CONTEXT;
  // A developer's own LOGBOOK_* settings must not change what the tests start.
  for (const k of Object.keys(env)) if (k.startsWith("LOGBOOK_") && !(k in extra)) delete env[k];
  return env;
}
