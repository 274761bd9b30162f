/**
 * Quota measurement (quotas/sampled-rate.ts): Kafka's sampled rate over
 * quota.window.num windows of quota.window.size.seconds, and the throttle time formula
 * (rate - quota) / quota x window.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { ProduceApi } from "@logbook/protocol";
import fc from "fast-check";
import { ClientQuotaManager } from "../src/quotas/quota-manager.js";
import { throttleAfter } from "../src/quotas/request-throttle.js";
import { SampledRate, throttleTimeMs } from "../src/quotas/sampled-rate.js";
import { plaintextSession } from "../src/server/client-session.js";

const KAFKA = { samples: 11, windowMs: 1000 };

test("a first burst is divided by at least samples - 1 windows", () => {
  const r = new SampledRate(KAFKA);
  r.record(10_000, 0);
  assert.equal(r.windowSizeMs(0), 10_000);
  assert.equal(r.rate(0), 1000);
  assert.equal(r.windowSizeMs(500), 10_500);
});

test("the rate is the sum of the kept samples over the span they cover (property)", () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.integer({ min: 0, max: 30_000 }), fc.integer({ min: 1, max: 1e6 })), {
        minLength: 1,
        maxLength: 60,
      }),
      fc.integer({ min: 0, max: 5_000 }),
      (events, after) => {
        const sorted = [...events].sort((a, b) => a[0] - b[0]);
        const r = new SampledRate(KAFKA);
        for (const [t, v] of sorted) r.record(v, t);
        const now = (sorted[sorted.length - 1]?.[0] ?? 0) + after;
        const span = r.windowSizeMs(now);
        // Never less than 10 windows, never more than all 11 plus the one being filled.
        assert.ok(span >= 10_000 && span <= 12_000, `span ${span}`);
        const total = (r.rate(now) * span) / 1000;
        // Kept: at most everything recorded; the newest sample is always kept.
        const all = sorted.reduce((s, [, v]) => s + v, 0);
        assert.ok(total <= all + 1e-6);
        const newestTime = sorted[sorted.length - 1]?.[0] ?? 0;
        const newest = sorted.filter(([t]) => t === newestTime).reduce((s, [, v]) => s + v, 0);
        if (after < KAFKA.samples * KAFKA.windowMs - KAFKA.windowMs)
          assert.ok(total >= newest - 1e-6);
      },
    ),
  );
});

test("samples older than samples x window are forgotten", () => {
  const r = new SampledRate(KAFKA);
  r.record(5_000, 0);
  r.record(1_000, 20_000);
  assert.equal((r.rate(20_000) * r.windowSizeMs(20_000)) / 1000, 1_000);
  assert.equal(r.idle(40_000), true);
});

test("throttle time: (rate - quota) / quota x window, 0 within the quota, not capped", () => {
  assert.equal(throttleTimeMs(100, 100, 10_000), 0);
  assert.equal(throttleTimeMs(50, 100, 10_000), 0);
  assert.equal(throttleTimeMs(150, 100, 10_000), 5_000);
  assert.equal(throttleTimeMs(200, 100, 10_000), 10_000);
  assert.equal(throttleTimeMs(10_000, 100, 10_000), 990_000);
});

test("the manager throttles only clients over a configured quota, each on its own sensor", () => {
  let now = 0;
  const quotas = new Map([['[["user",null]]', new Map([["producer_byte_rate", 1000]])]]);
  const m = new ClientQuotaManager(
    (e) => quotas.get(JSON.stringify(e.map((c) => [c.entityType, c.entityName]))),
    KAFKA,
    () => now,
  );
  // 10 kB in the first window is exactly 1000 B/s over the 10 s minimum span.
  assert.equal(m.record("producer_byte_rate", "alice", "app", 10_000), 0);
  // 5 kB more: 1500 B/s, half over: half of the 10 s span.
  assert.equal(m.record("producer_byte_rate", "alice", "app", 5_000), 5_000);
  // The default user quota limits bob on his own sensor.
  assert.equal(m.record("producer_byte_rate", "bob", "app", 10_000), 0);
  // No consumer quota configured: never throttled.
  assert.equal(m.record("consumer_byte_rate", "alice", "app", 1e9), 0);
  now = 60_000;
  assert.equal(m.record("producer_byte_rate", "alice", "app", 100), 0);
});

test("an acks=0 Produce is exempt from request_percentage, as in Kafka", () => {
  const quotas = new Map([
    [
      '[["user",null]]',
      new Map([
        ["request_percentage", 0.001],
        ["producer_byte_rate", 1e12],
      ]),
    ],
  ]);
  const m = new ClientQuotaManager(
    (e) => quotas.get(JSON.stringify(e.map((c) => [c.entityType, c.entityName]))),
    KAFKA,
  );
  const produce = (responseBytes: number | null) => {
    const session = plaintextSession("peer");
    const ms = throttleAfter(m, session, {
      apiKey: ProduceApi.apiKey,
      clientId: "app",
      requestBytes: 100,
      responseBytes,
      handlerMs: 500,
    });
    return { ms, muted: session.mutedUntilMs !== undefined };
  };
  assert.deepEqual(produce(null), { ms: 0, muted: false });
  const answered = produce(60);
  assert.ok(answered.ms > 0 && answered.muted, "an answered Produce is throttled on handler time");
});
