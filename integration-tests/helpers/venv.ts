/**
 * The virtualenv of the PyPI interop columns (integration-tests/.venv, git-ignored):
 * made on first use with `python3 -m venv` and `pip install -r
 * integration-tests/python/requirements.txt`, and made again when that file changes
 * (its hash is kept in the venv). Built beside the final place and renamed into it, so
 * two test files asking at once never see a half-installed venv.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { REPO_ROOT } from "./broker-process.js";

export const VENV_DIR = join(REPO_ROOT, "integration-tests/.venv");
export const REQUIREMENTS = join(REPO_ROOT, "integration-tests/python/requirements.txt");
/** The interpreter the venv is made from; LOGBOOK_VENV_PYTHON overrides. */
const BASE_PYTHON = process.env.LOGBOOK_VENV_PYTHON ?? "python3";
const STAMP = "requirements.sha256";
/** pip downloads a few wheels (about 20 MB); a guard against a hung install. */
const INSTALL_GUARD_MS = 300_000;

function run(command: string, args: string[]): void {
  const r = spawnSync(command, args, { encoding: "utf8", timeout: INSTALL_GUARD_MS });
  if (r.status !== 0)
    throw new Error(
      `${command} ${args.join(" ")} failed (${r.error?.message ?? `exit ${r.status}`}):\n${r.stdout}${r.stderr}`,
    );
}

async function stampOf(dir: string): Promise<string | undefined> {
  try {
    return (await readFile(join(dir, STAMP), "utf8")).trim();
  } catch {
    return undefined;
  }
}

let ready: Promise<string> | undefined;

/** Path of the venv's python, with requirements.txt installed; creates the venv if needed. */
export function venvPython(): Promise<string> {
  ready ??= ensureVenv();
  return ready;
}

async function ensureVenv(): Promise<string> {
  const want = createHash("sha256")
    .update(await readFile(REQUIREMENTS))
    .digest("hex");
  const python = join(VENV_DIR, "bin/python");
  if ((await stampOf(VENV_DIR)) === want && existsSync(python)) return python;

  const building = `${VENV_DIR}-build-${process.pid}`;
  await rm(building, { recursive: true, force: true });
  try {
    run(BASE_PYTHON, ["-m", "venv", building]);
    const pip = join(building, "bin/python");
    run(pip, [
      "-m",
      "pip",
      "install",
      "--quiet",
      "--disable-pip-version-check",
      "-r",
      REQUIREMENTS,
    ]);
    await writeFile(join(building, STAMP), `${want}\n`);
    // Another process may have finished first with the same requirements: keep its venv.
    if ((await stampOf(VENV_DIR)) === want && existsSync(python)) return python;
    const old = `${VENV_DIR}-old-${process.pid}`;
    if (existsSync(VENV_DIR)) await rename(VENV_DIR, old);
    await rename(building, VENV_DIR);
    await rm(old, { recursive: true, force: true });
  } finally {
    await rm(building, { recursive: true, force: true });
  }
  return python;
}
