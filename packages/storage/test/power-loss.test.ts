/**
 * Deterministic power-loss tests of the disk log, on the in-memory Fs (src/env/memory-fs.ts),
 * which keeps only what was fsynced (file bytes) and directory-synced (entries). For
 * each flush policy a workload of appends, timer ticks (flush.ms, checkpoints), segment
 * rolls and a close runs until the power fails after exactly k file-system mutations,
 * for every k from 0 to the end of the workload; the log is then reopened on what
 * survived. Whatever the cut, the reopened log is a prefix of what was appended, with
 * dense offsets and the same bytes, and it holds at least what the policy promised
 * durable by then (with fsync per append: every acknowledged append).
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { LogConfig } from "../src/config.js";
import type { DiskPartitionLog } from "../src/disk/disk-partition-log.js";
import { CHECKPOINT_FILE } from "../src/disk/layout.js";
import { walkLog } from "./fixtures/segment-files.js";
import { makeBatch, withoutStamps } from "./helpers/batches.js";
import { LOG_DIR, type Machine, newMachine, openLog, restart } from "./helpers/power-loss.js";

const APPENDS = 14;
/** Segments hold this many batches, so appends 4, 8 and 12 roll. */
const PER_SEGMENT = 4;
/** Ticks (clock advances) come after these appends. */
const TICK_AFTER = new Set([2, 6, 10]);
const TICK_MS = 1_000;

/** Equal-sized single-record batches, so rolls fall on known appends. */
const batches = await Promise.all(
  Array.from({ length: APPENDS }, (_, i) =>
    makeBatch([{ value: `r${String(i).padStart(2, "0")}` }]),
  ),
);
const BATCH_SIZE = (batches[0] as Buffer).length;

interface Policy {
  name: string;
  config: Partial<LogConfig>;
  checkpointIntervalMs: number;
  /** Records after which an append fsyncs (flush.messages). */
  flushMessages: number;
  /** Whether a tick syncs (flush.ms or the checkpoint timer). */
  tickSyncs: boolean;
}

const POLICIES: Policy[] = [
  {
    name: "fsync per append (flush.messages=1)",
    config: { flushMessages: 1 },
    checkpointIntervalMs: 0,
    flushMessages: 1,
    tickSyncs: false,
  },
  {
    name: "flush.messages=3",
    config: { flushMessages: 3 },
    checkpointIntervalMs: 0,
    flushMessages: 3,
    tickSyncs: false,
  },
  {
    name: "flush.ms",
    config: { flushMs: TICK_MS },
    checkpointIntervalMs: 0,
    flushMessages: Number.POSITIVE_INFINITY,
    tickSyncs: true,
  },
  {
    name: "page cache with periodic checkpoints",
    config: {},
    checkpointIntervalMs: TICK_MS,
    flushMessages: Number.POSITIVE_INFINITY,
    tickSyncs: true,
  },
];

/**
 * What the policy promises: how many leading appends are durable, updated as
 * acknowledgements arrive. An fsync by a tick is known done once a later append is
 * acknowledged (it ran before it on the log's serial chain).
 */
class Promised {
  durable = 0;
  private sinceSync = 0;
  private tickCovers: number | null = null;

  constructor(private readonly policy: Policy) {}

  acked(i: number): void {
    if (this.tickCovers !== null) this.durable = Math.max(this.durable, this.tickCovers);
    this.tickCovers = null;
    if (i > 0 && i % PER_SEGMENT === 0) {
      // A roll fsyncs the segment it closes before the append goes to the new one.
      this.durable = Math.max(this.durable, i);
      this.sinceSync = 0;
    }
    this.sinceSync++;
    if (this.sinceSync >= this.policy.flushMessages) {
      this.durable = i + 1;
      this.sinceSync = 0;
    }
  }

  ticked(ackedSoFar: number): void {
    if (this.policy.tickSyncs) this.tickCovers = ackedSoFar;
  }

  closed(ackedSoFar: number): void {
    this.durable = ackedSoFar;
  }
}

function configOf(policy: Policy): Partial<LogConfig> {
  return { segmentBytes: PER_SEGMENT * BATCH_SIZE, ...policy.config };
}

interface Run {
  machine: Machine;
  acked: number;
  attempted: number;
  promised: number;
  /** File-system mutations the workload made (all of them when not cut). */
  mutations: number;
}

/** Runs the workload; with `cutAfter`, the power fails after that many mutations. */
async function runWorkload(policy: Policy, cutAfter: number | null): Promise<Run> {
  const machine = await newMachine();
  const start = machine.fs.mutations;
  if (cutAfter !== null) machine.fs.haltAfter(cutAfter);
  const promise = new Promised(policy);
  let acked = 0;
  let attempted = 0;
  const done = (): Run => ({
    machine,
    acked,
    attempted,
    promised: promise.durable,
    mutations: machine.fs.mutations - start,
  });
  let log: DiskPartitionLog;
  try {
    log = await openLog(machine, configOf(policy), policy.checkpointIntervalMs);
  } catch {
    return done();
  }
  for (let i = 0; i < APPENDS; i++) {
    attempted = i + 1;
    try {
      const r = await log.append(Buffer.from(batches[i] as Buffer));
      assert.equal(r.baseOffset, i);
    } catch {
      return done();
    }
    acked = i + 1;
    promise.acked(i);
    if (policy.name.startsWith("fsync")) assert.equal(promise.durable, acked);
    if (TICK_AFTER.has(i)) {
      promise.ticked(acked);
      machine.clock.advance(TICK_MS);
    }
  }
  try {
    await log.close();
    promise.closed(acked);
  } catch {
    // The power failed during the close.
  }
  return done();
}

/** Reopens after the cut and checks the log against what the run appended and promised. */
async function checkRecovered(policy: Policy, run: Run, where: string): Promise<void> {
  const machine = restart(run.machine);
  const log = await openLog(machine, configOf(policy), policy.checkpointIntervalMs);
  const stored = await walkLog(log);
  assert.ok(
    stored.length >= run.promised,
    `${where}: ${stored.length} appends survived, ${run.promised} were promised durable`,
  );
  assert.ok(stored.length <= run.attempted, `${where}: more survived than was appended`);
  stored.forEach((b, i) => {
    assert.equal(b.baseOffset, i, `${where}: offsets are dense`);
    assert.deepEqual(withoutStamps(b.bytes), withoutStamps(batches[i] as Buffer), where);
  });
  assert.equal(log.logEndOffset, stored.length, `${where}: nothing past the recovered data`);
  const next = await log.append(Buffer.from(batches[0] as Buffer));
  assert.equal(next.baseOffset, stored.length, `${where}: the log goes on at the next offset`);
  await log.close();
}

describe("a power cut at every step", () => {
  for (const policy of POLICIES) {
    test(`${policy.name}: what the policy promised survives, nothing else appears`, async () => {
      const whole = await runWorkload(policy, null);
      assert.equal(whole.acked, APPENDS);
      assert.ok(whole.mutations > 2 * APPENDS, "the workload is cut at many points");
      await checkRecovered(policy, whole, "after a clean close");
      for (let k = 0; k <= whole.mutations; k++) {
        const run = await runWorkload(policy, k);
        await checkRecovered(policy, run, `cut after ${k} of ${whole.mutations} mutations`);
      }
    });
  }
});

test("the workload's segments hold the planned number of batches", async () => {
  const m = await newMachine();
  const log = await openLog(m, { segmentBytes: PER_SEGMENT * BATCH_SIZE });
  for (let i = 0; i < 5; i++) await log.append(Buffer.from(batches[i] as Buffer));
  const logs = (await m.fs.readdir("/data/t-0")).filter((n) => n.endsWith(".log"));
  assert.equal(logs.length, 2);
  await log.close();
});

/** Every file of the log directory, as it is now. */
async function snapshot(m: Machine): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  for (const name of await m.fs.readdir(LOG_DIR))
    files.set(name, m.fs.contentOf(`${LOG_DIR}/${name}`));
  return files;
}

describe("a torn last batch", () => {
  for (const checkpointed of [true, false]) {
    test(`is cut at recovery wherever the power failed inside it (${checkpointed ? "checkpoint before it" : "no checkpoint"})`, async () => {
      const m = await newMachine();
      const log = await openLog(m, { flushMessages: 1 });
      for (let i = 0; i < 4; i++) await log.append(Buffer.from(batches[i] as Buffer));
      await log.flush();
      const before = await snapshot(m);
      assert.ok(before.has(CHECKPOINT_FILE), "the checkpoint the test leaves out when asked");
      await log.append(Buffer.from(batches[4] as Buffer));
      const segment = "00000000000000000000.log";
      const full = m.fs.contentOf(`${LOG_DIR}/${segment}`);
      await log.close();
      const tornFrom = full.length - BATCH_SIZE;
      for (let cut = tornFrom; cut <= full.length; cut++) {
        const torn = await newMachine();
        for (const [name, content] of before) {
          if (name === CHECKPOINT_FILE && !checkpointed) continue;
          torn.fs.putDurable(
            `${LOG_DIR}/${name}`,
            name === segment ? full.subarray(0, cut) : content,
          );
        }
        const where = `cut at byte ${cut - tornFrom} of the last batch`;
        const reopened = await openLog(torn, { flushMessages: 1 });
        const stored = await walkLog(reopened);
        const whole = cut === full.length ? 5 : 4;
        assert.equal(stored.length, whole, where);
        stored.forEach((b, i) => {
          assert.deepEqual(withoutStamps(b.bytes), withoutStamps(batches[i] as Buffer), where);
        });
        const next = await reopened.append(Buffer.from(batches[whole] as Buffer));
        assert.equal(next.baseOffset, whole, `${where}: offsets stay dense`);
        await reopened.close();
        const again = await openLog(restart(torn), { flushMessages: 1 });
        assert.equal(
          (await walkLog(again)).length,
          whole + 1,
          `${where}: the append after the cut is durable`,
        );
        await again.close();
      }
    });
  }
});
