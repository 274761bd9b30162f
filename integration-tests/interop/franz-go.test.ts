/**
 * Interop matrix, franz-go column: github.com/twmb/franz-go (kgo, kadm) from the Go
 * module proxy, pinned in integration-tests/go/go.mod, driven by the Go program
 * integration-tests/go/franzdriver (built here into integration-tests/go/.bin; Go's
 * build cache makes a rebuild after the first one take about a second).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { before } from "node:test";
import { REPO_ROOT } from "../helpers/broker-process.js";
import { drivenMatrix, runDriver } from "./driven.js";

const MODULE = join(REPO_ROOT, "integration-tests/go");
const DRIVER = join(MODULE, ".bin/franzdriver");
/** A first build compiles franz-go and its codecs; a guard, not an expectation. */
const BUILD_GUARD_MS = 300_000;

before(() => {
  const r = spawnSync("go", ["build", "-o", DRIVER, "./franzdriver"], {
    cwd: MODULE,
    encoding: "utf8",
    timeout: BUILD_GUARD_MS,
  });
  if (r.error !== undefined)
    assert.fail(`go could not run (${r.error.message}): the franz-go column needs Go 1.26`);
  assert.equal(r.status, 0, `go build of the franz-go driver failed:\n${r.stderr}`);
});

const driver = (args: string[]) => runDriver("franzdriver", DRIVER, args, 90_000);

drivenMatrix({
  client: "franz-go",
  src: "franz-go",
  version: async () => String(await driver(["version"])),
  run: (env, scenario, topic, extra) => driver([scenario, env.broker.bootstrap, topic, ...extra]),
});
