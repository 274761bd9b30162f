/**
 * Compaction cases every engine that compacts must pass (run by disk-compaction.test.ts
 * and postgres-compaction.test.ts): what survives, offsets, the dirty ratio, appends
 * during a pass, and transactions.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { RecordBatchHeader } from "@logbook/protocol";
import type { LogConfig } from "../src/config.js";
import type { PartitionLog } from "../src/partition-log.js";
import { makeBatch, T0 } from "./helpers/batches.js";
import { type KeyedRecord, readKeyedRecords } from "./helpers/keyed-records.js";
import {
  type CommittedRecord,
  markerBatch,
  readCommitted,
  txnBatch,
} from "./helpers/transactions.js";

/** Small segments, a short tombstone horizon, and a pass whenever anything is dirty. */
export const COMPACT: Partial<LogConfig> = {
  cleanupPolicy: { delete: false, compact: true },
  segmentBytes: 400,
  retentionMs: -1,
  deleteRetentionMs: 1000,
  minCleanableDirtyRatio: 0.01,
};

/** A log that runs one compaction pass on request. */
export interface CompactableLog extends PartitionLog {
  compact(now?: number): Promise<number>;
}

/** One fresh log of an engine under test. */
export interface OpenedLog {
  log: CompactableLog;
  /** Opens the same log again (after `log` was closed), as after a restart. */
  reopen(): Promise<CompactableLog>;
  /** Base offset of the log's active segment. */
  activeBase(): Promise<number>;
  cleanup(): Promise<void>;
}

/** Opens a fresh log with COMPACT and `overrides`. */
export type OpenCompactedLog = (overrides?: Partial<LogConfig>) => Promise<OpenedLog>;

/** Writes `rounds` updates of keys k0..k4 (values "kN@round"), one batch per update. */
export async function writeUpdates(log: PartitionLog, rounds: number, ts = T0): Promise<void> {
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < 5; k++) {
      await log.append(await makeBatch([{ key: `k${k}`, value: `k${k}@${round}`, timestamp: ts }]));
    }
  }
}

export function latestPerKey(records: KeyedRecord[]): Map<string, string | null> {
  const m = new Map<string, string | null>();
  for (const r of records) if (r.key !== null) m.set(r.key, r.value);
  return m;
}

export async function readAllBatches(log: PartitionLog): Promise<RecordBatchHeader[]> {
  const out: RecordBatchHeader[] = [];
  let offset = log.logStartOffset;
  while (offset < log.highWatermark) {
    const r = await log.read(offset, 1 << 20);
    if (r.kind !== "ok" || r.records.length === 0) break;
    for (let at = 0; at < r.records.length; ) {
      const h = RecordBatchHeader.at(r.records, at);
      out.push(h);
      offset = Number(h.lastOffset) + 1;
      at = h.end;
    }
  }
  return out;
}

export function runCompactionCases(engine: string, open: OpenCompactedLog): void {
  test(`${engine}: compaction keeps the latest record per key at its original offset`, async () => {
    const opened = await open();
    const log = opened.log;
    await writeUpdates(log, 6);
    const before = await readKeyedRecords(log);
    const freed = await log.runMaintenance(T0 + 10);
    assert.ok(freed > 0);
    const after = await readKeyedRecords(log);
    assert.ok(after.length < before.length);
    // Every surviving record is the same record, at the same offset, as before.
    const byOffset = new Map(before.map((r) => [r.offset, r]));
    for (const r of after) assert.deepEqual(byOffset.get(r.offset), r);
    // Offsets stay increasing and the latest value of every key is still there.
    for (let i = 1; i < after.length; i++)
      assert.ok((after[i] as KeyedRecord).offset > (after[i - 1] as KeyedRecord).offset);
    assert.deepEqual(latestPerKey(after), latestPerKey(before));
    // The closed (cleaned) part holds at most one record per key.
    const activeBase = await opened.activeBase();
    const cleaned = after.filter((r) => r.offset < activeBase);
    assert.equal(new Set(cleaned.map((r) => r.key)).size, cleaned.length);
    // The log end, high watermark and log start do not move.
    assert.equal(log.logEndOffset, 30);
    assert.equal(log.highWatermark, 30);
    assert.equal(log.logStartOffset, 0);
    await log.close();
    await opened.cleanup();
  });

  test(`${engine}: tombstones survive until delete.retention.ms has passed, then go`, async () => {
    const opened = await open();
    const log = opened.log;
    await log.append(await makeBatch([{ key: "dead", value: "alive", timestamp: T0 }]));
    await writeUpdates(log, 2);
    const tombstone = await log.append(
      await makeBatch([{ key: "dead", value: null, timestamp: T0 }]),
    );
    await writeUpdates(log, 3);
    // Within the horizon (now - delete.retention.ms < T0): the tombstone stays, the value it deletes goes.
    await log.compact(T0 + 500);
    const early = (await readKeyedRecords(log)).filter((r) => r.key === "dead");
    assert.deepEqual(early, [{ offset: tombstone.baseOffset, key: "dead", value: null }]);
    // Past the horizon the next pass (there is new dirty data) drops the tombstone too.
    await writeUpdates(log, 2);
    await log.compact(T0 + 100_000);
    const late = await readKeyedRecords(log);
    assert.equal(late.filter((r) => r.key === "dead").length, 0);
    assert.equal(latestPerKey(late).get("k4"), "k4@1");
    await log.close();
    await opened.cleanup();
  });

  test(`${engine}: min.cleanable.dirty.ratio holds compaction back`, async () => {
    const opened = await open({ minCleanableDirtyRatio: 0.5 });
    const log = opened.log;
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
    await opened.cleanup();
  });

  test(`${engine}: appends go on while a compaction pass runs`, async () => {
    const opened = await open();
    const log = opened.log;
    await writeUpdates(log, 6);
    const pass = log.compact(T0);
    const appended = await Promise.all(
      Array.from({ length: 20 }, async (_, i) =>
        log.append(await makeBatch([{ key: `n${i}`, value: "v", timestamp: T0 }])),
      ),
    );
    assert.ok((await pass) > 0);
    assert.deepEqual(
      appended.map((a) => a.baseOffset),
      appended.map((_, i) => 30 + i),
    );
    const all = await readKeyedRecords(log);
    assert.equal(all.filter((r) => r.key?.startsWith("n")).length, 20);
    await log.close();
    await opened.cleanup();
  });

  async function transactionScenario(abort: boolean): Promise<KeyedRecord[]> {
    const opened = await open();
    const log = opened.log;
    await log.append(await makeBatch([{ key: "z", value: "committed", timestamp: T0 }]));
    // "z" is never written again: unless the log knows it was aborted, this value is the latest.
    await log.append(await txnBatch(7n, [{ key: "z", value: "aborted", timestamp: T0 }]));
    await log.append(await markerBatch(7n, !abort));
    await writeUpdates(log, 4);
    await log.compact(T0);
    const all = await readKeyedRecords(log);
    await log.close();
    await opened.cleanup();
    return all;
  }

  test(`${engine}: compaction drops aborted transactional data, known from the log's own transaction index`, async () => {
    const all = await transactionScenario(true);
    assert.equal(all.filter((r) => r.value === "aborted").length, 0, "aborted data is gone");
    // The aborted value did not supersede z's committed value in the offset map.
    assert.equal(latestPerKey(all).get("z"), "committed");
    // Committed instead, the same record is the latest for z (the check above is real).
    const committed = await transactionScenario(false);
    assert.equal(latestPerKey(committed).get("z"), "aborted");
  });

  test(`${engine}: compaction keeps read_committed right: an index entry goes with its marker, never before`, async () => {
    const opened = await open();
    let log = opened.log;
    await log.append(await txnBatch(7n, [{ key: "a", value: "a-aborted", timestamp: T0 }]));
    await log.append(await markerBatch(7n, false)); // offset 1
    await writeUpdates(log, 3);
    // The same producer's next transaction commits: a stale entry for the first one (its
    // marker gone) would make a read_committed reader skip this one too.
    await log.append(await txnBatch(7n, [{ key: "b", value: "b-committed", timestamp: T0 }], 1));
    await log.append(await markerBatch(7n, true));
    await writeUpdates(log, 3);
    const expected = (await readCommitted(log)).map((r) => r.value);
    assert.ok(!expected.includes("a-aborted") && expected.includes("b-committed"));
    const latest = (records: CommittedRecord[]) =>
      latestPerKey(records.map((r) => ({ offset: r.offset, key: r.key, value: r.value })));
    const expectedLatest = latest(await readCommitted(log));

    // Within the horizon the ABORT marker and its entry stay; the aborted data goes.
    await log.compact(T0);
    assert.equal((await readKeyedRecords(log)).filter((r) => r.value === "a-aborted").length, 0);
    assert.deepEqual(
      (await log.abortedTransactions(0, log.highWatermark)).map((e) => [
        e.firstOffset,
        e.lastOffset,
      ]),
      [[0, 1]],
    );
    assert.deepEqual(latest(await readCommitted(log)), expectedLatest);
    // Past the horizon the marker goes (no data left), and its entry with it.
    await writeUpdates(log, 3, T0 + 10_000);
    const latestBefore = latest(await readCommitted(log));
    await log.compact(T0 + 100_000);
    const markers = await readAllBatches(log);
    assert.ok(!markers.some((h) => h.isControl && Number(h.baseOffset) === 1), "marker removed");
    assert.deepEqual(await log.abortedTransactions(0, log.highWatermark), []);
    const after = await readCommitted(log);
    assert.ok(
      after.some((r) => r.value === "b-committed"),
      "the later transaction is visible",
    );
    assert.deepEqual(latest(after), latestBefore);
    // The stored transaction index says the same after a restart.
    await log.close();
    log = await opened.reopen();
    assert.deepEqual(await log.abortedTransactions(0, log.highWatermark), []);
    assert.ok((await readCommitted(log)).some((r) => r.value === "b-committed"));
    await log.close();
    await opened.cleanup();
  });
}
