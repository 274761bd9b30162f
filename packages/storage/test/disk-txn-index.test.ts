/** The disk engine's `.txnindex` files: contents, repair at open, crashes, retention, compaction swaps. */
import assert from "node:assert/strict";
import { readdir, readFile, rm, stat, truncate, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, test } from "node:test";
import { type LogConfig, logConfig } from "../src/config.js";
import type { SwapStep } from "../src/disk/compaction.js";
import { DiskPartitionLog } from "../src/disk/disk-partition-log.js";
import { memoryLogger, silentLogger } from "../src/logger.js";
import type { AbortedTxn } from "../src/partition-log.js";
import { decodeTxnIndex } from "../src/transactions/index.js";
import { makeBatch, makeBatchOfSize, T0 } from "./helpers/batches.js";
import { realEnv } from "./helpers/env.js";
import { makeTempDir } from "./helpers/temp-dir.js";
import { markerBatch, readCommitted, txnBatch } from "./helpers/transactions.js";

const SMALL: Partial<LogConfig> = { segmentBytes: 250, retentionMs: -1, retentionBytes: -1 };

function open(
  dir: string,
  overrides: Partial<LogConfig> = {},
  logger = silentLogger,
  onSwapStep?: (s: SwapStep) => void,
) {
  return DiskPartitionLog.open(dir, "t", 0, logConfig({ ...SMALL, ...overrides }), {
    ...realEnv(),
    logger,
    checkpointIntervalMs: 0,
    onSwapStep,
  });
}

/** Producers 1-3 interleaved; aborts of 1 (twice) and 3, a commit of 2, data across segments. */
async function writeHistory(log: DiskPartitionLog): Promise<void> {
  await log.append(await txnBatch(1n, 2)); // 0-1
  await log.append(await makeBatch(1)); // 2
  await log.append(await txnBatch(2n, 1)); // 3
  await log.append(await txnBatch(1n, 1, 2)); // 4
  await log.append(await markerBatch(1n, false)); // 5
  await log.append(await markerBatch(2n, true)); // 6
  await log.append(await txnBatch(3n, 1)); // 7
  await log.append(await makeBatch(2)); // 8-9
  await log.append(await markerBatch(3n, false)); // 10
  await log.append(await txnBatch(1n, 1, 3)); // 11
  await log.append(await markerBatch(1n, false)); // 12
  await log.append(await makeBatch(1)); // 13
}

async function txnIndexFiles(dir: string): Promise<Map<number, Buffer>> {
  const out = new Map<number, Buffer>();
  for (const n of (await readdir(dir)).sort()) {
    if (n.endsWith(".txnindex")) out.set(Number(n.slice(0, 20)), await readFile(join(dir, n)));
  }
  return out;
}

const all = (log: DiskPartitionLog) => log.abortedTransactions(0, log.highWatermark);

describe("disk transaction index", () => {
  test("each segment's .txnindex holds the aborted transactions whose marker is in it", async () => {
    const tmp = await makeTempDir();
    const log = await open(join(tmp.path, "t-0"));
    await writeHistory(log);
    const expected: AbortedTxn[] = [
      { producerId: 1n, firstOffset: 0, lastOffset: 5, lastStableOffset: 3 },
      { producerId: 3n, firstOffset: 7, lastOffset: 10, lastStableOffset: 11 },
      { producerId: 1n, firstOffset: 11, lastOffset: 12, lastStableOffset: 13 },
    ];
    assert.deepEqual(await all(log), expected);
    await log.close();
    const files = await txnIndexFiles(join(tmp.path, "t-0"));
    const bases = [...files.keys()];
    assert.ok(bases.length >= 3, `several segments: ${bases}`);
    const onDisk: AbortedTxn[] = [];
    for (const [i, base] of bases.entries()) {
      const entries = decodeTxnIndex(files.get(base) as Buffer, base, bases[i + 1]);
      assert.ok(entries !== null);
      onDisk.push(...entries);
    }
    assert.deepEqual(onDisk, expected);
    await tmp.cleanup();
  });

  for (const damage of ["truncated mid-entry", "deleted", "garbage"] as const) {
    test(`a ${damage} .txnindex is rebuilt from the log at open`, async () => {
      const tmp = await makeTempDir();
      const dir = join(tmp.path, "t-0");
      let log = await open(dir);
      await writeHistory(log);
      const before = await all(log);
      const committed = await readCommitted(log);
      await log.close();
      const files = await txnIndexFiles(dir);
      const [victim, bytes] = [...files].find(([, b]) => b.length > 0) as [number, Buffer];
      const path = join(dir, `${String(victim).padStart(20, "0")}.txnindex`);
      if (damage === "truncated mid-entry") await truncate(path, bytes.length - 5);
      else if (damage === "deleted") await rm(path);
      else await writeFile(path, Buffer.alloc(bytes.length, 0xff));
      const logger = memoryLogger();
      log = await open(dir, {}, logger);
      assert.ok(
        logger.events.some((e) => /transaction indexes/.test(e.msg)),
        "the rebuild is logged",
      );
      assert.deepEqual(await all(log), before);
      assert.deepEqual(await readCommitted(log), committed);
      await log.close();
      assert.deepEqual(await readFile(path), bytes, "the file is whole again");
      await tmp.cleanup();
    });
  }

  test("after a crash, transactions open at the checkpoint end with the right first offset", async () => {
    const tmp = await makeTempDir();
    const dir = join(tmp.path, "t-0");
    const log = await open(dir, { segmentBytes: 1 << 20 });
    await log.append(await makeBatch(2)); // 0-1
    await log.append(await txnBatch(4n, 1)); // 2
    await log.flush(); // checkpoint: producer 4's transaction open since 2
    await log.append(await makeBatch(1)); // 3
    await log.append(await markerBatch(4n, false)); // 4
    // The process dies: no close, no checkpoint after the flush.
    const reopened = await open(dir, { segmentBytes: 1 << 20 });
    assert.deepEqual(await all(reopened), [
      { producerId: 4n, firstOffset: 2, lastOffset: 4, lastStableOffset: 5 },
    ]);
    // And one still open at the crash stays open: its abort after recovery is indexed.
    await reopened.append(await txnBatch(5n, 1, 0)); // 5
    await reopened.flush();
    await reopened.append(await makeBatch(1)); // 6
    const again = await open(dir, { segmentBytes: 1 << 20 });
    await again.append(await markerBatch(5n, false)); // 7
    assert.deepEqual((await all(again)).at(-1), {
      producerId: 5n,
      firstOffset: 5,
      lastOffset: 7,
      lastStableOffset: 8,
    });
    await again.close();
    await tmp.cleanup();
  });

  test("a data dir from before transaction indexes gets them built at its first open", async () => {
    const tmp = await makeTempDir();
    const dir = join(tmp.path, "t-0");
    let log = await open(dir);
    await writeHistory(log);
    const before = await all(log);
    await log.close();
    // What the previous version left: no .txnindex files, a checkpoint without their keys.
    for (const n of await readdir(dir)) if (n.endsWith(".txnindex")) await rm(join(dir, n));
    const cpPath = join(dir, "logbook.checkpoint");
    const cp = await readFile(cpPath, "utf8");
    await writeFile(
      cpPath,
      cp
        .split("\n")
        .filter((l) => !/^(transaction-index|open-transaction) /.test(l))
        .join("\n"),
    );
    log = await open(dir);
    assert.deepEqual(await all(log), before);
    await log.close();
    assert.match(await readFile(cpPath, "utf8"), /^transaction-index 1$/m);
    assert.equal(
      (await txnIndexFiles(dir)).size,
      (await readdir(dir)).filter((n) => n.endsWith(".log")).length,
    );
    await tmp.cleanup();
  });

  test("retention deletes a segment's .txnindex with the segment", async () => {
    const tmp = await makeTempDir();
    const dir = join(tmp.path, "t-0");
    const log = await open(dir);
    await writeHistory(log);
    // Segments of one big batch each: the active one ends up holding no marker.
    for (let i = 0; i < 2; i++) await log.append(await makeBatchOfSize(240));
    const firstBase = [...(await txnIndexFiles(dir)).keys()][0] as number;
    await log.deleteRecordsBefore(log.highWatermark);
    await log.runMaintenance();
    const names = await readdir(dir);
    assert.equal(
      names.filter((n) => n.endsWith(".txnindex")).length,
      names.filter((n) => n.endsWith(".log")).length,
    );
    assert.ok(!names.includes(`${String(firstBase).padStart(20, "0")}.txnindex`));
    assert.deepEqual(await all(log), []);
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
    test(`a compaction killed at "${step}" leaves read_committed and the .txnindex files right`, async () => {
      const tmp = await makeTempDir();
      const dir = join(tmp.path, "t-0");
      const compact = {
        cleanupPolicy: { delete: false, compact: true },
        deleteRetentionMs: 1000,
        minCleanableDirtyRatio: 0.01,
      };
      const log = await open(dir, compact, silentLogger, (s) => {
        if (s === step) throw new Error(`simulated crash at ${s}`);
      });
      for (let round = 0; round < 3; round++) {
        const pid = BigInt(10 + round);
        await log.append(await txnBatch(pid, [{ key: `k${round}`, value: `aborted${round}` }]));
        await log.append(await markerBatch(pid, false));
        for (let k = 0; k < 4; k++)
          await log.append(
            await makeBatch([{ key: `k${k}`, value: `k${k}@${round}`, timestamp: T0 }]),
          );
      }
      const committed = await readCommitted(log);
      // A checkpoint (as the periodic one makes), so the reopen trusts the closed segments'
      // .txnindex files, the swapped ones included, instead of rescanning them.
      await log.flush();
      await assert.rejects(log.compact(T0), /simulated crash/);
      const logger = memoryLogger();
      const reopened = await open(dir, compact, logger);
      const after = await readCommitted(reopened);
      const byOffset = new Map(committed.map((r) => [r.offset, r]));
      for (const r of after) assert.deepEqual(byOffset.get(r.offset), r, "only committed records");
      assert.ok(!after.some((r) => r.value?.startsWith("aborted")));
      assert.deepEqual(
        (await all(reopened)).map((e) => e.producerId),
        [10n, 11n, 12n],
        "markers are within the horizon: their entries stay",
      );
      assert.ok(!logger.events.some((e) => /transaction indexes/.test(e.msg)), "no rebuild needed");
      const names = await readdir(dir);
      assert.ok(!names.some((n) => /\.(cleaned|swap|deleted|range)$/.test(n)), names.join(","));
      await reopened.close();
      for (const [base, bytes] of await txnIndexFiles(dir))
        assert.ok(decodeTxnIndex(bytes, base) !== null);
      assert.ok((await stat(join(dir, "logbook.checkpoint"))).size > 0);
      await tmp.cleanup();
    });
  }
});
