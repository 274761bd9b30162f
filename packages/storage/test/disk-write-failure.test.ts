/**
 * A failed segment write (disk full, read-only file system) is undone: the refused
 * appends leave no bytes, offsets or transaction state behind, what was stored before
 * stays readable, and the next append succeeds at the refused offset.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { logConfig } from "../src/config.js";
import { DiskPartitionLog } from "../src/disk/disk-partition-log.js";
import { Segment } from "../src/disk/segment.js";
import { silentLogger } from "../src/logger.js";
import { AppendError } from "../src/partition-log.js";
import { makeBatch } from "./helpers/batches.js";
import { realEnv } from "./helpers/env.js";
import { makeTempDir } from "./helpers/temp-dir.js";
import { markerBatch, txnBatch } from "./helpers/transactions.js";

/** Makes the next segment write fail the way a full disk does, once. */
function failNextWrite(): void {
  const write = Segment.prototype.write;
  Segment.prototype.write = async function (this: Segment) {
    Segment.prototype.write = write;
    throw Object.assign(new Error("ENOSPC: no space left on device"), { code: "ENOSPC" });
  };
}

test("a refused write leaves no offsets, bytes or transaction state behind", async () => {
  const tmp = await makeTempDir();
  const dir = join(tmp.path, "t-0");
  const open = () =>
    DiskPartitionLog.open(dir, "t", 0, logConfig({ retentionMs: -1, retentionBytes: -1 }), {
      ...realEnv(),
      logger: silentLogger,
      checkpointIntervalMs: 0,
    });
  let log = await open();
  await log.append(await txnBatch(1n, 2)); // 0-1, producer 1's transaction opens
  await log.append(await makeBatch(1)); // 2

  failNextWrite();
  await assert.rejects(log.append(await markerBatch(1n, false)), (e: unknown) => {
    assert.ok(e instanceof AppendError);
    assert.equal(e.reason, "storage");
    return true;
  });
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

  // Nothing the failure touched is damaged on disk: a reopen sees the same log.
  log = await open();
  assert.equal(log.logEndOffset, 6);
  const read = await log.read(0, 1 << 20);
  assert.equal(read.kind, "ok");
  if (read.kind === "ok") assert.equal(read.highWatermark, 6);
  assert.deepEqual(
    (await log.abortedTransactions(0, log.highWatermark)).map((a) => a.lastOffset),
    [3],
  );
  await log.close();
  await tmp.cleanup();
});
