/**
 * @logbook/testing (packages/testing) used as an application's test would use it, with
 * @platformatic/kafka under Node 22 (testing/platformatic-example.ts); the package's own
 * tests cover kafkajs in this process.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { node22 } from "./helpers/node22.js";
import { runDriver } from "./interop/driven.js";

test("an in-process test broker with @platformatic/kafka: a retried failure, a fatal one, records read back", async () => {
  const result = (await runDriver("platformatic-example.ts", node22(), [
    join(import.meta.dirname, "testing/platformatic-example.ts"),
  ])) as { retriedTaken: number; produceRequests: number; fatal: string; values: string[] };
  assert.equal(result.retriedTaken, 1);
  assert.equal(result.produceRequests, 2, "the failed Produce and its retry");
  assert.match(result.fatal, /Topic authorization failed/);
  assert.deepEqual(result.values, ["first", "third"]);
});
