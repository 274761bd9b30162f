/**
 * A read at the tail of a disk log in the turn of the event loop that appended the
 * batches is served from the appends' own buffers (disk/recent-appends.ts), with the
 * bytes a read of the log's files returns; once the turn ends they are forgotten.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";
import fc from "fast-check";
import { logConfig } from "../src/config.js";
import { DiskPartitionLog } from "../src/disk/disk-partition-log.js";
import { TurnRetention } from "../src/disk/recent-appends.js";
import { silentLogger } from "../src/index.js";
import { makeBatch } from "./helpers/batches.js";
import { realEnv } from "./helpers/env.js";
import { makeTempDir } from "./helpers/temp-dir.js";

/** A retention whose turn ends only when the test says so. */
function manualTurns(): TurnRetention {
  return new TurnRetention(() => {});
}

async function openLog(dir: string, retention: TurnRetention, segmentBytes = 1 << 20) {
  return DiskPartitionLog.open(dir, "t", 0, logConfig({ retentionMs: -1, segmentBytes }), {
    ...realEnv(),
    logger: silentLogger,
    checkpointIntervalMs: 0,
    recentAppends: retention,
  });
}

/** A log in a temp dir kept as `retention` says, closed and removed afterwards. */
async function withLog(
  retention: TurnRetention,
  fn: (log: DiskPartitionLog) => Promise<void>,
): Promise<void> {
  const tmp = await makeTempDir();
  const log = await openLog(join(tmp.path, "t-0"), retention);
  try {
    await fn(log);
  } finally {
    await log.close();
    await tmp.cleanup();
  }
}

/** One append: its batches' record counts and value sizes. */
const appendSpec = fc.array(
  fc.record({ count: fc.integer({ min: 1, max: 5 }), size: fc.integer({ min: 0, max: 600 }) }),
  { minLength: 1, maxLength: 3 },
);

async function blob(spec: { count: number; size: number }[]): Promise<Buffer> {
  const batches = await Promise.all(
    spec.map((b) =>
      makeBatch(Array.from({ length: b.count }, () => ({ value: Buffer.alloc(b.size, 0x61) }))),
    ),
  );
  return Buffer.concat(batches);
}

describe("recent appends (disk engine)", () => {
  it("serve a read with the bytes a file read returns, whichever appends are still kept", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ append: appendSpec, turnEnds: fc.boolean() }), {
          minLength: 1,
          maxLength: 25,
        }),
        fc.array(
          fc.record({
            offset: fc.nat(),
            maxBytes: fc.integer({ min: 1, max: 8_000 }),
            bound: fc.option(fc.nat(), { nil: undefined }),
          }),
          { minLength: 1, maxLength: 20 },
        ),
        async (appends, reads) => {
          const tmp = await makeTempDir();
          const turns = manualTurns();
          const cached = await openLog(join(tmp.path, "a-0"), turns, 4096);
          const plain = await openLog(join(tmp.path, "b-0"), manualTurns(), 4096);
          try {
            for (const { append, turnEnds } of appends) {
              const bytes = await blob(append);
              await cached.append(Buffer.from(bytes), { handedOver: true });
              await plain.append(Buffer.from(bytes));
              if (turnEnds) turns.releaseAll();
            }
            const end = cached.highWatermark;
            for (const r of reads) {
              const offset = r.offset % (end + 1);
              const bound = r.bound === undefined ? undefined : r.bound % (end + 1);
              const a = await cached.read(offset, r.maxBytes, bound);
              const b = await plain.read(offset, r.maxBytes, bound);
              assert.equal(a.kind, "ok");
              assert.equal(b.kind, "ok");
              if (a.kind === "ok" && b.kind === "ok")
                assert.ok(
                  a.records.equals(b.records),
                  `read(${offset}, ${r.maxBytes}, ${bound}): ${a.records.length} vs ${b.records.length} bytes`,
                );
            }
          } finally {
            await cached.close();
            await plain.close();
            await tmp.cleanup();
          }
        },
      ),
      {
        numRuns: 60,
        // An append that rolled a segment: a read stops at the roll, as a file read does.
        examples: [
          [
            [
              { append: [{ count: 5, size: 570 }], turnEnds: false },
              { append: [{ count: 2, size: 531 }], turnEnds: false },
            ],
            [{ offset: 0, maxBytes: 4097, bound: undefined }],
          ],
        ],
      },
    );
  });

  it("answer a read at the tail without a file read until the turn ends", async () => {
    const turns = manualTurns();
    await withLog(turns, async (log) => {
      for (let i = 0; i < 3; i++) await log.append(await makeBatch(3), HANDED_OVER);
      const r = await log.read(7, 1 << 20);
      assert.equal(r.kind, "ok");
      if (r.kind === "ok") assert.equal(Number(r.records.readBigInt64BE(0)), 6);
      assert.equal(log.stats.readsFromRecentAppends, 1);
      turns.releaseAll();
      const again = await log.read(7, 1 << 20);
      assert.ok(again.kind === "ok" && again.records.equals(r.kind === "ok" ? r.records : EMPTY));
      assert.equal(log.stats.readsFromRecentAppends, 1, "after the turn: from the file");
    });
  });

  it("are forgotten when the real event loop moves on", async () => {
    await withLog(new TurnRetention(), async (log) => {
      await log.append(await makeBatch(2), HANDED_OVER);
      await log.read(0, 1 << 20);
      assert.equal(log.stats.readsFromRecentAppends, 1, "same turn: kept");
      await new Promise((resolve) => setImmediate(resolve));
      await log.read(0, 1 << 20);
      assert.equal(log.stats.readsFromRecentAppends, 1, "next turn: forgotten");
    });
  });

  it("keep only buffers handed over, and read out copies", async () => {
    await withLog(manualTurns(), async (log) => {
      const mine = await makeBatch(2);
      const kept = Buffer.from(mine);
      await log.append(mine);
      mine.fill(0xee);
      const r = await log.read(0, 1 << 20);
      assert.equal(log.stats.readsFromRecentAppends, 0, "not handed over: not kept");
      assert.ok(r.kind === "ok" && r.records.length === kept.length);

      const given = await makeBatch(2);
      await log.append(given, HANDED_OVER);
      const givenAsStored = Buffer.from(given);
      const first = await log.read(2, 1 << 20);
      assert.equal(log.stats.readsFromRecentAppends, 1);
      assert.ok(first.kind === "ok" && first.records.equals(givenAsStored));
      const copy = first.kind === "ok" ? Buffer.from(first.records) : EMPTY;
      if (first.kind === "ok") first.records.fill(0xdd);
      assert.ok(given.equals(givenAsStored), "a copy: the appended buffer is untouched");
      const second = await log.read(2, 1 << 20);
      assert.equal(log.stats.readsFromRecentAppends, 2);
      assert.ok(
        second.kind === "ok" && second.records.equals(copy),
        "a reader's writes stay its own",
      );
    });
  });

  it("never serve what a truncation cut", async () => {
    await withLog(manualTurns(), async (log) => {
      for (let i = 0; i < 10; i++) await log.append(await makeBatch(3), HANDED_OVER);
      await log.truncateTo(15);
      await log.append(await makeBatch([{ value: "after" }, { value: "cut" }]), HANDED_OVER);
      const before = log.stats.readsFromRecentAppends;
      const after = await log.read(15, 1 << 20);
      assert.equal(after.kind, "ok");
      if (after.kind === "ok") {
        assert.equal(Number(after.records.readBigInt64BE(0)), 15);
        assert.ok(after.records.includes(Buffer.from("after")), "the new batch, not the old one");
      }
      assert.equal(log.stats.readsFromRecentAppends, before + 1);
      // Below the truncation point only the file answers.
      const old = await log.read(12, 1 << 20);
      assert.equal(old.kind, "ok");
      if (old.kind === "ok") assert.equal(Number(old.records.readBigInt64BE(0)), 12);
      assert.equal(log.stats.readsFromRecentAppends, before + 1);
    });
  });
});

const EMPTY = Buffer.alloc(0);
const HANDED_OVER = { handedOver: true };
