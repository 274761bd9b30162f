/**
 * The open-files limit (RLIMIT_NOFILE). Node cannot raise its own, so a run that needs
 * more relaunches itself under `sh -c 'ulimit -n N'` (raising the hard limit needs
 * root; the soft one up to the hard limit does not).
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";

const RELAUNCHED = "LOGBOOK_GROWTH_RELAUNCHED";

/** The soft limit of this process, from /proc/self/limits. */
export function openFilesLimit(): number {
  const m = /^Max open files\s+(\d+|unlimited)/m.exec(readFileSync("/proc/self/limits", "utf8"));
  return m === null || m[1] === "unlimited" ? Number.POSITIVE_INFINITY : Number(m[1]);
}

export function relaunchWithOpenFiles(n: number): never {
  if (process.env[RELAUNCHED] !== undefined)
    throw new Error(`could not raise the open-files limit to ${n} (ulimit -n)`);
  process.stdout.write(`raising the open-files limit to ${n} (ulimit -n) ...\n`);
  const r = spawnSync(
    "sh",
    [
      "-c",
      `ulimit -n ${n} && exec "$0" "$@"`,
      process.execPath,
      ...process.execArgv,
      ...process.argv.slice(1),
    ],
    { stdio: "inherit", env: { ...process.env, [RELAUNCHED]: "1" } },
  );
  process.exit(r.status ?? 1);
}
