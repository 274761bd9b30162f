/** Searching inside one stored batch, shared by the memory and disk engines. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { RecordBatchHeader, stampLogAppendTime, TimestampType } from "@logbook/protocol";
import {
  effectiveTimestamp,
  firstAtOrAfter,
  maxAtOrAfter,
  recordTimestamps,
} from "../src/batch-search.js";
import { makeBatch, T0 } from "./helpers/batches.js";

test("effectiveTimestamp: a record's own time under CreateTime, the batch's under LogAppendTime", () => {
  const batch = { baseTimestamp: 100n, maxTimestamp: 500n };
  const record = { timestampDelta: 7n };
  assert.equal(
    effectiveTimestamp({ ...batch, timestampType: TimestampType.createTime }, record),
    107,
  );
  assert.equal(
    effectiveTimestamp({ ...batch, timestampType: TimestampType.logAppendTime }, record),
    500,
  );
});

test("recordTimestamps gives each record's absolute offset and create time", async () => {
  const bytes = await makeBatch([{ timestamp: T0 + 5 }, { timestamp: T0 }, { timestamp: T0 + 9 }], {
    baseOffset: 40n,
  });
  assert.deepEqual(await recordTimestamps(bytes), [
    { offset: 40, timestamp: T0 + 5 },
    { offset: 41, timestamp: T0 },
    { offset: 42, timestamp: T0 + 9 },
  ]);
});

test("recordTimestamps gives every record the append time under LogAppendTime", async () => {
  const bytes = await makeBatch([{ timestamp: T0 }, { timestamp: T0 + 3 }], {
    baseOffset: 7n,
    timestampType: TimestampType.logAppendTime,
  });
  stampLogAppendTime(RecordBatchHeader.at(bytes, 0), BigInt(T0 + 1000));
  assert.deepEqual(await recordTimestamps(bytes), [
    { offset: 7, timestamp: T0 + 1000 },
    { offset: 8, timestamp: T0 + 1000 },
  ]);
});

const records = [
  { offset: 10, timestamp: 300 },
  { offset: 11, timestamp: 100 },
  { offset: 12, timestamp: 300 },
  { offset: 13, timestamp: 200 },
];

test("firstAtOrAfter: the first record reaching the timestamp, ignoring offsets below the start", () => {
  assert.deepEqual(firstAtOrAfter(records, 150, 0), { offset: 10, timestamp: 300 });
  assert.deepEqual(firstAtOrAfter(records, 150, 11), { offset: 12, timestamp: 300 });
  assert.deepEqual(firstAtOrAfter(records, 200, 13), { offset: 13, timestamp: 200 });
  assert.equal(firstAtOrAfter(records, 301, 0), null);
  assert.equal(firstAtOrAfter(records, 0, 14), null);
});

test("maxAtOrAfter: the first of the largest timestamps, ignoring offsets below the start", () => {
  assert.deepEqual(maxAtOrAfter(records, 0), { offset: 10, timestamp: 300 });
  assert.deepEqual(maxAtOrAfter(records, 11), { offset: 12, timestamp: 300 });
  assert.deepEqual(maxAtOrAfter(records, 13), { offset: 13, timestamp: 200 });
  assert.equal(maxAtOrAfter(records, 14), null);
  assert.equal(maxAtOrAfter([], 0), null);
});
