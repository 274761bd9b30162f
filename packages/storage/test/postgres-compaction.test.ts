/**
 * Compaction in the PostgreSQL engine, on a real server: the shared compaction cases,
 * then what only a shared database has (several brokers over one partition).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import fc from "fast-check";
import { type LogConfig, logConfig } from "../src/config.js";
import { DiskPartitionLog } from "../src/disk/disk-partition-log.js";
import type { StorageEngine } from "../src/engine.js";
import { openStorageEngine } from "../src/engines.js";
import { realClock } from "../src/env/clock.js";
import { silentLogger } from "../src/logger.js";
import type { PartitionLog } from "../src/partition-log.js";
import { compactPgPartition } from "../src/postgres/pg-compaction.js";
import { PgEngine } from "../src/postgres/pg-engine.js";
import { PgPartitionLog } from "../src/postgres/pg-partition-log.js";
import { loadPartition } from "../src/postgres/pg-queries.js";
import {
  COMPACT,
  type CompactableLog,
  latestPerKey,
  runCompactionCases,
  writeUpdates,
} from "./compaction-cases.js";
import { makeBatch, T0 } from "./helpers/batches.js";
import { realEnv } from "./helpers/env.js";
import { readKeyedRecords } from "./helpers/keyed-records.js";
import { postgresDatabases } from "./helpers/postgres-databases.js";
import { makeTempDir } from "./helpers/temp-dir.js";
import { markerBatch, readCommitted, txnBatch } from "./helpers/transactions.js";

const freshDatabase = postgresDatabases("compaction");

const TP = { topic: "c", partition: 0 };

function pgEngine(engine: StorageEngine): PgEngine {
  assert.ok(engine instanceof PgEngine);
  return engine;
}

async function openLog(engine: StorageEngine, overrides: Partial<LogConfig> = {}) {
  const log = await engine.open(TP, logConfig({ ...COMPACT, ...overrides }));
  assert.ok(log instanceof PgPartitionLog);
  return log;
}

async function activeBase(engine: StorageEngine): Promise<number> {
  const { rows } = await pgEngine(engine).pool.query<{ base: string }>(
    "SELECT max(base_offset) AS base FROM logbook_segment",
  );
  return Number(rows[0]?.base);
}

runCompactionCases("postgres", async (overrides) => {
  const url = await freshDatabase();
  const engines: StorageEngine[] = [await openStorageEngine(url)];
  const first = engines[0] as StorageEngine;
  return {
    log: await openLog(first, overrides),
    reopen: async () => {
      const engine = await openStorageEngine(url);
      engines.push(engine);
      return openLog(engine, overrides);
    },
    activeBase: () => activeBase(engines.at(-1) as StorageEngine),
    cleanup: async () => {
      for (const e of engines) await e.close();
    },
  };
});

/** Two engines ("brokers") over one fresh database, each with the partition open. */
async function twoBrokers(overrides: Partial<LogConfig> = {}) {
  const url = await freshDatabase();
  const a = await openStorageEngine(url);
  const b = await openStorageEngine(url);
  return {
    a,
    b,
    logA: await openLog(a, overrides),
    logB: await openLog(b, overrides),
    close: async () => {
      await a.close();
      await b.close();
    },
  };
}

async function waitFor(condition: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await sleep(10);
  }
}

test("postgres: one broker compacts while another appends and reads; nothing acknowledged is lost", async () => {
  const { logA, logB, close } = await twoBrokers();
  try {
    await writeUpdates(logA, 6);
    await waitFor(() => logB.highWatermark === 30);
    const before = await readKeyedRecords(logB);
    // B appends (and reads) while A runs several passes.
    const appending = (async () => {
      const acks = [];
      for (let i = 0; i < 40; i++) {
        acks.push(await logB.append(await makeBatch([{ key: `k${i % 5}`, value: `b${i}` }])));
        if (i % 10 === 0) await readKeyedRecords(logB);
      }
      return acks;
    })();
    let freed = 0;
    for (let i = 0; i < 5; i++) freed += await logA.compact(T0);
    const acks = await appending;
    assert.ok(freed > 0);
    assert.deepEqual(
      acks.map((a) => a.baseOffset),
      Array.from({ length: 40 }, (_, i) => 30 + i),
    );
    await waitFor(() => logA.highWatermark === 70);
    // One more pass covers B's appends too.
    await logB.flush();
    await logA.compact(T0);
    // Both brokers read the same compacted log: survivors are original records at their
    // offsets, and every key's latest value is B's last append of it.
    const [readA, readB] = [await readKeyedRecords(logA), await readKeyedRecords(logB)];
    assert.deepEqual(readB, readA);
    const original = new Map(before.map((r) => [r.offset, r]));
    for (const r of readB.filter((x) => x.offset < 30)) assert.deepEqual(original.get(r.offset), r);
    assert.deepEqual(
      latestPerKey(readB),
      new Map(Array.from({ length: 5 }, (_, k) => [`k${k}`, `b${35 + k}`])),
    );
    assert.ok(readB.length < 70);
    for (const log of [logA, logB]) {
      assert.equal(log.highWatermark, 70);
      assert.equal(log.logStartOffset, 0);
    }
    // B hears of A's swaps and rereads its segment sizes.
    await waitFor(() => logB.sizeInBytes === logA.sizeInBytes);
  } finally {
    await close();
  }
});

test("postgres: two brokers compacting one partition at once take turns and leave it correct", async () => {
  const { logA, logB, close } = await twoBrokers();
  try {
    await writeUpdates(logA, 8);
    await waitFor(() => logB.highWatermark === 40);
    const before = await readKeyedRecords(logA);
    const rounds = await Promise.all([
      logA.compact(T0),
      logB.compact(T0),
      (async () => {
        for (let i = 0; i < 10; i++)
          await logB.append(await makeBatch([{ key: "n", value: `n${i}` }]));
        return 0;
      })(),
    ]);
    assert.ok(rounds[0] + rounds[1] > 0, "one of them compacted");
    await logA.compact(T0);
    await logB.compact(T0);
    await waitFor(() => logA.highWatermark === 50);
    const after = await readKeyedRecords(logA);
    assert.deepEqual(await readKeyedRecords(logB), after);
    const original = new Map(before.map((r) => [r.offset, r]));
    for (const r of after.filter((x) => x.offset < 40)) assert.deepEqual(original.get(r.offset), r);
    const expected = latestPerKey(before);
    expected.set("n", "n9");
    assert.deepEqual(latestPerKey(after), expected);
  } finally {
    await close();
  }
});

test("postgres: a broker that loaded an index entry before another broker's compaction removed it with its marker still reads read_committed right", async () => {
  const { b, logA, logB, close } = await twoBrokers();
  try {
    await logA.append(await txnBatch(7n, [{ key: "a", value: "a-aborted", timestamp: T0 }]));
    await logA.append(await markerBatch(7n, false));
    await writeUpdates(logA, 3);
    await logA.append(await txnBatch(7n, [{ key: "b", value: "b-committed", timestamp: T0 }], 1));
    await logA.append(await markerBatch(7n, true));
    await writeUpdates(logA, 6, T0 + 10_000);
    await waitFor(() => logB.highWatermark === logA.highWatermark);
    // A broker whose NOTIFY of the coming swap is late: the same partition loaded now, by
    // a log no engine tells of notifications, so it keeps this snapshot's index.
    const pool = pgEngine(b).pool;
    const late = new PgPartitionLog(
      TP.topic,
      TP.partition,
      logB.partitionId,
      logB.config,
      await loadPartition(pool, logB.partitionId),
      {
        pool,
        clock: realClock(),
        logger: silentLogger,
        writeRetryMs: 1000,
        maxAppendsPerWrite: 0,
        writerId: "late",
        onClose: () => {},
      },
    );
    assert.equal((await late.abortedTransactions(0, late.highWatermark)).length, 1);
    await logA.compact(T0 + 100_000);
    assert.deepEqual(await logA.abortedTransactions(0, logA.highWatermark), []);
    // Its index in memory still holds the entry, but it checks the stored index first.
    assert.deepEqual(await late.abortedTransactions(0, late.highWatermark), []);
    assert.ok((await readCommitted(late)).some((r) => r.value === "b-committed"));
    // A broker that did hear the NOTIFY reread its index.
    await waitFor(() => logB.sizeInBytes === logA.sizeInBytes);
    assert.deepEqual(await logB.abortedTransactions(0, logB.highWatermark), []);
    await late.close();
  } finally {
    await close();
  }
});

/** A compaction round of `log` with a hook between staging a segment and swapping it. */
function roundWithHook(
  engine: StorageEngine,
  log: PgPartitionLog,
  beforeSwap: (segmentBase: number) => Promise<void>,
) {
  return compactPgPartition({
    pool: pgEngine(engine).pool,
    id: log.partitionId,
    config: log.config,
    logger: silentLogger,
    lastStableOffset: log.lastStableOffset,
    now: T0,
    beforeSwap,
  });
}

test("postgres: a truncation by another broker during a round makes it give up; nothing the truncation left is lost", async () => {
  const { a, logA, logB, close } = await twoBrokers();
  try {
    await writeUpdates(logA, 6);
    await waitFor(() => logB.highWatermark === 30);
    const result = await roundWithHook(a, logA, async () => {
      await logB.truncateTo(12);
      await logB.append(await makeBatch([{ key: "k0", value: "after-truncation", timestamp: T0 }]));
    });
    assert.equal(result.swapped, 0, "no swap after the truncation");
    await logA.refresh();
    const left = await readKeyedRecords(logA);
    assert.deepEqual(
      left.map((r) => r.offset),
      Array.from({ length: 13 }, (_, i) => i),
      "the truncated log, uncompacted",
    );
    // A later round starts afresh from what the truncation left.
    await writeUpdates(logA, 3);
    const before = await readKeyedRecords(logA);
    assert.ok((await logA.compact(T0)) > 0);
    const after = await readKeyedRecords(logA);
    assert.deepEqual(latestPerKey(after), latestPerKey(before));
    const original = new Map(before.map((r) => [r.offset, r]));
    for (const r of after) assert.deepEqual(original.get(r.offset), r);
  } finally {
    await close();
  }
});

test("postgres: retention taking a segment during a round: the swap is skipped and no row is left behind", async () => {
  const { a, logA, logB, close } = await twoBrokers();
  try {
    await writeUpdates(logA, 6);
    await waitFor(() => logB.highWatermark === 30);
    const firstSegmentEnd = await pgEngine(a)
      .pool.query<{ base: string }>(
        "SELECT min(base_offset) AS base FROM logbook_segment WHERE base_offset > 0",
      )
      .then((r) => Number(r.rows[0]?.base));
    let skipped = false;
    const result = await roundWithHook(a, logA, async (base) => {
      if (base !== 0) return;
      await logB.deleteRecordsBefore(firstSegmentEnd);
      skipped = true;
    });
    assert.ok(skipped && result.swapped > 0, "the later segments were still swapped");
    const orphans = await pgEngine(a).pool.query<{ n: string }>(
      `SELECT count(*) AS n FROM logbook_batch b WHERE NOT EXISTS (SELECT 1 FROM logbook_segment s
         WHERE s.partition_id = b.partition_id AND s.base_offset = b.segment_base)`,
    );
    assert.equal(Number(orphans.rows[0]?.n), 0);
    await logA.refresh();
    assert.equal(logA.logStartOffset, firstSegmentEnd);
    const after = await readKeyedRecords(logA);
    assert.ok(after.every((r) => r.offset >= firstSegmentEnd));
    assert.equal(latestPerKey(after).get("k4"), "k4@5");
  } finally {
    await close();
  }
});

interface GenAppend {
  key: number;
  /** null: a tombstone. */
  value: string | null;
  timestamp: number;
  /** Appended inside a transaction of producer 7 that then commits or aborts. */
  transaction: "none" | "commit" | "abort";
  /** Run a compaction pass on both logs after this append. */
  compactAfter: boolean;
}

const genAppends = fc.array(
  fc.record({
    key: fc.integer({ min: 0, max: 6 }),
    value: fc.option(fc.string({ maxLength: 10 }), { nil: null, freq: 5 }),
    timestamp: fc.integer({ min: 0, max: 3000 }),
    transaction: fc.constantFrom<GenAppend["transaction"]>("none", "none", "commit", "abort"),
    compactAfter: fc.integer({ min: 0, max: 6 }).map((n) => n === 0),
  }),
  { minLength: 1, maxLength: 60 },
);

/** The same append to both logs: a plain batch, or a one-batch transaction and its marker. */
async function appendToBoth(logs: PartitionLog[], a: GenAppend, sequence: number): Promise<void> {
  const record = { key: `k${a.key}`, value: a.value, timestamp: T0 + a.timestamp };
  const batches =
    a.transaction === "none"
      ? [await makeBatch([record])]
      : [
          await txnBatch(7n, [record], sequence),
          await markerBatch(7n, a.transaction === "commit", T0 + a.timestamp),
        ];
  for (const log of logs) for (const b of batches) await log.append(b);
}

test("postgres: the compacted log reads the same as the disk engine's for random keyed appends, transactions among them", async () => {
  const engine = await openStorageEngine(await freshDatabase());
  const tmp = await makeTempDir();
  let run = 0;
  try {
    await fc.assert(
      fc.asyncProperty(genAppends, fc.integer({ min: 0, max: 4000 }), async (appends, now) => {
        run++;
        const config = logConfig({ ...COMPACT, segmentBytes: 300 });
        const pg: CompactableLog = await engine
          .open({ topic: `p${run}`, partition: 0 }, config)
          .then((log) => {
            assert.ok(log instanceof PgPartitionLog);
            return log;
          });
        const disk = await DiskPartitionLog.open(`${tmp.path}/p${run}-0`, `p${run}`, 0, config, {
          ...realEnv(),
          logger: silentLogger,
          checkpointIntervalMs: 0,
        });
        try {
          for (const [i, a] of appends.entries()) {
            await appendToBoth([pg, disk], a, i);
            if (a.compactAfter) {
              assert.equal(await pg.compact(T0 + now), await disk.compact(T0 + now));
            }
          }
          assert.equal(await pg.compact(T0 + now), await disk.compact(T0 + now));
          assert.deepEqual(await readKeyedRecords(pg), await readKeyedRecords(disk));
          assert.deepEqual(await readCommitted(pg), await readCommitted(disk));
          assert.deepEqual(
            await pg.abortedTransactions(0, pg.highWatermark),
            await disk.abortedTransactions(0, disk.highWatermark),
          );
          assert.equal(pg.sizeInBytes, disk.sizeInBytes);
        } finally {
          await disk.close();
        }
      }),
      { numRuns: 15 },
    );
  } finally {
    await engine.close();
    await tmp.cleanup();
  }
});
