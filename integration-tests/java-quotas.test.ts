/**
 * Client quotas with the Java client (kafka-clients 4.x) on Logbook: the Admin sets
 * producer_byte_rate on a client id and reads it back, then a producer with that client
 * id sends far more than the quota allows in one window. Its throughput stays bounded
 * (only a generous lower bound on the time is asserted, never an upper one) and its
 * produce-throttle-time metric shows the broker's throttle times. The checks run in
 * integration-tests/java/QuotaChecks.java. The Java Admin against controller_mutation_rate
 * (MutationQuotaChecks.java): THROTTLING_QUOTA_EXCEEDED with
 * retryOnQuotaViolation(false), a creation that gets through with the default (retries).
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { type BrokerProcess, removeDir, startBroker } from "./helpers/broker-process.js";
import { JAVA_CHECKS_CLIENT, runJava } from "./java/java-driver.js";

let logbook: BrokerProcess | undefined;
before(async () => {
  // Two 1 s samples: a burst is measured over 1 s, so the quota bites within seconds.
  logbook = await startBroker({ args: ["-o", "quota.window.num=2"] });
});
after(async () => {
  if (logbook?.isAlive()) assert.equal(await logbook.stop(), 0, logbook.stderr());
  if (logbook !== undefined) await removeDir(logbook.dataDir);
});

const RATE = 50_000;
const BYTES = 300_000;

test("a Java producer over producer_byte_rate is throttled and sees it in its metrics", async () => {
  const r = (await runJava(JAVA_CHECKS_CLIENT, "QuotaChecks", [
    logbook?.bootstrap ?? "",
    "quota-orders",
    String(RATE),
    String(BYTES),
  ])) as { described: string[]; elapsedMs: number; throttleTimeMax: number };
  assert.deepEqual(r.described, ["{client-id=quota-producer} {producer_byte_rate=50000.0}"]);
  // At the quota, the bytes past the first second's allowance take (BYTES - RATE) / RATE
  // = 5 s; half of it leaves room for any measuring slack, and unthrottled they take
  // well under a second here.
  assert.ok(r.elapsedMs >= 2_500, `elapsed ${r.elapsedMs} ms`);
  assert.ok(r.throttleTimeMax > 0, `produce-throttle-time-max ${r.throttleTimeMax}`);
});

test("the Java Admin sees THROTTLING_QUOTA_EXCEEDED without retries and gets through with them", async () => {
  const r = (await runJava(JAVA_CHECKS_CLIENT, "MutationQuotaChecks", [
    logbook?.bootstrap ?? "",
  ])) as {
    withoutRetry: string[];
    throttleTimeMs: number;
    withRetry: string;
    retryElapsedMs: number;
  };
  // controller_mutation_rate=1, a burst of 11: 8 passes, 8 passes (credits -5), 1 is refused.
  assert.deepEqual(r.withoutRetry, [
    "mq-j1 created",
    "mq-j2 created",
    "mq-j3 ThrottlingQuotaExceededException",
  ]);
  assert.ok(r.throttleTimeMs > 0 && r.throttleTimeMs <= 5000, `throttle ${r.throttleTimeMs}`);
  assert.equal(r.withRetry, "mq-j4 created");
  // The credits were at -5 with 1 per second: the retried creation cannot pass sooner
  // than they are back at zero, minus what the first admin already spent (generous).
  assert.ok(r.retryElapsedMs >= 1000, `retried for ${r.retryElapsedMs} ms`);
});
