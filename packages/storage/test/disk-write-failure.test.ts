/**
 * Failed writes and fsyncs, on the fault-injecting in-memory Fs. A failed segment write
 * (disk full, read-only file system) is undone: the refused appends leave no bytes,
 * offsets or transaction state behind, what was stored before stays readable, and the
 * next append succeeds at the refused offset. A failed fsync refuses the appends it
 * should have made durable and takes the log offline; it keeps serving what it
 * acknowledged, and a restart finds that.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { LogConfig } from "../src/config.js";
import { AppendError } from "../src/partition-log.js";
import { walkLog } from "./fixtures/segment-files.js";
import { makeBatch } from "./helpers/batches.js";
import { newMachine, openLog, restart } from "./helpers/power-loss.js";
import { markerBatch, txnBatch } from "./helpers/transactions.js";

const CONFIG: Partial<LogConfig> = { retentionMs: -1, retentionBytes: -1 };

function isStorageError(message: RegExp): (e: unknown) => boolean {
  return (e: unknown) => {
    assert.ok(e instanceof AppendError);
    assert.equal(e.reason, "storage");
    assert.match(e.message, message);
    return true;
  };
}

for (const landed of [0, 30]) {
  test(`a refused write leaves no offsets, bytes or transaction state behind (${landed} bytes landed)`, async () => {
    const m = await newMachine();
    let log = await openLog(m, CONFIG);
    await log.append(await txnBatch(1n, 2)); // 0-1, producer 1's transaction opens
    await log.append(await makeBatch(1)); // 2

    m.fs.failNextWrite("ENOSPC", landed);
    await assert.rejects(
      log.append(await markerBatch(1n, false)),
      isStorageError(/^log write failed: ENOSPC/),
    );
    assert.equal(log.logEndOffset, 3, "the refused marker's offset is handed out again");
    assert.equal(log.highWatermark, 3);
    assert.deepEqual(
      await log.abortedTransactions(0, 3),
      [],
      "the refused ABORT marker left no index entry",
    );

    // The retry lands at the same offset and ends the transaction once.
    const retried = await log.append(await markerBatch(1n, false));
    assert.equal(retried.baseOffset, 3);
    const after = await log.append(await makeBatch(2));
    assert.equal(after.baseOffset, 4, "offsets stay dense");
    const expected = [{ producerId: 1n, firstOffset: 0, lastOffset: 3, lastStableOffset: 4 }];
    assert.deepEqual(await log.abortedTransactions(0, log.highWatermark), expected);
    await log.close();

    // Nothing the failure touched is damaged on disk: a restart sees the same log.
    log = await openLog(restart(m), CONFIG);
    assert.equal(log.logEndOffset, 6);
    assert.equal((await walkLog(log)).length, 4, "four batches, offsets dense");
    assert.deepEqual(
      (await log.abortedTransactions(0, log.highWatermark)).map((a) => a.lastOffset),
      [3],
    );
    await log.close();
  });
}

test("a failed fsync refuses its append, takes the log offline and keeps serving what was acknowledged", async () => {
  const m = await newMachine();
  const log = await openLog(m, { ...CONFIG, flushMessages: 1 });
  await log.append(await makeBatch(1)); // 0
  await log.append(await makeBatch(2)); // 1-2

  m.fs.failNextSync("EIO");
  await assert.rejects(
    log.append(await makeBatch(1)),
    isStorageError(/^log write failed, log is offline: EIO/),
  );
  await assert.rejects(log.append(await makeBatch(1)), isStorageError(/offline/));
  assert.equal(log.highWatermark, 3, "the refused append never became visible");
  const served = await walkLog(log);
  assert.deepEqual(
    served.map((b) => b.baseOffset),
    [0, 1],
    "what was acknowledged is still read",
  );

  // The power fails before anyone restarts the broker: the acknowledged appends are there.
  const reopened = await openLog(restart(m), { ...CONFIG, flushMessages: 1 });
  const stored = await walkLog(reopened);
  assert.deepEqual(
    stored.map((b) => b.baseOffset),
    [0, 1],
    "the acknowledged appends, and not the refused one (never synced)",
  );
  await reopened.close();
});
