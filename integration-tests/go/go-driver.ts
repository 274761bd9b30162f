/**
 * The interop matrix's Go drivers (integration-tests/go/<name>, one program per client
 * library in one Go module): built into .bin with `go build` (Go's build cache makes a
 * rebuild after the first one take about a second) and run per scenario.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { REPO_ROOT } from "../helpers/broker-process.js";
import { runDriver } from "../interop/driven.js";

/** The Go module all drivers share (go.mod pins the client libraries). */
export const GO_MODULE = join(REPO_ROOT, "integration-tests/go");
/** A first build compiles the client library and its codecs; a guard, not an expectation. */
const BUILD_GUARD_MS = 300_000;

export interface GoDriver {
  /** Builds the driver; fails the calling test (or hook) when Go cannot. */
  build: () => void;
  /** Runs `<name> SCENARIO BOOTSTRAP TOPIC [ARG]` with `env` added; resolves with its result. */
  run: (args: string[], env?: Record<string, string>) => Promise<unknown>;
  /** The built program. */
  path: string;
}

/** The driver in integration-tests/go/`name`, for the client `library` (in messages). */
export function goDriver(name: string, library: string): GoDriver {
  const path = join(GO_MODULE, ".bin", name);
  return {
    path,
    build: () => {
      const r = spawnSync("go", ["build", "-o", path, `./${name}`], {
        cwd: GO_MODULE,
        encoding: "utf8",
        timeout: BUILD_GUARD_MS,
      });
      if (r.error !== undefined)
        assert.fail(`go could not run (${r.error.message}): the ${library} driver needs Go 1.26`);
      assert.equal(r.status, 0, `go build of the ${library} driver failed:\n${r.stderr}`);
    },
    run: (args, env = {}) => runDriver(name, path, args, 90_000, env),
  };
}
