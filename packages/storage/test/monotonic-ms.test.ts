/** monotonicMs stands in for performance.now(): ms since the process started, never going back. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { monotonicMs } from "../src/env/monotonic-ms.js";

test("monotonicMs counts from process start like performance.now and never goes back", () => {
  let last = monotonicMs();
  for (let i = 0; i < 10_000; i++) {
    const before = performance.now();
    const now = monotonicMs();
    const after = performance.now();
    assert.ok(now >= last, `went back: ${last} -> ${now}`);
    // Both count from the process's start; Node sets performance's origin a little later
    // in its bootstrap than the start time process.uptime() counts from.
    assert.ok(now >= before - 1 && now <= after + 50, `${now} not near ${before}..${after}`);
    last = now;
  }
});
