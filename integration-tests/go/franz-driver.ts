/**
 * The franz-go driver (integration-tests/go/franzdriver): built into .bin with `go build`
 * (Go's build cache makes a rebuild after the first one take about a second) and run per
 * scenario. Used by the interop matrix's franz-go column and by the share-group tests.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { REPO_ROOT } from "../helpers/broker-process.js";
import { runDriver } from "../interop/driven.js";

const MODULE = join(REPO_ROOT, "integration-tests/go");
const DRIVER = join(MODULE, ".bin/franzdriver");
/** A first build compiles franz-go and its codecs; a guard, not an expectation. */
const BUILD_GUARD_MS = 300_000;

/** Builds the driver; fails the calling test (or hook) when Go cannot. */
export function buildFranzDriver(): void {
  const r = spawnSync("go", ["build", "-o", DRIVER, "./franzdriver"], {
    cwd: MODULE,
    encoding: "utf8",
    timeout: BUILD_GUARD_MS,
  });
  if (r.error !== undefined)
    assert.fail(`go could not run (${r.error.message}): the franz-go driver needs Go 1.26`);
  assert.equal(r.status, 0, `go build of the franz-go driver failed:\n${r.stderr}`);
}

/** Runs one scenario: `franzdriver SCENARIO BOOTSTRAP TOPIC [ARG]` with `env` added; its result. */
export const runFranz = (args: string[], env: Record<string, string> = {}) =>
  runDriver("franzdriver", DRIVER, args, 90_000, env);
