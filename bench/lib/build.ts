/** The build a bench run needs: the packages (tsc) and the bundled CLI the harness starts. */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { REPO_ROOT } from "./paths.js";

/** Builds, or exits the process with the failing step's status. */
export function buildForBench(log: (line: string) => void): void {
  log("building ...");
  const steps = [
    [join(REPO_ROOT, "node_modules/typescript/bin/tsc"), "-b", "tsconfig.build.json"],
    [join(REPO_ROOT, "scripts/bundle-cli.mjs")],
  ];
  for (const args of steps) {
    const r = spawnSync(process.execPath, args, { cwd: REPO_ROOT, stdio: "inherit" });
    if (r.status !== 0) process.exit(r.status ?? 1);
  }
}
