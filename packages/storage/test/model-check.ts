import assert from "node:assert/strict";
import fc from "fast-check";
import { logConfig } from "../src/config.js";
import { AppendError, type PartitionLog } from "../src/partition-log.js";
import { makeBatch, splitBatches, T0 } from "./helpers/batches.js";
import { LogModel } from "./helpers/log-model.js";

interface BatchGen {
  /** Record timestamps as offsets from T0 (not necessarily increasing). */
  timestamps: number[];
  valueSize: number;
  gzip: boolean;
}

/** Positions are fractions (0..1000) of the range valid when the command runs, so
 * shrinking never produces a meaningless command. */
export type Command =
  | { kind: "append"; batches: BatchGen[]; epoch: number }
  | { kind: "concurrent-appends"; appends: BatchGen[] }
  | { kind: "read"; at: number; beyond: number; maxBytes: number; bound: number | null }
  | { kind: "offset-for-timestamp"; timestamp: number }
  | { kind: "retention"; retentionMs: number; retentionBytes: number; now: number }
  | { kind: "segment-bytes"; segmentBytes: number }
  | { kind: "delete-records"; at: number; aboveHighWatermark: boolean }
  | { kind: "truncate"; at: number };

const fraction = fc.integer({ min: 0, max: 1000 });
const batchGen: fc.Arbitrary<BatchGen> = fc.record({
  timestamps: fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 1, maxLength: 6 }),
  valueSize: fc.integer({ min: 0, max: 120 }),
  gzip: fc.boolean(),
});

const command: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant("append" as const),
      batches: fc.array(batchGen, { minLength: 1, maxLength: 3 }),
      epoch: fc.integer({ min: 0, max: 5 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("concurrent-appends" as const),
      appends: fc.array(batchGen, { minLength: 2, maxLength: 5 }),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant("read" as const),
      at: fraction,
      beyond: fc.integer({ min: -2, max: 2 }),
      maxBytes: fc.integer({ min: 0, max: 3000 }),
      bound: fc.option(fraction),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("offset-for-timestamp" as const),
      timestamp: fc.integer({ min: -5, max: 1005 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("retention" as const),
      retentionMs: fc.oneof(fc.constant(-1), fc.integer({ min: 0, max: 1500 })),
      retentionBytes: fc.oneof(fc.constant(-1), fc.integer({ min: 0, max: 4000 })),
      now: fc.integer({ min: 0, max: 2500 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("segment-bytes" as const),
      segmentBytes: fc.integer({ min: 100, max: 2000 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("delete-records" as const),
      at: fraction,
      aboveHighWatermark: fc.boolean(),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("truncate" as const), at: fraction }) },
);

const pick = (lo: number, hi: number, at: number) => lo + Math.round(((hi - lo) * at) / 1000);

async function producerBatch(gen: BatchGen): Promise<{ bytes: Buffer; timestamps: number[] }> {
  const bytes = await makeBatch(
    gen.timestamps.map((t, i) => ({
      value: Buffer.alloc(gen.valueSize, 0x30 + (i % 10)),
      timestamp: T0 + t,
    })),
    gen.gzip ? { compression: 1 } : {},
  );
  return { bytes, timestamps: gen.timestamps.map((t) => T0 + t) };
}

/** Reads batch after batch from `from` up to the high watermark. */
async function readToEnd(log: PartitionLog, from: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  let next = from;
  while (next < log.highWatermark) {
    const r = await log.read(next, Number.MAX_SAFE_INTEGER);
    assert.equal(r.kind, "ok", `read(${next})`);
    if (r.kind !== "ok" || r.records.length === 0) break;
    parts.push(r.records);
    const batches = splitBatches(r.records);
    next = batches[batches.length - 1]!.lastOffset + 1;
  }
  return Buffer.concat(parts);
}

/** `got` must be the first k of `want.batches`, k >= want.atLeast. */
function assertReadPrefix(
  got: Buffer,
  want: { batches: Buffer[]; atLeast: number },
  where: string,
) {
  const n = splitBatches(got).length;
  assert.ok(n >= want.atLeast, `${where}: ${n} batches, expected at least ${want.atLeast}`);
  assert.deepEqual(got, Buffer.concat(want.batches.slice(0, n)), where);
}

/** After every command: offsets, size, a full read and the largest timestamp agree. */
async function checkState(log: PartitionLog, model: LogModel): Promise<void> {
  assert.equal(log.logEndOffset, model.logEndOffset, "logEndOffset");
  assert.equal(log.highWatermark, model.logEndOffset, "highWatermark");
  assert.equal(log.lastStableOffset, model.logEndOffset, "lastStableOffset");
  assert.equal(log.logStartOffset, model.logStartOffset, "logStartOffset");
  assert.equal(log.sizeInBytes, model.sizeInBytes, "sizeInBytes");
  const all = await readToEnd(log, model.logStartOffset);
  const expected = model.read(model.logStartOffset, Number.MAX_SAFE_INTEGER, model.logEndOffset);
  assert.ok(expected.kind === "ok");
  assert.deepEqual(all, Buffer.concat(expected.batches), "everything from the log start");
  assert.deepEqual(await log.maxTimestamp(), model.maxTimestamp(), "maxTimestamp");
}

async function run(log: PartitionLog, model: LogModel, cmd: Command): Promise<void> {
  switch (cmd.kind) {
    case "append": {
      const sent = await Promise.all(cmd.batches.map(producerBatch));
      const blob = Buffer.concat(sent.map((s) => s.bytes));
      const expected = model.append(sent, cmd.epoch, log.config.segmentBytes);
      const r = await log.append(blob, { leaderEpoch: cmd.epoch });
      assert.deepEqual([r.baseOffset, r.lastOffset], [expected.baseOffset, expected.lastOffset]);
      assert.equal(r.logStartOffset, model.logStartOffset);
      return;
    }
    case "concurrent-appends": {
      const sent = await Promise.all(cmd.appends.map(producerBatch));
      const expected = sent.map((s) => model.append([s], 0, log.config.segmentBytes));
      const pending = sent.map((s) => log.append(s.bytes));
      assert.equal(log.logEndOffset, model.logEndOffset, "LEO counts unwritten appends");
      const results = await Promise.all(pending);
      assert.deepEqual(
        results.map((r) => [r.baseOffset, r.lastOffset]),
        expected.map((e) => [e.baseOffset, e.lastOffset]),
      );
      return;
    }
    case "read": {
      const offset = pick(model.logStartOffset, model.logEndOffset, cmd.at) + cmd.beyond;
      if (offset < 0) return;
      const bounds = model.boundaries;
      const bound = cmd.bound === null ? undefined : bounds[pick(0, bounds.length - 1, cmd.bound)]!;
      const got = await log.read(offset, cmd.maxBytes, bound);
      const want = model.read(offset, cmd.maxBytes, bound ?? model.logEndOffset);
      const where = `read(${offset}, ${cmd.maxBytes}, ${bound})`;
      assert.equal(got.kind, want.kind, where);
      if (got.kind === "ok" && want.kind === "ok") {
        assertReadPrefix(got.records, want, where);
        assert.equal(got.highWatermark, model.logEndOffset);
        assert.equal(got.logStartOffset, model.logStartOffset);
      } else if (got.kind === "offset-out-of-range") {
        assert.deepEqual(
          [got.logStartOffset, got.logEndOffset, got.highWatermark],
          [model.logStartOffset, model.logEndOffset, model.logEndOffset],
        );
      }
      return;
    }
    case "offset-for-timestamp": {
      const ts = T0 + cmd.timestamp;
      assert.deepEqual(await log.offsetForTimestamp(ts), model.offsetForTimestamp(ts), `ts ${ts}`);
      return;
    }
    case "retention": {
      log.updateConfig({
        ...log.config,
        retentionMs: cmd.retentionMs,
        retentionBytes: cmd.retentionBytes,
      });
      const now = T0 + cmd.now;
      const freed = model.runRetention(cmd.retentionMs, cmd.retentionBytes, now);
      assert.equal(await log.runMaintenance(now), freed, "bytes freed");
      // Engines may run retention on their own (the disk engine does on DeleteRecords)
      // with the wall clock; with limits left on, that would race the model.
      log.updateConfig({ ...log.config, retentionMs: -1, retentionBytes: -1 });
      return;
    }
    case "segment-bytes":
      log.updateConfig({ ...log.config, segmentBytes: cmd.segmentBytes });
      return;
    case "delete-records": {
      const offset = cmd.aboveHighWatermark
        ? model.logEndOffset + 1 + (cmd.at % 3)
        : pick(0, model.logEndOffset, cmd.at);
      const want = model.deleteRecordsBefore(offset);
      if (want === "range") {
        await assert.rejects(log.deleteRecordsBefore(offset), RangeError);
      } else {
        assert.equal(await log.deleteRecordsBefore(offset), want);
      }
      return;
    }
    case "truncate": {
      const offset = pick(model.logStartOffset, model.logEndOffset, cmd.at);
      model.truncateTo(offset);
      await log.truncateTo(offset);
      return;
    }
  }
}

/**
 * Model-based property: random command sequences against a fresh log from `makeLog`
 * and against LogModel, comparing everything observable after every command. `cleanup`
 * must close the log and remove its data. Retention is predicted from segment.bytes
 * with Kafka's rules: one append never spans segments; a new segment starts when the
 * non-empty active one would exceed segment.bytes.
 */
export async function checkModel(
  makeLog: () => Promise<{ log: PartitionLog; cleanup: () => Promise<void> }>,
  runs: number,
  /** Cases run before the random ones: (segment.bytes, commands), e.g. a CI counterexample. */
  examples: [number, Command[]][] = [],
): Promise<void> {
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 100, max: 2000 }),
      fc.array(command, { minLength: 1, maxLength: 40 }),
      async (segmentBytes, commands) => {
        const { log, cleanup } = await makeLog();
        try {
          log.updateConfig(
            logConfig({
              segmentBytes,
              segmentMs: Number.MAX_SAFE_INTEGER,
              retentionMs: -1,
              retentionBytes: -1,
            }),
          );
          const model = new LogModel();
          await checkState(log, model);
          for (const cmd of commands) {
            await run(log, model, cmd);
            await checkState(log, model);
          }
          // A corrupt append never lands, whatever the state.
          const bad = (await producerBatch({ timestamps: [1], valueSize: 3, gzip: false })).bytes;
          bad[bad.length - 1] = (bad[bad.length - 1] ?? 0) ^ 0x01;
          await assert.rejects(log.append(bad), AppendError);
          await checkState(log, model);
        } finally {
          await cleanup();
        }
      },
    ),
    { numRuns: runs, examples },
  );
}
