/**
 * When the recovery checkpoint is written. Periodically
 * (log.flush.offset.checkpoint.interval.ms): a log idle since its last checkpoint does
 * nothing on the timer (no fsync, no file written), and the engine runs the checkpoints
 * of its logs one at a time, so the partitions of a topic, opened together and due
 * together, do not fill the thread pool with fsyncs all at once (each append behind
 * them would wait). And at every roll, so that recovery after a crash rescans at most
 * the active segment.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { logConfig } from "../src/config.js";
import { readCheckpoint } from "../src/disk/checkpoint.js";
import { DiskPartitionLog } from "../src/disk/disk-partition-log.js";
import { openStorageEngine } from "../src/engines.js";
import type { Fs } from "../src/env/fs.js";
import { ManualClock } from "../src/env/manual-clock.js";
import { realFs } from "../src/env/real-fs.js";
import { silentLogger } from "../src/index.js";
import { makeBatch, makeBatchOfSize } from "./helpers/batches.js";
import { makeTempDir } from "./helpers/temp-dir.js";

const INTERVAL_MS = 1000;

test("the checkpoint timer skips a log that has not changed since its last checkpoint", async () => {
  const tmp = await makeTempDir();
  const clock = new ManualClock();
  const ticks: Promise<void>[] = [];
  const log = await DiskPartitionLog.open(join(tmp.path, "t-0"), "t", 0, logConfig({}), {
    fs: realFs,
    clock,
    logger: silentLogger,
    checkpointIntervalMs: INTERVAL_MS,
    queueCheckpoint: (checkpoint) => {
      const run = checkpoint();
      ticks.push(run);
      return run;
    },
  });
  const tick = async (): Promise<number> => {
    clock.advance(INTERVAL_MS);
    await Promise.all(ticks.splice(0));
    return log.stats.syncs;
  };
  try {
    await log.append(await makeBatch([{ value: "a" }]));
    assert.equal(await tick(), 1, "written since open: fsync and checkpoint");
    assert.equal(await tick(), 1, "idle: nothing to do");
    assert.equal(await tick(), 1);
    await log.append(await makeBatch([{ value: "b" }]));
    assert.equal(await tick(), 2, "appended again: checkpointed again");
    await log.deleteRecordsBefore(1);
    assert.equal(await tick(), 3, "a new log start is checkpointed too");
  } finally {
    await log.close();
    await tmp.cleanup();
  }
});

test("the engine checkpoints its logs one at a time", async () => {
  const tmp = await makeTempDir();
  const clock = new ManualClock();
  let inFlight = 0;
  let most = 0;
  let done = 0;
  // Each checkpoint ends with one fsync of its partition's directory.
  const fs: Fs = {
    ...realFs,
    async syncDir(path) {
      inFlight++;
      most = Math.max(most, inFlight);
      try {
        await new Promise((r) => setTimeout(r, 5));
        await realFs.syncDir(path);
      } finally {
        inFlight--;
        done++;
      }
    },
  };
  const engine = await openStorageEngine(tmp.path, {
    fs,
    clock,
    logger: silentLogger,
    checkpointIntervalMs: INTERVAL_MS,
    maintenanceIntervalMs: 0,
  });
  try {
    const logs = await Promise.all(
      [0, 1, 2, 3, 4].map((partition) => engine.open({ topic: "t", partition }, logConfig({}))),
    );
    for (const log of logs) await log.append(await makeBatch([{ value: "x" }]));
    most = 0;
    done = 0;
    clock.advance(INTERVAL_MS);
    const deadline = Date.now() + 10_000;
    while (done < logs.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    assert.equal(done, logs.length, "every log checkpointed");
    assert.equal(most, 1, "never two at once");
  } finally {
    await engine.close();
    await tmp.cleanup();
  }
});

test("a roll records the new segment as the recovery point, without waiting for the timer", async () => {
  const tmp = await makeTempDir();
  const dir = join(tmp.path, "t-0");
  const log = await DiskPartitionLog.open(dir, "t", 0, logConfig({ segmentBytes: 1000 }), {
    fs: realFs,
    clock: new ManualClock(),
    logger: silentLogger,
    checkpointIntervalMs: 0,
  });
  try {
    for (let i = 0; i < 7; i++) await log.append(await makeBatchOfSize(300));
    assert.ok(log.segmentCount >= 3, "rolled at least twice");
    const cp = await readCheckpoint(realFs, dir);
    assert.ok(cp !== null, "a checkpoint was written");
    // Three 300-byte batches fit a 1000-byte segment: the active one starts at offset 6.
    assert.equal(cp.recoverySegment, 6);
    assert.equal(cp.recoveryPosition, 0);
    assert.equal(cp.recoveryOffset, 6);
  } finally {
    await log.close();
    await tmp.cleanup();
  }
});
