/**
 * Power loss during compaction (see power-loss.test.ts for the method): a compacted log
 * with fsync per append is appended to, compacted (several segment swaps) and appended
 * to again, and the power fails after every file-system mutation in turn. After any
 * cut the reopened log holds each record at the offset it was appended at, the latest
 * acknowledged value of every key, and nothing that was not appended.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { LogConfig } from "../src/config.js";
import type { DiskPartitionLog } from "../src/disk/disk-partition-log.js";
import { makeBatch, T0 } from "./helpers/batches.js";
import { type KeyedRecord, readKeyedRecords } from "./helpers/keyed-records.js";
import { type Machine, newMachine, openLog, restart } from "./helpers/power-loss.js";

const CONFIG: Partial<LogConfig> = {
  cleanupPolicy: { delete: false, compact: true },
  segmentBytes: 300,
  flushMessages: 1,
  deleteRetentionMs: 1000,
  minCleanableDirtyRatio: 0.01,
};
const KEYS = 3;
const BEFORE = 15;
const AFTER = 3;

/** Offset 1 holds the only record of its key, which compaction must therefore keep. */
const SOLO = 1;
const keyOf = (i: number): string => (i === SOLO ? "solo" : `k${i % KEYS}`);
const valueAt = (i: number): string => `v${i}`;
const batches = await Promise.all(
  Array.from({ length: BEFORE + AFTER }, (_, i) =>
    makeBatch([{ key: keyOf(i), value: valueAt(i), timestamp: T0 }]),
  ),
);

interface Run {
  machine: Machine;
  acked: number;
  attempted: number;
  compacted: boolean;
  mutations: number;
}

async function runWorkload(cutAfter: number | null): Promise<Run> {
  const machine = await newMachine();
  const start = machine.fs.mutations;
  if (cutAfter !== null) machine.fs.haltAfter(cutAfter);
  const run: Run = { machine, acked: 0, attempted: 0, compacted: false, mutations: 0 };
  const done = (): Run => ({ ...run, mutations: machine.fs.mutations - start });
  let log: DiskPartitionLog;
  try {
    log = await openLog(machine, CONFIG);
  } catch {
    return done();
  }
  const append = async (i: number): Promise<boolean> => {
    run.attempted = i + 1;
    try {
      await log.append(Buffer.from(batches[i] as Buffer));
    } catch {
      return false;
    }
    run.acked = i + 1;
    return true;
  };
  for (let i = 0; i < BEFORE; i++) if (!(await append(i))) return done();
  try {
    run.compacted = (await log.compact(T0)) > 0;
  } catch {
    return done();
  }
  for (let i = BEFORE; i < BEFORE + AFTER; i++) if (!(await append(i))) return done();
  await log.close().catch(() => undefined);
  return done();
}

function check(records: KeyedRecord[], run: Run, where: string): void {
  for (const [n, r] of records.entries()) {
    assert.ok(r.offset < run.attempted, `${where}: offset ${r.offset} was never appended`);
    assert.equal(r.key, keyOf(r.offset), `${where}: the key at ${r.offset}`);
    assert.equal(r.value, valueAt(r.offset), `${where}: the value at ${r.offset}`);
    if (n > 0) assert.ok(r.offset > (records[n - 1] as KeyedRecord).offset, `${where}: order`);
  }
  const latest = new Map<string, number>();
  for (let i = 0; i < run.acked; i++) latest.set(keyOf(i), i);
  for (const [key, offset] of latest) {
    assert.ok(
      records.some((r) => r.offset === offset),
      `${where}: the latest acknowledged value of ${key} (offset ${offset}) is kept`,
    );
  }
}

test("a power cut at every step of a compaction keeps every key's latest acknowledged value", async () => {
  const whole = await runWorkload(null);
  assert.equal(whole.acked, BEFORE + AFTER);
  assert.ok(whole.compacted, "the workload's compaction removes records");
  for (let k = 0; k <= whole.mutations; k++) {
    const run = await runWorkload(k);
    const where = `cut after ${k} of ${whole.mutations} mutations`;
    const log = await openLog(restart(run.machine), CONFIG);
    assert.ok(log.logEndOffset >= run.acked, `${where}: acknowledged appends survive`);
    check(await readKeyedRecords(log), run, where);
    // The recovered log compacts again and stays consistent.
    await log.compact(T0);
    check(await readKeyedRecords(log), run, `${where}, compacted again`);
    await log.close();
  }
});
