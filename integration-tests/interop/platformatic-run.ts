/**
 * Runs drivers/platformatic-driver.ts. @platformatic/kafka needs Node.js >= 22.22 while
 * the tests run on Node 20, so the driver runs under a Node 22 binary (helpers/node22.ts),
 * which runs the TypeScript driver itself by stripping its types. Used by the interop
 * column and security-matrix.test.ts.
 */
import { join } from "node:path";
import { node22 } from "../helpers/node22.js";
import { runDriver } from "./driven.js";

const DRIVER = join(import.meta.dirname, "drivers/platformatic-driver.ts");
/** `platformatic-driver.ts SCENARIO BOOTSTRAP TOPIC [ARG]` with `env` added; its result. */
export const runPlatformatic = (args: string[], env: Record<string, string> = {}) =>
  runDriver("platformatic-driver.ts", node22(), [DRIVER, ...args], 60_000, env);
