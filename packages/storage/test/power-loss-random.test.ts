/**
 * Random workloads cut by a power failure at a random step (see power-loss.test.ts for
 * the exhaustive, scripted version): batches of random sizes and record counts, several
 * appends in flight at once (so the log writes them in coalesced groups, across rolls),
 * random segment sizes and flush.messages. Whatever the cut, the reopened log is a dense
 * prefix of what was appended, with the same bytes; with flush.messages=1 it holds every
 * acknowledged append.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import type { LogConfig } from "../src/config.js";
import { walkLog } from "./fixtures/segment-files.js";
import { makeBatch, withoutStamps } from "./helpers/batches.js";
import { type Machine, newMachine, openLog, restart } from "./helpers/power-loss.js";

interface Case {
  config: Partial<LogConfig>;
  /** Appends issued together (not waiting for each other), group after group. */
  groups: { records: number; valueBytes: number }[][];
}

const genCase: fc.Arbitrary<Case> = fc.record({
  config: fc.record({
    segmentBytes: fc.integer({ min: 150, max: 2000 }),
    flushMessages: fc.constantFrom(1, 2, 5, Number.MAX_SAFE_INTEGER),
    indexIntervalBytes: fc.constantFrom(1, 256, 4096),
  }),
  groups: fc.array(
    fc.array(
      fc.record({
        records: fc.integer({ min: 1, max: 3 }),
        valueBytes: fc.integer({ min: 0, max: 120 }),
      }),
      { minLength: 1, maxLength: 4 },
    ),
    { minLength: 1, maxLength: 6 },
  ),
});

interface Run {
  machine: Machine;
  /** Every batch issued, in offset order. */
  issued: Buffer[];
  /** How many leading batches were acknowledged. */
  acked: number;
  mutations: number;
}

async function runCase(c: Case, cutAfter: number | null): Promise<Run> {
  const machine = await newMachine();
  const start = machine.fs.mutations;
  if (cutAfter !== null) machine.fs.haltAfter(cutAfter);
  const issued: Buffer[] = [];
  const ackedFlags: boolean[] = [];
  const done = (): Run => {
    let acked = 0;
    while (ackedFlags[acked] === true) acked++;
    return { machine, issued, acked, mutations: machine.fs.mutations - start };
  };
  const log = await openLog(machine, c.config).catch(() => null);
  if (log === null) return done();
  for (const group of c.groups) {
    const pending: Promise<void>[] = [];
    for (const spec of group) {
      const n = issued.length;
      const batch = await makeBatch(
        Array.from({ length: spec.records }, (_, r) => ({
          value: Buffer.alloc(spec.valueBytes, 97 + ((n + r) % 26)),
        })),
      );
      issued.push(batch);
      pending.push(
        log.append(Buffer.from(batch)).then(
          () => {
            ackedFlags[n] = true;
          },
          () => undefined,
        ),
      );
    }
    await Promise.all(pending);
    if (machine.fs.halted) return done();
  }
  await log.close().catch(() => undefined);
  return done();
}

test("after a power cut at a random step, the log is a dense prefix holding what the policy promised", async () => {
  await fc.assert(
    fc.asyncProperty(genCase, fc.nat(), async (c, cutSeed) => {
      const whole = await runCase(c, null);
      assert.equal(whole.acked, whole.issued.length, "without a cut every append is acknowledged");
      const run = await runCase(c, cutSeed % (whole.mutations + 1));
      const log = await openLog(restart(run.machine), c.config);
      const stored = await walkLog(log);
      assert.ok(stored.length <= run.issued.length, "nothing appears that was not appended");
      stored.forEach((b, i) => {
        assert.deepEqual(withoutStamps(b.bytes), withoutStamps(run.issued[i] as Buffer));
      });
      if (c.config.flushMessages === 1) {
        assert.ok(stored.length >= run.acked, "fsync per append: every acknowledged append");
      }
      await log.close();
    }),
    { numRuns: 150 },
  );
});
