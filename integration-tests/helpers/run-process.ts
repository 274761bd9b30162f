/**
 * Runs a child process to its end and collects what it printed. Resolves on "close"
 * rather than "exit": only then has all of stdout and stderr been read (under load
 * "exit" can come first and cut the output short).
 */
import { spawn } from "node:child_process";
import { killOnExit } from "../../scripts/kill-on-exit.js";

export interface ProcessResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Written to stdin, which is then closed; without it stdin is not connected. */
  input?: string;
  /** SIGKILL after this long (a guard against a hang, not an assertion); none by default. */
  timeoutMs?: number;
}

export async function runProcess(
  command: string,
  args: readonly string[],
  opts: RunOptions = {},
): Promise<ProcessResult> {
  const child = killOnExit(
    spawn(command, args, {
      cwd: opts.cwd,
      env: opts.env,
      stdio: [opts.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
    }),
  );
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr?.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  child.stdin?.end(opts.input);
  const guard =
    opts.timeoutMs === undefined
      ? undefined
      : setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
    child.on("close", (c, s) => resolve([c, s])),
  );
  clearTimeout(guard);
  return { code, signal, stdout, stderr };
}
