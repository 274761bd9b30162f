/**
 * Children must not outlive the test file that started them, and a file must end when
 * its tests have. A before hook that failed after starting a broker once left the
 * broker's open pipes holding the file's process, and with it the whole CI run, alive
 * until CI's time limit.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { runProcess } from "../integration-tests/helpers/run-process.js";
import { TEST_RUNNER_FLAGS } from "./test-runner-flags.mjs";

const ROOT = new URL("..", import.meta.url).pathname;
const KILL_ON_EXIT = join(ROOT, "scripts/kill-on-exit.ts");
/** A child that would run for ten minutes. */
const SLEEPER = `spawn(process.execPath, ["-e", "setTimeout(() => {}, 600000)"], { stdio: ["ignore", "pipe", "pipe"] })`;
/** A guard against this test hanging, not an assertion: the runner ends in seconds. */
const GUARD_MS = 60_000;

/** Running, not a zombie: an orphan killed after its parent died may wait unreaped. */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The state follows the command name in parentheses, which may itself hold spaces.
    const at = stat.lastIndexOf(")") + 2;
    return stat.slice(at, at + 1) !== "Z";
  } catch {
    return false;
  }
}

async function gone(pid: number): Promise<boolean> {
  for (let i = 0; i < 50; i++) {
    if (!running(pid)) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return false;
}

/** Runs `node ARGS` to its end, or kills it at the guard; whether it ended by itself. */
async function run(
  args: string[],
  extraEnv: Record<string, string> = {},
): Promise<{ ended: boolean; code: number | null; out: string }> {
  // Set by node:test for its own subprocesses; without it the inner runner runs files.
  const env = { ...process.env, ...extraEnv };
  delete env.NODE_TEST_CONTEXT;
  const r = await runProcess(process.execPath, args, { cwd: ROOT, env, timeoutMs: GUARD_MS });
  return { ended: r.signal !== "SIGKILL", code: r.code, out: r.stdout };
}

async function orphanPid(register: boolean): Promise<number> {
  // The parent starts a child, prints its pid and exits without stopping it.
  const code = `
    import { spawn } from "node:child_process";
    import { killOnExit } from ${JSON.stringify(KILL_ON_EXIT)};
    const child = ${SLEEPER};
    ${register ? "killOnExit(child);" : ""}
    child.on("spawn", () => { console.log(child.pid); process.exit(0); });
  `;
  const r = await run(["--import", "tsx", "--input-type=module", "-e", code]);
  assert.ok(r.ended && r.code === 0, `the parent exited 0 (${r.code})`);
  const pid = Number(r.out.trim());
  assert.ok(pid > 0, `the parent printed its child's pid: ${r.out}`);
  return pid;
}

test("a child registered with killOnExit is killed when its parent exits without stopping it", async () => {
  const pid = await orphanPid(true);
  assert.ok(await gone(pid), `child ${pid} still running after its parent exited`);
});

test("an unregistered child outlives its parent (what killOnExit is for)", async () => {
  const pid = await orphanPid(false);
  try {
    assert.ok(running(pid), `child ${pid} should still run`);
  } finally {
    process.kill(pid, "SIGKILL");
  }
});

test("under the runner's flags a file whose before hook throws after starting a child ends, and the child is gone", async () => {
  const dir = await mkdtemp(join(tmpdir(), "logbook-runner-"));
  try {
    const pidFile = join(dir, "child.pid");
    const file = join(dir, "hook-fails.test.ts");
    await writeFile(
      file,
      `import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { before, test } from "node:test";
import { killOnExit } from ${JSON.stringify(KILL_ON_EXIT)};
before(async () => {
  const child = killOnExit(${SLEEPER});
  await new Promise((resolve) => child.once("spawn", resolve));
  writeFileSync(${JSON.stringify(pidFile)}, String(child.pid));
  throw new Error("the broker did not start");
});
test("never runs", () => {});
`,
    );
    // A second's grace for the file's after hooks, not the minute CI gives.
    const r = await run([...TEST_RUNNER_FLAGS, "--test-reporter=tap", file], {
      TEST_FILE_EXIT_GRACE_MS: "1000",
    });
    const pid = Number(await readFile(pidFile, "utf8"));
    if (!r.ended) process.kill(pid, "SIGKILL");
    assert.ok(r.ended, `the runner was still running after ${GUARD_MS} ms`);
    assert.match(r.out, /^# fail 1$/m, "the failed hook is reported as a failure");
    assert.ok(await gone(pid), `child ${pid} outlived the test file`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
