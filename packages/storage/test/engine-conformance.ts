import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { RecordBatchHeader, TimestampType, validateBatch } from "@logbook/protocol";
import fc from "fast-check";
import { type LogConfig, logConfig } from "../src/config.js";
import type { StorageEngine, TopicPartitionId } from "../src/engine.js";
import {
  type AbortedTxn,
  AppendError,
  type PartitionLog,
  type ReadResult,
} from "../src/partition-log.js";
import {
  corruptCrc,
  decodeRecords,
  makeBatch,
  makeBatchOfSize,
  splitBatches,
  T0,
  withoutStamps,
} from "./helpers/batches.js";
import { markerBatch, readCommitted, txnBatch } from "./helpers/transactions.js";

/**
 * What a test needs from an engine under test. The suite closes `engine` (and any
 * engine `reopen` returned) itself, then calls `cleanup` to remove what is left.
 * `reopen` is called after the suite closed the engine and must return a new engine
 * over the same data; leave it out for engines whose data does not outlive them.
 */
export interface EngineUnderTest {
  engine: StorageEngine;
  reopen?: () => Promise<StorageEngine>;
  cleanup: () => Promise<void>;
}

const TP: TopicPartitionId = { topic: "conformance", partition: 0 };
const BIG = 1 << 30;

type Ok = Extract<ReadResult, { kind: "ok" }>;

function ok(result: ReadResult): Ok {
  assert.equal(result.kind, "ok", `expected records, got ${JSON.stringify(result)}`);
  return result as Ok;
}

/**
 * Everything from `from` to the high watermark, read by as many fetches as it takes: an
 * engine may end a read at a segment boundary, as Kafka does.
 */
async function readAll(log: PartitionLog, from = log.logStartOffset): Promise<Buffer> {
  const parts: Buffer[] = [];
  let next = from;
  while (next < log.highWatermark) {
    const records = ok(await log.read(next, BIG)).records;
    if (records.length === 0) break;
    parts.push(records);
    next = splitBatches(records).at(-1)!.lastOffset + 1;
  }
  return Buffer.concat(parts);
}

function baseOffsets(blob: Buffer): number[] {
  return splitBatches(blob).map((b) => b.baseOffset);
}

/** Appends single-batch blobs one after the other; returns the batches as sent. */
async function appendEach(log: PartitionLog, batches: Buffer[]): Promise<Buffer[]> {
  for (const b of batches) await log.append(b);
  return batches;
}

/**
 * Registers the tests every StorageEngine must pass (architecture.md: "implement the
 * interface, run the shared engine test suite"). The expected behaviour is the one the
 * doc comments of PartitionLog and StorageEngine state.
 */
export function runEngineConformance(
  name: string,
  makeEngine: () => Promise<EngineUnderTest>,
): void {
  /** Runs `body` against a fresh engine and log, closing and cleaning up afterwards. */
  async function withLog(
    config: Partial<LogConfig>,
    body: (log: PartitionLog, engine: StorageEngine) => Promise<void>,
  ): Promise<void> {
    const harness = await makeEngine();
    try {
      // Retention off unless a test sets it: engines may run it on their own at any time.
      const settings = { retentionMs: -1, retentionBytes: -1, ...config };
      const log = await harness.engine.open(TP, logConfig(settings));
      await body(log, harness.engine);
    } finally {
      await harness.engine.close();
      await harness.cleanup();
    }
  }

  describe(`storage engine conformance: ${name}`, () => {
    describe("appends and offsets", () => {
      test("offsets are dense across appends", async () => {
        await withLog({}, async (log) => {
          const r1 = await log.append(await makeBatch(1));
          const r2 = await log.append(await makeBatch(3));
          const r3 = await log.append(await makeBatch(5));
          assert.deepEqual(
            [r1, r2, r3].map((r) => [r.baseOffset, r.lastOffset, r.logAppendTime]),
            [
              [0, 0, -1],
              [1, 3, -1],
              [4, 8, -1],
            ],
          );
          assert.equal(r3.logStartOffset, 0);
          assert.equal(log.logEndOffset, 9);
          assert.equal(log.highWatermark, 9);
          assert.equal(log.lastStableOffset, 9);
          assert.equal(log.logStartOffset, 0);
          const all = await readAll(log);
          assert.deepEqual(baseOffsets(all), [0, 1, 4]);
          assert.deepEqual(
            (await decodeRecords(all)).map((r) => r.offset),
            [0, 1, 2, 3, 4, 5, 6, 7, 8],
          );
        });
      });

      test("concurrent appends started without awaiting get offsets in call order", async () => {
        await withLog({}, async (log) => {
          const counts = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3];
          const batches = await Promise.all(
            counts.map((n, i) =>
              makeBatch(Array.from({ length: n }, (_, j) => ({ value: `a${i}-r${j}` }))),
            ),
          );
          const pending = batches.map((b) => log.append(b));
          const total = counts.reduce((a, b) => a + b, 0);
          assert.equal(log.logEndOffset, total, "LEO counts appends not yet written");
          const results = await Promise.all(pending);
          let next = 0;
          for (const [i, r] of results.entries()) {
            assert.equal(r.baseOffset, next, `append ${i}`);
            next += counts[i]!;
            assert.equal(r.lastOffset, next - 1, `append ${i}`);
          }
          assert.equal(log.highWatermark, total);
          const records = await decodeRecords(await readAll(log));
          const expected = counts.flatMap((n, i) =>
            Array.from({ length: n }, (_, j) => `a${i}-r${j}`),
          );
          assert.deepEqual(
            records.map((r) => r.value),
            expected,
          );
          assert.deepEqual(
            records.map((r) => r.offset),
            expected.map((_, i) => i),
          );
        });
      });

      test("one append of several batches assigns offsets to each", async () => {
        await withLog({}, async (log) => {
          await log.append(await makeBatch(2));
          const blob = Buffer.concat([await makeBatch(3), await makeBatch(1), await makeBatch(4)]);
          const r = await log.append(blob);
          assert.equal(r.baseOffset, 2);
          assert.equal(r.lastOffset, 9);
          assert.equal(log.logEndOffset, 10);
          const read = await readAll(log, 2);
          assert.deepEqual(baseOffsets(read), [2, 5, 6]);
          assert.deepEqual(
            splitBatches(read).map((b) => withoutStamps(b.bytes)),
            splitBatches(blob).map((b) => withoutStamps(b.bytes)),
          );
        });
      });

      test("stored bytes equal the appended ones but for baseOffset and leader epoch", async () => {
        await withLog({}, async (log) => {
          const sent = [
            await makeBatch([{ key: "k", value: "hello", timestamp: T0 + 5 }]),
            await makeBatch(20, { compression: 1 }),
            await makeBatch(3, { producerId: 42n, producerEpoch: 3, baseSequence: 0 }),
          ];
          await log.append(sent[0]!);
          await log.append(sent[1]!, { leaderEpoch: 7 });
          await log.append(sent[2]!, { leaderEpoch: 8 });
          const read = splitBatches(await readAll(log));
          assert.deepEqual(
            read.map((b) => withoutStamps(b.bytes)),
            sent.map(withoutStamps),
          );
          assert.deepEqual(
            read.map((b) => [b.baseOffset, b.partitionLeaderEpoch]),
            [
              [0, 0],
              [1, 7],
              [21, 8],
            ],
          );
          for (const b of read) assert.equal(validateBatch(b.bytes).ok, true);
        });
      });

      test("the log keeps its own copy of appended bytes", async () => {
        await withLog({}, async (log) => {
          const batch = await makeBatch(2);
          const kept = Buffer.from(batch);
          await log.append(batch);
          batch.fill(0xee);
          const read = await readAll(log);
          assert.deepEqual(withoutStamps(read), withoutStamps(kept));
          read.fill(0xdd);
          assert.deepEqual(withoutStamps(await readAll(log)), withoutStamps(kept));
        });
      });

      test("LogAppendTime stamps maxTimestamp, the attribute bit and a fresh CRC", async () => {
        await withLog({ messageTimestampType: "LogAppendTime" }, async (log) => {
          const before = Date.now();
          const r = await log.append(
            await makeBatch([
              { value: "x", timestamp: 1000 },
              { value: "y", timestamp: 2000 },
            ]),
          );
          const after = Date.now();
          assert.ok(r.logAppendTime >= before && r.logAppendTime <= after, `${r.logAppendTime}`);
          const stored = splitBatches(await readAll(log))[0]!.bytes;
          const header = RecordBatchHeader.at(stored);
          assert.equal(header.timestampType, TimestampType.logAppendTime);
          assert.equal(header.maxTimestamp, BigInt(r.logAppendTime));
          assert.equal(validateBatch(stored).ok, true);
          // Every record now carries the append time, not its create time.
          const stamped = { offset: 0, timestamp: r.logAppendTime };
          assert.deepEqual(await log.offsetForTimestamp(1500), stamped);
          assert.deepEqual(await log.maxTimestamp(), stamped);
          assert.equal(await log.offsetForTimestamp(r.logAppendTime + 1), null);
        });
      });
    });

    describe("reads", () => {
      test("a fetch from the middle of a batch returns that whole batch", async () => {
        await withLog({}, async (log) => {
          await appendEach(log, [await makeBatch(5), await makeBatch(5), await makeBatch(5)]);
          const read = ok(await log.read(7, BIG)).records;
          assert.deepEqual(baseOffsets(read), [5, 10]);
          assert.deepEqual(baseOffsets(ok(await log.read(14, BIG)).records), [10]);
        });
      });

      test("maxBytes below one batch still returns that one whole batch", async () => {
        await withLog({}, async (log) => {
          const sent = await appendEach(log, [
            await makeBatchOfSize(200),
            await makeBatchOfSize(150),
            await makeBatchOfSize(100),
          ]);
          const one = ok(await log.read(0, 1)).records;
          assert.deepEqual(withoutStamps(one), withoutStamps(sent[0]!));
          const zero = ok(await log.read(1, 0)).records;
          assert.deepEqual(withoutStamps(zero), withoutStamps(sent[1]!));
          assert.deepEqual(baseOffsets(ok(await log.read(0, 350)).records), [0, 1]);
          assert.deepEqual(baseOffsets(ok(await log.read(0, 449)).records), [0, 1]);
          assert.deepEqual(baseOffsets(ok(await log.read(0, 450)).records), [0, 1, 2]);
        });
      });

      test("no batch at or above upperBound is returned", async () => {
        await withLog({}, async (log) => {
          await appendEach(log, [await makeBatch(3), await makeBatch(3), await makeBatch(3)]);
          assert.deepEqual(baseOffsets(ok(await log.read(0, BIG, 6)).records), [0, 3]);
          assert.deepEqual(baseOffsets(ok(await log.read(0, BIG, 3)).records), [0]);
          assert.equal(ok(await log.read(0, BIG, 0)).records.length, 0);
          assert.equal(ok(await log.read(3, 1, 3)).records.length, 0);
          assert.deepEqual(baseOffsets(ok(await log.read(0, BIG, 9)).records), [0, 3, 6]);
        });
      });

      test("a read at the log end offset is empty, not out of range", async () => {
        await withLog({}, async (log) => {
          assert.equal(ok(await log.read(0, BIG)).records.length, 0);
          await log.append(await makeBatch(4));
          const r = ok(await log.read(4, BIG));
          assert.equal(r.records.length, 0);
          assert.equal(r.highWatermark, 4);
          assert.equal(r.lastStableOffset, 4);
          assert.equal(r.logStartOffset, 0);
        });
      });

      test("reads above the log end offset are out of range", async () => {
        await withLog({}, async (log) => {
          await log.append(await makeBatch(4));
          assert.deepEqual(await log.read(5, BIG), {
            kind: "offset-out-of-range",
            highWatermark: 4,
            logStartOffset: 0,
            logEndOffset: 4,
          });
          assert.equal((await log.read(1000, BIG)).kind, "offset-out-of-range");
        });
      });

      test("the last-stable-offset hook bounds what reads report", async () => {
        await withLog({}, async (log) => {
          await log.append(await makeBatch(5));
          log.setLastStableOffsetHook((hw) => hw - 2);
          assert.equal(log.lastStableOffset, 3);
          assert.equal(ok(await log.read(0, BIG)).lastStableOffset, 3);
          log.setLastStableOffsetHook(null);
          assert.equal(log.lastStableOffset, 5);
          assert.equal(ok(await log.read(0, BIG)).lastStableOffset, 5);
        });
      });
    });

    describe("timestamps", () => {
      test("offsetForTimestamp finds the first record with timestamp >= the target", async () => {
        await withLog({}, async (log) => {
          assert.equal(await log.offsetForTimestamp(0), null);
          const ts = (ms: number[]) => ms.map((m, i) => ({ value: `v${i}`, timestamp: T0 + m }));
          await log.append(await makeBatch(ts([100, 200, 300])));
          await log.append(await makeBatch(ts([250, 400, 500])));
          const at = async (m: number) => (await log.offsetForTimestamp(T0 + m))?.offset;
          assert.deepEqual(await log.offsetForTimestamp(T0 + 200), {
            offset: 1,
            timestamp: T0 + 200,
          });
          assert.equal(await at(0), 0);
          assert.equal(await at(100), 0);
          assert.equal(await at(150), 1);
          assert.equal(await at(260), 2);
          assert.deepEqual(await log.offsetForTimestamp(T0 + 350), {
            offset: 4,
            timestamp: T0 + 400,
          });
          assert.equal(await at(450), 5);
          assert.equal(await log.offsetForTimestamp(T0 + 501), null);
        });
      });

      test("maxTimestamp is the first record with the largest timestamp", async () => {
        await withLog({}, async (log) => {
          assert.equal(await log.maxTimestamp(), null);
          const ts = (ms: number[]) => ms.map((m) => ({ timestamp: T0 + m }));
          await log.append(await makeBatch(ts([100, 500, 200])));
          await log.append(await makeBatch(ts([500, 50])));
          assert.deepEqual(await log.maxTimestamp(), { offset: 1, timestamp: T0 + 500 });
          await log.append(await makeBatch(ts([10, 20, 600, 30])));
          assert.deepEqual(await log.maxTimestamp(), { offset: 7, timestamp: T0 + 600 });
        });
      });
    });

    describe("truncation and DeleteRecords", () => {
      test("truncateTo drops the batch containing the offset and everything after", async () => {
        await withLog({}, async (log) => {
          await appendEach(log, [await makeBatch(3), await makeBatch(3), await makeBatch(3)]);
          await log.truncateTo(9);
          assert.equal(log.logEndOffset, 9, "truncating at the log end changes nothing");
          await log.truncateTo(7);
          assert.equal(log.logEndOffset, 6);
          assert.equal(log.highWatermark, 6);
          await log.truncateTo(4);
          assert.equal(log.logEndOffset, 3);
          assert.equal(log.highWatermark, 3);
          assert.deepEqual(baseOffsets(await readAll(log)), [0]);
          assert.equal((await log.read(4, BIG)).kind, "offset-out-of-range");
          const r = await log.append(await makeBatch(2));
          assert.equal(r.baseOffset, 3);
          assert.deepEqual(baseOffsets(await readAll(log)), [0, 3]);
          await log.truncateTo(3);
          assert.equal(log.logEndOffset, 3, "truncating at a batch boundary keeps the one before");
        });
      });

      test("deleteRecordsBefore moves the log start; reads below are out of range", async () => {
        await withLog({}, async (log) => {
          await appendEach(log, [await makeBatch(3), await makeBatch(3), await makeBatch(3)]);
          assert.equal(await log.deleteRecordsBefore(4), 4);
          assert.equal(log.logStartOffset, 4);
          assert.deepEqual(await log.read(3, BIG), {
            kind: "offset-out-of-range",
            highWatermark: 9,
            logStartOffset: 4,
            logEndOffset: 9,
          });
          const from4 = ok(await log.read(4, BIG));
          assert.equal(from4.logStartOffset, 4);
          assert.deepEqual(baseOffsets(from4.records), [3, 6]);
          assert.equal(await log.deleteRecordsBefore(2), 4, "the log start never moves back");
          assert.equal((await log.offsetForTimestamp(0))?.offset, 4);
          assert.equal((await log.append(await makeBatch(1))).logStartOffset, 4);
          assert.equal(await log.deleteRecordsBefore(10), 10);
          assert.equal(ok(await log.read(10, BIG)).records.length, 0);
          assert.equal(await log.offsetForTimestamp(0), null);
          assert.equal(await log.maxTimestamp(), null);
        });
      });

      test("timestamp lookups ignore records below the log start offset", async () => {
        await withLog({}, async (log) => {
          const ts = (ms: number[]) => ms.map((m) => ({ timestamp: T0 + m }));
          await log.append(await makeBatch(ts([500, 100, 200])));
          await log.append(await makeBatch(ts([150])));
          await log.deleteRecordsBefore(1);
          assert.deepEqual(await log.maxTimestamp(), { offset: 2, timestamp: T0 + 200 });
          assert.deepEqual(await log.offsetForTimestamp(T0), { offset: 1, timestamp: T0 + 100 });
          assert.equal(await log.offsetForTimestamp(T0 + 300), null);
        });
      });

      test("deleteRecordsBefore above the high watermark throws RangeError", async () => {
        await withLog({}, async (log) => {
          await log.append(await makeBatch(3));
          await assert.rejects(log.deleteRecordsBefore(4), RangeError);
          assert.equal(log.logStartOffset, 0);
          assert.equal(await log.deleteRecordsBefore(3), 3);
        });
      });
    });

    describe("retention", () => {
      // Ten 100-byte batches, three per 300-byte segment: [0-2] [3-5] [6-8] and active [9].
      const tenBatches = async (log: PartitionLog, timestamp = (i: number) => T0 + i) => {
        for (let i = 0; i < 10; i++) await log.append(await makeBatchOfSize(100, 1, timestamp(i)));
        assert.equal(log.sizeInBytes, 1000);
      };
      const noTime = { retentionMs: -1, retentionBytes: -1, segmentBytes: 300 };

      test("retention.bytes deletes the oldest closed segments", async () => {
        await withLog(noTime, async (log) => {
          await tenBatches(log);
          log.updateConfig({ ...log.config, retentionBytes: 400 });
          assert.equal(await log.runMaintenance(), 600);
          assert.equal(log.sizeInBytes, 400);
          assert.equal(log.logStartOffset, 6);
          assert.equal((await log.read(5, BIG)).kind, "offset-out-of-range");
          assert.deepEqual(baseOffsets(await readAll(log)), [6, 7, 8, 9]);
          assert.equal(await log.runMaintenance(), 0, "nothing more to do");
        });
      });

      test("retention never deletes the active segment", async () => {
        await withLog(noTime, async (log) => {
          await tenBatches(log);
          log.updateConfig({ ...log.config, retentionBytes: 0, retentionMs: 0 });
          assert.equal(await log.runMaintenance(T0 + 1_000_000), 900);
          assert.equal(log.logStartOffset, 9);
          assert.equal(log.logEndOffset, 10);
          assert.deepEqual(baseOffsets(await readAll(log)), [9]);
          assert.equal((await log.append(await makeBatch(1))).baseOffset, 10);
        });
      });

      test("retention.ms deletes closed segments whose newest record is older", async () => {
        await withLog(noTime, async (log) => {
          await tenBatches(log, (i) => T0 + i * 100);
          log.updateConfig({ ...log.config, retentionMs: 1000 });
          // Segment [0-2] is newest at T0+200, [3-5] at T0+500.
          assert.equal(await log.runMaintenance(T0 + 1400), 300);
          assert.equal(log.logStartOffset, 3);
          assert.equal((await log.read(2, BIG)).kind, "offset-out-of-range");
          assert.equal(await log.runMaintenance(T0 + 1400), 0);
          assert.equal(await log.runMaintenance(T0 + 100_000), 600);
          assert.equal(log.logStartOffset, 9);
          assert.equal((await log.offsetForTimestamp(0))?.offset, 9);
        });
      });

      test("retention -1 keeps everything", async () => {
        await withLog(noTime, async (log) => {
          await tenBatches(log, () => 1000);
          assert.equal(await log.runMaintenance(T0 * 2), 0);
          assert.equal(log.logStartOffset, 0);
          assert.equal(log.sizeInBytes, 1000);
          assert.deepEqual(baseOffsets(await readAll(log)), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
        });
      });

      test("a segment without timestamps ages by its last write, not as if from 1970", async () => {
        await withLog(noTime, async (log) => {
          // NO_TIMESTAMP (-1) on every record: a segment's newest timestamp is unknown.
          await tenBatches(log, () => -1);
          log.updateConfig({ ...log.config, retentionMs: 60_000 });
          assert.equal(await log.runMaintenance(Date.now()), 0, "written just now: kept");
          assert.equal(log.logStartOffset, 0);
          assert.equal(await log.runMaintenance(Date.now() + 120_000), 900, "two minutes on");
          assert.equal(log.logStartOffset, 9);
        });
      });

      test("segments wholly below the log start offset go by the next maintenance", async () => {
        await withLog(noTime, async (log) => {
          await tenBatches(log);
          await log.deleteRecordsBefore(7);
          const freedByDeleteRecords = 1000 - log.sizeInBytes;
          assert.ok([0, 600].includes(freedByDeleteRecords), `${freedByDeleteRecords}`);
          assert.equal(await log.runMaintenance(), 600 - freedByDeleteRecords);
          assert.equal(log.sizeInBytes, 400);
          assert.equal(log.logStartOffset, 7);
          assert.deepEqual(baseOffsets(await readAll(log)), [7, 8, 9]);
        });
      });
    });

    describe("notifications and bad input", () => {
      test("onAppend listeners run once the appended batches are readable", async () => {
        await withLog({}, async (log) => {
          const seen: number[] = [];
          const off = log.onAppend(() => seen.push(log.highWatermark));
          await log.append(await makeBatch(2));
          assert.deepEqual(seen, [2]);
          await Promise.all([log.append(await makeBatch(1)), log.append(await makeBatch(1))]);
          assert.ok(seen.length >= 2 && seen.length <= 3, `${seen}`);
          assert.equal(seen[seen.length - 1], 4);
          off();
          await log.append(await makeBatch(1));
          assert.equal(seen[seen.length - 1], 4, "no calls after unsubscribing");
        });
      });

      test("a corrupt batch is rejected and leaves the log unchanged", async () => {
        await withLog({}, async (log) => {
          await log.append(await makeBatch(3));
          const good = await makeBatch(2);
          const badMagic = Buffer.from(good);
          badMagic[16] = 1;
          const longLength = Buffer.from(good);
          longLength.writeInt32BE(good.length, 8);
          const inputs = [
            corruptCrc(good),
            Buffer.concat([good, corruptCrc(good)]),
            good.subarray(0, good.length - 1),
            good.subarray(0, 30),
            badMagic,
            longLength,
          ];
          for (const [i, bad] of inputs.entries()) {
            await assert.rejects(
              log.append(bad),
              (err: unknown) => err instanceof AppendError && err.reason === "corrupt-batch",
              `input ${i}`,
            );
          }
          assert.equal(log.logEndOffset, 3);
          assert.equal(log.highWatermark, 3);
          assert.equal(log.sizeInBytes, (await readAll(log)).length);
          assert.deepEqual(baseOffsets(await readAll(log)), [0]);
          assert.equal((await log.append(good)).baseOffset, 3);
        });
      });

      test("a closed log refuses appends", async () => {
        await withLog({}, async (log) => {
          await log.close();
          await assert.rejects(
            log.append(await makeBatch(1)),
            (err: unknown) => err instanceof AppendError && err.reason === "closed",
          );
        });
      });
    });

    describe("transaction index", () => {
      const ids = (txns: AbortedTxn[]) =>
        txns.map((t) => [t.producerId, t.firstOffset, t.lastOffset]);

      /**
       * pid 1: data 0-1, ABORT 4; plain 2; pid 2: data 3, COMMIT 5; pid 3: data 6, ABORT 7;
       * pid 1 again: data 8, ABORT 9; a retried ABORT of pid 1 at 10 (nothing open).
       */
      const history = async (log: PartitionLog) => {
        await log.append(await txnBatch(1n, 2));
        await log.append(await makeBatch(1));
        await log.append(await txnBatch(2n, 1));
        await log.append(await markerBatch(1n, false));
        await log.append(await markerBatch(2n, true));
        await log.append(await txnBatch(3n, 1));
        await log.append(await markerBatch(3n, false));
        await log.append(await txnBatch(1n, 1, 2));
        await log.append(await markerBatch(1n, false));
        await log.append(await markerBatch(1n, false));
      };

      test("abortedTransactions lists aborted transactions overlapping a range, across segments", async () => {
        await withLog({ segmentBytes: 200 }, async (log) => {
          await history(log);
          assert.equal(log.highWatermark, 11);
          assert.deepEqual(await log.abortedTransactions(0, 11), [
            { producerId: 1n, firstOffset: 0, lastOffset: 4, lastStableOffset: 3 },
            { producerId: 3n, firstOffset: 6, lastOffset: 7, lastStableOffset: 8 },
            { producerId: 1n, firstOffset: 8, lastOffset: 9, lastStableOffset: 10 },
          ]);
          assert.deepEqual(ids(await log.abortedTransactions(0, 1)), [[1n, 0, 4]]);
          assert.deepEqual(ids(await log.abortedTransactions(4, 7)), [
            [1n, 0, 4],
            [3n, 6, 7],
          ]);
          assert.deepEqual(ids(await log.abortedTransactions(5, 7)), [[3n, 6, 7]]);
          assert.deepEqual(ids(await log.abortedTransactions(8, 9)), [[1n, 8, 9]]);
          assert.deepEqual(await log.abortedTransactions(10, 11), []);
          assert.deepEqual(await log.abortedTransactions(3, 3), [], "an empty range");
          // What a read_committed consumer makes of it, in one fetch or one batch per fetch.
          const seen = await readCommitted(log);
          assert.deepEqual(
            seen.map((r) => r.offset),
            [2, 3],
            JSON.stringify(seen),
          );
          assert.deepEqual(await readCommitted(log, 1), seen);
        });
      });

      test("an ABORT's entry is there from the moment it is appended", async () => {
        await withLog({}, async (log) => {
          await log.append(await txnBatch(5n, 2));
          const appending = log.append(await markerBatch(5n, false));
          assert.deepEqual(ids(await log.abortedTransactions(0, 3)), [[5n, 0, 2]]);
          await appending;
          assert.deepEqual(ids(await log.abortedTransactions(0, 3)), [[5n, 0, 2]]);
        });
      });

      test("truncateTo drops the entries of markers it cuts and reopens their transactions", async () => {
        await withLog({ segmentBytes: 200 }, async (log) => {
          await history(log);
          await log.truncateTo(8);
          assert.deepEqual(ids(await log.abortedTransactions(0, 8)), [
            [1n, 0, 4],
            [3n, 6, 7],
          ]);
          await log.truncateTo(7);
          assert.deepEqual(ids(await log.abortedTransactions(0, 7)), [[1n, 0, 4]]);
          // pid 3's transaction is open again: a new ABORT ends it from offset 6.
          await log.append(await markerBatch(3n, false));
          assert.deepEqual(ids(await log.abortedTransactions(5, 8)), [[3n, 6, 7]]);
          await log.truncateTo(0);
          await log.append(await markerBatch(3n, false));
          assert.deepEqual(
            await log.abortedTransactions(0, 1),
            [],
            "nothing open after a full cut",
          );
        });
      });

      test("retention takes a segment's entries with it", async () => {
        await withLog({ segmentBytes: 200 }, async (log) => {
          await history(log);
          // 150-byte batches each fill a segment: the active one ends up holding no marker.
          for (let i = 0; i < 2; i++) await log.append(await makeBatchOfSize(150));
          assert.equal((await log.abortedTransactions(0, 13)).length, 3);
          await log.deleteRecordsBefore(13);
          await log.runMaintenance();
          assert.equal(log.logStartOffset, 13);
          assert.deepEqual(await log.abortedTransactions(0, 13), [], "gone with their segments");
        });
      });

      test("the index survives a close and reopen", async () => {
        const harness = await makeEngine();
        let engine: StorageEngine | null = harness.engine;
        try {
          const config = logConfig({ segmentBytes: 200, retentionMs: -1 });
          const log = await engine.open(TP, config);
          await history(log);
          await log.append(await txnBatch(4n, 1)); // 11, open across the restart
          const before = await log.abortedTransactions(0, 12);
          await engine.close();
          engine = null;
          if (!harness.reopen) return;
          engine = await harness.reopen();
          const again = await engine.open(TP, config);
          assert.deepEqual(await again.abortedTransactions(0, 12), before);
          await again.append(await markerBatch(4n, false));
          assert.deepEqual(ids(await again.abortedTransactions(11, 13)), [[4n, 11, 12]]);
        } finally {
          await engine?.close();
          await harness.cleanup();
        }
      });

      test("read_committed sees exactly the data not aborted, for any history (property)", async () => {
        const step = fc.record({
          producer: fc.integer({ min: 0, max: 2 }),
          kind: fc.constantFrom("data", "data", "plain", "commit", "abort"),
        });
        await fc.assert(
          fc.asyncProperty(
            fc.array(step, { maxLength: 30 }),
            fc.integer({ min: 1, max: 400 }),
            (steps, maxBytes) =>
              withLog({ segmentBytes: 300 }, async (log) => {
                const open = new Map<number, string[]>();
                const aborted = new Set<string>();
                const all: string[] = [];
                for (const [i, st] of steps.entries()) {
                  const pid = BigInt(st.producer);
                  if (st.kind === "data" || st.kind === "plain") {
                    const recs = [{ value: `s${i}a` }, { value: `s${i}b` }];
                    all.push(`s${i}a`, `s${i}b`);
                    if (st.kind === "plain") await log.append(await makeBatch(recs));
                    else {
                      await log.append(await txnBatch(pid, recs, i));
                      open.set(st.producer, [...(open.get(st.producer) ?? []), `s${i}a`, `s${i}b`]);
                    }
                  } else {
                    await log.append(await markerBatch(pid, st.kind === "commit"));
                    if (st.kind === "abort")
                      for (const v of open.get(st.producer) ?? []) aborted.add(v);
                    open.delete(st.producer);
                  }
                }
                const seen = (await readCommitted(log, maxBytes)).map((r) => r.value);
                assert.deepEqual(
                  seen,
                  all.filter((v) => !aborted.has(v)),
                );
              }),
          ),
          { numRuns: 20 },
        );
      });
    });

    describe("engine", () => {
      test("opening a partition twice returns the same log", async () => {
        await withLog({}, async (log, engine) => {
          assert.equal(await engine.open(TP, logConfig()), log);
        });
      });

      test("list() names every partition and delete() removes one with its data", async () => {
        await withLog({}, async (log, engine) => {
          const other = { topic: "other", partition: 3 };
          const second = { topic: TP.topic, partition: 1 };
          await log.append(await makeBatch(2));
          const otherLog = await engine.open(other, logConfig());
          await otherLog.append(await makeBatch(1));
          await (await engine.open(second, logConfig())).append(await makeBatch(1));
          const key = (tp: TopicPartitionId) => `${tp.topic}/${tp.partition}`;
          const names = async () => (await engine.list()).map(key).sort();
          assert.deepEqual(await names(), [TP, second, other].map(key).sort());
          await engine.delete(other);
          assert.deepEqual(await names(), [TP, second].map(key).sort());
          await assert.rejects(
            otherLog.append(await makeBatch(1)),
            (err: unknown) => err instanceof AppendError && err.reason === "closed",
          );
          const fresh = await engine.open(other, logConfig());
          assert.equal(fresh.logEndOffset, 0);
          assert.equal(ok(await fresh.read(0, BIG)).records.length, 0);
          assert.equal(log.logEndOffset, 2, "other partitions are untouched");
        });
      });

      test("close() closes every log; data and log start offset survive a reopen", async () => {
        const harness = await makeEngine();
        let engine: StorageEngine | null = harness.engine;
        try {
          const config = logConfig({ segmentBytes: 300, retentionMs: -1 });
          const log = await engine.open(TP, config);
          for (let i = 0; i < 7; i++) await log.append(await makeBatchOfSize(100, 2, T0 + i));
          await log.deleteRecordsBefore(5);
          const before = await readAll(log);
          await engine.close();
          engine = null;
          await assert.rejects(
            log.append(await makeBatch(1)),
            (err: unknown) => err instanceof AppendError && err.reason === "closed",
          );
          if (!harness.reopen) return;
          engine = await harness.reopen();
          assert.deepEqual(
            (await engine.list()).map((tp) => `${tp.topic}/${tp.partition}`),
            [`${TP.topic}/${TP.partition}`],
          );
          const again = await engine.open(TP, config);
          assert.equal(again.logStartOffset, 5);
          assert.equal(again.logEndOffset, 14);
          assert.equal(again.highWatermark, 14);
          assert.equal(again.sizeInBytes, 700);
          assert.deepEqual(await readAll(again), before);
          assert.equal((await again.read(4, BIG)).kind, "offset-out-of-range");
          assert.deepEqual(await again.maxTimestamp(), { offset: 13, timestamp: T0 + 7 });
          assert.equal((await again.append(await makeBatch(1))).baseOffset, 14);
        } finally {
          await engine?.close();
          await harness.cleanup();
        }
      });
    });
  });
}
