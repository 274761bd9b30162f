/** Compaction in the disk engine: what survives, offsets, the dirty ratio, and crash-safe swaps. */
import assert from "node:assert/strict";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { buildEndTxnMarkerBatch, decodeBatch, RecordBatchHeader } from "@logbook/protocol";
import { type LogConfig, logConfig } from "../src/config.js";
import type { SwapStep } from "../src/disk/compaction.js";
import { DiskPartitionLog } from "../src/disk/disk-partition-log.js";
import { silentLogger } from "../src/logger.js";
import { makeBatch, T0 } from "./helpers/batches.js";
import { makeTempDir } from "./helpers/temp-dir.js";

interface KeyedRecord {
  offset: number;
  key: string | null;
  value: string | null;
}

const COMPACT: Partial<LogConfig> = {
  cleanupPolicy: { delete: false, compact: true },
  segmentBytes: 400,
  retentionMs: -1,
  deleteRetentionMs: 1000,
  minCleanableDirtyRatio: 0.01,
};

function open(dir: string, overrides: Partial<LogConfig> = {}, onSwapStep?: (s: SwapStep) => void) {
  return DiskPartitionLog.open(dir, "c", 0, logConfig({ ...COMPACT, ...overrides }), {
    logger: silentLogger,
    checkpointIntervalMs: 0,
    onSwapStep,
  });
}

async function readAll(log: DiskPartitionLog): Promise<KeyedRecord[]> {
  const out: KeyedRecord[] = [];
  let offset = log.logStartOffset;
  while (offset < log.highWatermark) {
    const r = await log.read(offset, 1 << 20);
    assert.equal(r.kind, "ok");
    if (r.kind !== "ok" || r.records.length === 0) break;
    let pos = 0;
    while (pos < r.records.length) {
      const h = RecordBatchHeader.at(r.records, pos);
      const batch = await decodeBatch(r.records, pos);
      for (const rec of batch.records) {
        const o = Number(batch.baseOffset) + rec.offsetDelta;
        if (o >= offset)
          out.push({
            offset: o,
            key: rec.key?.toString() ?? null,
            value: rec.value?.toString() ?? null,
          });
      }
      offset = Number(h.baseOffset) + h.lastOffsetDelta + 1;
      pos = h.end;
    }
  }
  return out;
}

/** Writes `rounds` updates of keys k0..k4 (values "kN@round"), one batch per update. */
async function writeUpdates(log: DiskPartitionLog, rounds: number, ts = T0): Promise<void> {
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < 5; k++) {
      await log.append(await makeBatch([{ key: `k${k}`, value: `k${k}@${round}`, timestamp: ts }]));
    }
  }
}

function latestPerKey(records: KeyedRecord[]): Map<string, string | null> {
  const m = new Map<string, string | null>();
  for (const r of records) if (r.key !== null) m.set(r.key, r.value);
  return m;
}

test("compaction keeps the latest record per key at its original offset", async () => {
  const tmp = await makeTempDir();
  const log = await open(join(tmp.path, "c-0"));
  await writeUpdates(log, 6);
  const before = await readAll(log);
  const freed = await log.runMaintenance(T0 + 10);
  assert.ok(freed > 0);
  const after = await readAll(log);
  assert.ok(after.length < before.length);
  // Every surviving record is the same record, at the same offset, as before.
  const byOffset = new Map(before.map((r) => [r.offset, r]));
  for (const r of after) assert.deepEqual(byOffset.get(r.offset), r);
  // Offsets stay increasing and the latest value of every key is still there.
  for (let i = 1; i < after.length; i++)
    assert.ok((after[i] as KeyedRecord).offset > (after[i - 1] as KeyedRecord).offset);
  assert.deepEqual(latestPerKey(after), latestPerKey(before));
  // The closed (cleaned) part holds at most one record per key.
  const activeBase = Math.max(
    ...(await readdir(join(tmp.path, "c-0")))
      .filter((n) => n.endsWith(".log"))
      .map((n) => Number(n.slice(0, 20))),
  );
  const cleaned = after.filter((r) => r.offset < activeBase);
  assert.equal(new Set(cleaned.map((r) => r.key)).size, cleaned.length);
  assert.equal(log.logEndOffset, 30);
  await log.close();
  await tmp.cleanup();
});

test("tombstones survive until delete.retention.ms has passed, then go", async () => {
  const tmp = await makeTempDir();
  const log = await open(join(tmp.path, "c-0"));
  await log.append(await makeBatch([{ key: "dead", value: "alive", timestamp: T0 }]));
  await writeUpdates(log, 2);
  const tombstone = await log.append(
    await makeBatch([{ key: "dead", value: null, timestamp: T0 }]),
  );
  await writeUpdates(log, 3);
  // Within the horizon (now - delete.retention.ms < T0): the tombstone stays, the value it deletes goes.
  await log.compact(T0 + 500);
  const early = (await readAll(log)).filter((r) => r.key === "dead");
  assert.deepEqual(early, [{ offset: tombstone.baseOffset, key: "dead", value: null }]);
  // Past the horizon the next pass (there is new dirty data) drops the tombstone too.
  await writeUpdates(log, 2);
  await log.compact(T0 + 100_000);
  const late = await readAll(log);
  assert.equal(late.filter((r) => r.key === "dead").length, 0);
  assert.equal(latestPerKey(late).get("k4"), "k4@1");
  await log.close();
  await tmp.cleanup();
});

test("min.cleanable.dirty.ratio holds compaction back", async () => {
  const tmp = await makeTempDir();
  const log = await open(join(tmp.path, "c-0"), { minCleanableDirtyRatio: 0.5 });
  await writeUpdates(log, 6);
  assert.ok((await log.compact(T0)) > 0, "an all-dirty log is cleaned");
  const cleanedSize = log.sizeInBytes;
  await log.append(await makeBatch([{ key: "k0", value: "x", timestamp: T0 }]));
  assert.equal(await log.compact(T0), 0, "a mostly clean log waits");
  assert.equal(
    log.sizeInBytes,
    cleanedSize + (await makeBatch([{ key: "k0", value: "x", timestamp: T0 }])).length,
  );
  await log.close();
  await tmp.cleanup();
});

test("appends go on while a compaction pass runs", async () => {
  const tmp = await makeTempDir();
  const log = await open(join(tmp.path, "c-0"));
  await writeUpdates(log, 6);
  const pass = log.compact(T0);
  const appended = await Promise.all(
    Array.from({ length: 20 }, async (_, i) =>
      log.append(await makeBatch([{ key: `n${i}`, value: "v", timestamp: T0 }])),
    ),
  );
  await pass;
  assert.deepEqual(
    appended.map((a) => a.baseOffset),
    appended.map((_, i) => 30 + i),
  );
  const all = await readAll(log);
  assert.equal(all.filter((r) => r.key?.startsWith("n")).length, 20);
  await log.close();
  await tmp.cleanup();
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
    const before = await readAll(log);
    await assert.rejects(log.compact(T0), /simulated crash/);
    // The crashed process never closes the log; a new one opens the same directory.
    const reopened = await open(dir);
    const after = await readAll(reopened);
    const byOffset = new Map(before.map((r) => [r.offset, r]));
    for (const r of after)
      assert.deepEqual(byOffset.get(r.offset), r, "only original records at their offsets");
    assert.deepEqual(latestPerKey(after), latestPerKey(before));
    assert.equal(reopened.logEndOffset, 30);
    const names = await readdir(dir);
    assert.ok(!names.some((n) => /\.(cleaned|swap|deleted|range)$/.test(n)), names.join(","));
    // A fresh pass after the crash still works.
    await reopened.compact(T0);
    assert.deepEqual(latestPerKey(await readAll(reopened)), latestPerKey(before));
    await reopened.close();
    await tmp.cleanup();
  });
}

async function abortedScenario(reportAborted: boolean): Promise<KeyedRecord[]> {
  const tmp = await makeTempDir();
  const log = await open(join(tmp.path, "c-0"));
  const txn = { producerId: 7n, producerEpoch: 0, isTransactional: true };
  await log.append(await makeBatch([{ key: "z", value: "committed", timestamp: T0 }]));
  // "z" is never written again: without the aborted range its aborted value would be the latest.
  const aborted = await log.append(
    await makeBatch([{ key: "z", value: "aborted", timestamp: T0 }], { ...txn, baseSequence: 0 }),
  );
  const marker = await log.append(
    await buildEndTxnMarkerBatch({
      commit: false,
      producerId: 7n,
      producerEpoch: 0,
      coordinatorEpoch: 0,
      timestamp: BigInt(T0),
    }),
  );
  await writeUpdates(log, 4);
  let asked = false;
  log.setAbortedTransactionsHook(() => {
    asked = true;
    return reportAborted
      ? [{ producerId: 7n, firstOffset: aborted.baseOffset, lastOffset: marker.baseOffset }]
      : [];
  });
  await log.compact(T0);
  assert.ok(asked, "the cleaner asked for the aborted ranges");
  const all = await readAll(log);
  await log.close();
  await tmp.cleanup();
  return all;
}

test("compaction drops aborted transactional data the transaction layer reports", async () => {
  const all = await abortedScenario(true);
  assert.equal(all.filter((r) => r.value === "aborted").length, 0, "aborted data is gone");
  // The aborted value did not supersede z's committed value in the offset map.
  assert.equal(latestPerKey(all).get("z"), "committed");
  // Without the report the same log keeps the aborted record (the check above is real).
  const unreported = await abortedScenario(false);
  assert.equal(unreported.filter((r) => r.value === "aborted").length, 1);
});
