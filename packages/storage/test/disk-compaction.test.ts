/**
 * Compaction in the disk engine: the shared cases (compaction-cases.ts), and crash-safe
 * swaps, which are the disk engine's own.
 */
import assert from "node:assert/strict";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { type LogConfig, logConfig } from "../src/config.js";
import type { SwapStep } from "../src/disk/compaction.js";
import { DiskPartitionLog } from "../src/disk/disk-partition-log.js";
import { silentLogger } from "../src/logger.js";
import { COMPACT, latestPerKey, runCompactionCases, writeUpdates } from "./compaction-cases.js";
import { T0 } from "./helpers/batches.js";
import { realEnv } from "./helpers/env.js";
import { type KeyedRecord, readKeyedRecords } from "./helpers/keyed-records.js";
import { makeTempDir } from "./helpers/temp-dir.js";

function open(dir: string, overrides: Partial<LogConfig> = {}, onSwapStep?: (s: SwapStep) => void) {
  return DiskPartitionLog.open(dir, "c", 0, logConfig({ ...COMPACT, ...overrides }), {
    ...realEnv(),
    logger: silentLogger,
    checkpointIntervalMs: 0,
    onSwapStep,
  });
}

runCompactionCases("disk", async (overrides) => {
  const tmp = await makeTempDir();
  const dir = join(tmp.path, "c-0");
  return {
    log: await open(dir, overrides),
    reopen: () => open(dir, overrides),
    activeBase: async () =>
      Math.max(
        ...(await readdir(dir))
          .filter((n) => n.endsWith(".log"))
          .map((n) => Number(n.slice(0, 20))),
      ),
    cleanup: () => tmp.cleanup(),
  };
});

const STEPS: SwapStep[] = [
  "cleaned-written",
  "range-written",
  "swap-committed",
  "old-retired",
  "swap-renamed",
];

for (const step of STEPS) {
  test(`a compaction killed at "${step}" recovers to the old or the new segment, never neither`, async () => {
    const tmp = await makeTempDir();
    const dir = join(tmp.path, "c-0");
    const log = await open(dir, {}, (s) => {
      if (s === step) throw new Error(`simulated crash at ${s}`);
    });
    await writeUpdates(log, 6);
    const before = await readKeyedRecords(log);
    await assert.rejects(log.compact(T0), /simulated crash/);
    // The crashed process never closes the log; a new one opens the same directory.
    const reopened = await open(dir);
    const after = await readKeyedRecords(reopened);
    const byOffset = new Map(before.map((r) => [r.offset, r]));
    for (const r of after)
      assert.deepEqual(byOffset.get(r.offset), r, "only original records at their offsets");
    assert.deepEqual(latestPerKey(after), latestPerKey(before));
    assert.equal(reopened.logEndOffset, 30);
    const names = await readdir(dir);
    assert.ok(!names.some((n) => /\.(cleaned|swap|deleted|range)$/.test(n)), names.join(","));
    // A fresh pass after the crash still works.
    await reopened.compact(T0);
    assert.deepEqual(latestPerKey(await readKeyedRecords(reopened)), latestPerKey(before));
    await reopened.close();
    await tmp.cleanup();
  });
}

test("reads started at any step of a swap succeed and see the same records", async () => {
  const tmp = await makeTempDir();
  const reads: Promise<KeyedRecord[]>[] = [];
  let log: DiskPartitionLog | null = null;
  log = await open(join(tmp.path, "c-0"), {}, () => {
    // A fetch arriving mid-swap (a broker serves them concurrently with the cleaner).
    if (log !== null) reads.push(readKeyedRecords(log));
  });
  await writeUpdates(log, 6);
  const before = await readKeyedRecords(log);
  await log.compact(T0);
  assert.ok(reads.length >= STEPS.length, `a read at every step (${reads.length})`);
  const byOffset = new Map(before.map((r) => [r.offset, r]));
  for (const got of await Promise.all(reads)) {
    for (const r of got) assert.deepEqual(byOffset.get(r.offset), r);
    assert.deepEqual(latestPerKey(got), latestPerKey(before));
  }
  await log.close();
  await tmp.cleanup();
});
