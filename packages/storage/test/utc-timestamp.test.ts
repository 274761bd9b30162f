/** The log's timestamp formatter writes exactly what Date.prototype.toISOString writes. */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { utcTimestamp } from "../src/env/utc-timestamp.js";

const FIRST_MS = new Date("0000-01-01T00:00:00.000Z").getTime();
const LAST_MS = new Date("9999-12-31T23:59:59.999Z").getTime();
// The largest time value a Date holds (ECMA-262: 8.64e15 ms either side of the epoch).
const MAX_MS = 8.64e15;

test("utcTimestamp equals toISOString for every time in years 0-9999", () => {
  fc.assert(
    fc.property(fc.integer({ min: FIRST_MS, max: LAST_MS }), (ms) => {
      assert.equal(utcTimestamp(ms), new Date(ms).toISOString());
    }),
    { numRuns: 20_000 },
  );
});

test("utcTimestamp equals toISOString at the edges and outside years 0-9999", () => {
  for (const ms of [FIRST_MS, FIRST_MS - 1, LAST_MS, LAST_MS + 1, 0, -1, MAX_MS, -MAX_MS]) {
    assert.equal(utcTimestamp(ms), new Date(ms).toISOString(), String(ms));
  }
  fc.assert(
    fc.property(fc.integer({ min: -MAX_MS, max: MAX_MS }), (ms) => {
      assert.equal(utcTimestamp(ms), new Date(ms).toISOString());
    }),
  );
  assert.equal(utcTimestamp(LAST_MS), "9999-12-31T23:59:59.999Z");
  assert.equal(utcTimestamp(FIRST_MS), "0000-01-01T00:00:00.000Z");
});

test("an invalid time is refused as toISOString refuses it", () => {
  assert.throws(() => utcTimestamp(Number.NaN), RangeError);
  assert.throws(() => utcTimestamp(MAX_MS + 1), RangeError);
});
