/**
 * Recovery of the disk engine from damaged files: bytes flipped or cut in `.log` files,
 * damaged or missing `.index` / `.timeindex` files and checkpoints, and leftovers of
 * interrupted deletes and compactions. Each test builds a log through the engine, closes
 * it, damages the directory the way a crash or a bad disk would, reopens it and checks
 * that the log is cut at the first bad batch (everything before it intact), that the
 * indexes answer correctly, and what was reported.
 *
 * Recovery validates only what follows the checkpoint's recovery point (a clean
 * shutdown trusts the whole log, as Kafka does), so tests of damaged `.log` bytes put
 * back an earlier checkpoint first: the state a crash leaves when the last checkpoint
 * was taken early and everything after it is still in the files.
 */
import assert from "node:assert/strict";
import { readdir, readFile, rm, stat, truncate, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { type LogConfig, logConfig } from "../src/config.js";
import type { StorageEngine, TopicPartitionId } from "../src/engine.js";
import { openStorageEngine } from "../src/engines.js";
import { memoryLogger } from "../src/logger.js";
import type { PartitionLog } from "../src/partition-log.js";
import {
  type FileBatch,
  logFileBases,
  logFileName,
  type ReadBatch,
  scanLogFiles,
  walkLog,
} from "./fixtures/segment-files.js";
import { makeBatch, T0 } from "./helpers/batches.js";
import { makeTempDir, type TempDir } from "./helpers/temp-dir.js";

const TP: TopicPartitionId = { topic: "corrupt", partition: 0 };
const CONFIG: LogConfig = logConfig({ segmentBytes: 8 * 1024, indexIntervalBytes: 512 });
const CHECKPOINT = "logbook.checkpoint";
/** Records here are from 2023: no background retention may run while a test looks. */
const NO_TIMERS = { maintenanceIntervalMs: 0 };
/** Record `o` has timestamp T0 + 10·o, so every timestamp lookup has one right answer. */
const tsOf = (offset: number): number => T0 + 10 * offset;

interface Built {
  tmp: TempDir;
  dataDir: string;
  dir: string;
  /** The batches as the engine served them before any damage. */
  batches: ReadBatch[];
  /** Where each batch is in the files. */
  files: FileBatch[];
  /** The checkpoint as it was after `earlyAppends` appends (see the file comment). */
  earlyCheckpoint: string;
}

/** Appends `appends` batches of 1-8 records and 150-1500 bytes; sizes follow `i`. */
async function buildLog(appends = 60, earlyAppends = 12): Promise<Built> {
  const tmp = await makeTempDir("logbook-corrupt-");
  const dir = join(tmp.path, `${TP.topic}-${TP.partition}`);
  const engine = await openStorageEngine(tmp.path, { logger: memoryLogger(), ...NO_TIMERS });
  const log = await engine.open(TP, CONFIG);
  let earlyCheckpoint = "";
  for (let i = 0; i < appends; i++) {
    const count = 1 + ((i * 7) % 8);
    const valueSize = Math.floor((150 + ((i * 397) % 1350)) / count);
    const next = log.logEndOffset;
    await log.append(
      await makeBatch(
        Array.from({ length: count }, (_, j) => ({
          key: `k${(i + j) % 5}`,
          value: Buffer.alloc(valueSize, 0x41 + ((i + j) % 26)),
          timestamp: tsOf(next + j),
        })),
      ),
    );
    if (i + 1 === earlyAppends) {
      await log.flush();
      earlyCheckpoint = await readFile(join(dir, CHECKPOINT), "utf8");
    }
  }
  const batches = (await walkLog(log)).map((b) => ({ ...b, bytes: Buffer.from(b.bytes) }));
  await engine.close();
  const files = (await scanLogFiles(dir)).batches;
  assert.equal(files.length, batches.length);
  return { tmp, dataDir: tmp.path, dir, batches, files, earlyCheckpoint };
}

/** Puts back the early checkpoint: what a crash leaves when the last one was taken then. */
async function crashAfterEarlyCheckpoint(b: Built): Promise<void> {
  await writeFile(join(b.dir, CHECKPOINT), b.earlyCheckpoint);
}

async function reopen(
  b: Built,
): Promise<{ engine: StorageEngine; log: PartitionLog; logger: ReturnType<typeof memoryLogger> }> {
  const logger = memoryLogger();
  const engine = await openStorageEngine(b.dataDir, { logger, ...NO_TIMERS });
  return { engine, log: await engine.open(TP, CONFIG), logger };
}

async function flipByte(path: string, position: number): Promise<void> {
  const bytes = await readFile(path);
  bytes[position] = (bytes[position] ?? 0) ^ 0xff;
  await writeFile(path, bytes);
}

function warnings(logger: ReturnType<typeof memoryLogger>) {
  return logger.events.filter((e) => e.level === "warn" || e.level === "error");
}

/** The one warning recovery must give when it cut the log, and what it must say. */
function assertCutReported(
  logger: ReturnType<typeof memoryLogger>,
  cut: { segment: number; position: number; bytesCut: number; laterSegmentsDropped: number },
): void {
  const w = warnings(logger);
  assert.equal(w.length, 1, JSON.stringify(w));
  assert.match((w[0] as (typeof w)[number]).msg, /truncated/);
  const f = (w[0] as (typeof w)[number]).fields;
  assert.deepEqual(
    {
      segment: f.segment,
      position: f.position,
      bytesCut: f.bytesCut,
      laterSegmentsDropped: f.laterSegmentsDropped,
    },
    cut,
  );
  assert.equal(typeof f.reason, "string");
}

/**
 * The log serves exactly `kept`, byte for byte: a walk from the start, a read at each
 * batch's first and last offset (through the offset index), a timestamp lookup for
 * every record (through the time index), the max timestamp, and appends go on at the end.
 */
async function assertServes(log: PartitionLog, kept: readonly ReadBatch[]): Promise<void> {
  const end = kept.length === 0 ? 0 : (kept.at(-1) as ReadBatch).lastOffset + 1;
  assert.equal(log.logEndOffset, end, "log end offset");
  assert.equal(log.highWatermark, end, "high watermark");
  // Timestamps first: a read by offset loads (and may repair) a segment's indexes, and
  // after a restart a ListOffsets by time can come before any fetch.
  assert.deepEqual(
    await log.maxTimestamp(),
    end === 0 ? null : { offset: end - 1, timestamp: tsOf(end - 1) },
    "max timestamp",
  );
  for (const b of kept) {
    for (let o = b.baseOffset; o <= b.lastOffset; o++) {
      assert.deepEqual(await log.offsetForTimestamp(tsOf(o)), { offset: o, timestamp: tsOf(o) });
      assert.deepEqual(await log.offsetForTimestamp(tsOf(o) - 5), {
        offset: o,
        timestamp: tsOf(o),
      });
    }
  }
  assert.equal(await log.offsetForTimestamp(tsOf(end)), null, "nothing at or after the end");
  const walked = await walkLog(log);
  assert.deepEqual(
    walked.map((b) => b.baseOffset),
    kept.map((b) => b.baseOffset),
  );
  walked.forEach((b, i) => {
    assert.ok(b.bytes.equals((kept[i] as ReadBatch).bytes), `batch ${b.baseOffset} changed`);
  });
  for (const b of kept) {
    for (const offset of [b.baseOffset, b.lastOffset]) {
      const r = await log.read(offset, 1);
      if (r.kind !== "ok") assert.fail(`read(${offset}): ${r.kind}`);
      assert.ok(r.records.subarray(0, b.bytes.length).equals(b.bytes), `read(${offset})`);
    }
  }
  const atEnd = await log.read(end, 1 << 20);
  assert.equal(atEnd.kind === "ok" && atEnd.records.length, 0, "nothing served at the end");
  const appended = await log.append(await makeBatch([{ timestamp: tsOf(end) }]));
  assert.equal(appended.baseOffset, end, "appends continue at the recovered end");
}

/** Reopens once more after a clean close: nothing more is cut or reported. */
async function assertStable(b: Built, kept: readonly ReadBatch[]): Promise<void> {
  const { engine, log, logger } = await reopen(b);
  try {
    assert.deepEqual(warnings(logger), []);
    // The batch assertServes appended is there too.
    assert.equal(log.logEndOffset, (kept.at(-1)?.lastOffset ?? -1) + 2);
    const walked = await walkLog(log);
    assert.deepEqual(
      walked.slice(0, kept.length).map((x) => x.baseOffset),
      kept.map((x) => x.baseOffset),
    );
  } finally {
    await engine.close();
  }
}

/** Damages the log, reopens, and checks the cut, what stays served, and a second reopen. */
async function expectCut(
  b: Built,
  damage: () => Promise<void>,
  cut: { segment: number; position: number; bytesCut: number; laterSegmentsDropped: number },
  keptBelow: number,
): Promise<void> {
  await crashAfterEarlyCheckpoint(b);
  await damage();
  const { engine, log, logger } = await reopen(b);
  const kept = b.batches.filter((x) => x.baseOffset < keptBelow);
  try {
    assertCutReported(logger, cut);
    await assertServes(log, kept);
  } finally {
    await engine.close();
  }
  const bases = await logFileBases(b.dir);
  assert.ok(
    bases.every((s) => s <= cut.segment),
    `later segments dropped: ${bases}`,
  );
  await assertStable(b, kept);
}

const segmentsOf = (b: Built): number[] => [...new Set(b.files.map((f) => f.segment))];
const inSegment = (b: Built, seg: number): FileBatch[] => b.files.filter((f) => f.segment === seg);
const fileSize = async (path: string): Promise<number> => (await stat(path)).size;

async function withLog(fn: (b: Built) => Promise<void>): Promise<void> {
  const b = await buildLog();
  try {
    await fn(b);
  } finally {
    await b.tmp.cleanup();
  }
}

// ---- .log damage ----

test("a flipped byte in a closed segment cuts the log there and drops later segments", () =>
  withLog(async (b) => {
    const segs = segmentsOf(b);
    assert.ok(segs.length >= 5, `${segs.length} segments`);
    const seg = segs[segs.length - 3] as number;
    const victim = inSegment(b, seg)[1] as FileBatch;
    const path = join(b.dir, logFileName(seg));
    await expectCut(
      b,
      () => flipByte(path, victim.position + victim.size - 3),
      {
        segment: seg,
        position: victim.position,
        bytesCut: (await fileSize(path)) - victim.position,
        laterSegmentsDropped: 2,
      },
      victim.baseOffset,
    );
  }));

test("a flipped byte in the active segment's last batch cuts just that batch", () =>
  withLog(async (b) => {
    const seg = segmentsOf(b).at(-1) as number;
    const victim = inSegment(b, seg).at(-1) as FileBatch;
    const path = join(b.dir, logFileName(seg));
    // lastOffsetDelta (byte 23) is a header field, but under the CRC (from byte 21 on).
    await expectCut(
      b,
      () => flipByte(path, victim.position + 23),
      { segment: seg, position: victim.position, bytesCut: victim.size, laterSegmentsDropped: 0 },
      victim.baseOffset,
    );
  }));

for (const [name, length] of [
  ["larger than the file", 0x7fff_0000],
  ["below the header size", 20],
  ["negative", -1],
  ["a few bytes short", -4],
] as const) {
  test(`a batch length field ${name} cuts the log at that batch`, () =>
    withLog(async (b) => {
      const seg = segmentsOf(b).at(-1) as number;
      const victim = inSegment(b, seg)[0] as FileBatch;
      const path = join(b.dir, logFileName(seg));
      const size = await fileSize(path);
      await expectCut(
        b,
        async () => {
          const bytes = await readFile(path);
          // -4 means "the real length minus 4": a plausible length whose CRC fails.
          const value = length === -4 ? bytes.readInt32BE(victim.position + 8) - 4 : length;
          bytes.writeInt32BE(value, victim.position + 8);
          await writeFile(path, bytes);
        },
        {
          segment: seg,
          position: victim.position,
          bytesCut: size - victim.position,
          laterSegmentsDropped: 0,
        },
        victim.baseOffset,
      );
    }));
}

test("a log truncated mid-batch (torn write) loses only the torn batch", () =>
  withLog(async (b) => {
    const seg = segmentsOf(b).at(-1) as number;
    const victim = inSegment(b, seg).at(-1) as FileBatch;
    const path = join(b.dir, logFileName(seg));
    const tornAt = victim.position + Math.floor(victim.size / 2);
    await expectCut(
      b,
      () => truncate(path, tornAt),
      {
        segment: seg,
        position: victim.position,
        bytesCut: tornAt - victim.position,
        laterSegmentsDropped: 0,
      },
      victim.baseOffset,
    );
  }));

test("a closed segment truncated mid-batch is cut there and later segments dropped", () =>
  withLog(async (b) => {
    const segs = segmentsOf(b);
    const seg = segs[segs.length - 2] as number;
    const victim = inSegment(b, seg).at(-1) as FileBatch;
    const path = join(b.dir, logFileName(seg));
    await expectCut(
      b,
      () => truncate(path, victim.position + 30),
      { segment: seg, position: victim.position, bytesCut: 30, laterSegmentsDropped: 1 },
      victim.baseOffset,
    );
  }));

test("garbage appended to the active segment is cut, nothing before it", () =>
  withLog(async (b) => {
    const seg = segmentsOf(b).at(-1) as number;
    const path = join(b.dir, logFileName(seg));
    const size = await fileSize(path);
    const garbage = Buffer.from(Array.from({ length: 333 }, (_, i) => (i * 31 + 7) & 0xff));
    await expectCut(
      b,
      async () => writeFile(path, Buffer.concat([await readFile(path), garbage])),
      { segment: seg, position: size, bytesCut: garbage.length, laterSegmentsDropped: 0 },
      Number.POSITIVE_INFINITY,
    );
  }));

test("zeroes after the last batch (a preallocated or half-flushed tail) are cut", () =>
  withLog(async (b) => {
    const seg = segmentsOf(b).at(-1) as number;
    const path = join(b.dir, logFileName(seg));
    const size = await fileSize(path);
    await expectCut(
      b,
      () => truncate(path, size + 4096),
      { segment: seg, position: size, bytesCut: 4096, laterSegmentsDropped: 0 },
      Number.POSITIVE_INFINITY,
    );
  }));

// ---- index damage ----

/** Index files of every segment with a given suffix. */
async function indexFiles(dir: string, suffix: string): Promise<string[]> {
  return (await readdir(dir)).filter((n) => n.endsWith(suffix)).map((n) => join(dir, n));
}

async function expectIndexesRepaired(
  damage: (b: Built) => Promise<void>,
  crash = false,
): Promise<void> {
  await withLog(async (b) => {
    const before = new Map<string, Buffer>();
    for (const p of [
      ...(await indexFiles(b.dir, ".index")),
      ...(await indexFiles(b.dir, ".timeindex")),
    ])
      before.set(p, await readFile(p));
    if (crash) await crashAfterEarlyCheckpoint(b);
    await damage(b);
    const { engine, log, logger } = await reopen(b);
    try {
      assert.deepEqual(warnings(logger), [], "index damage is repaired, not cut");
      await assertServes(log, b.batches);
    } finally {
      await engine.close();
    }
    // Rebuilt files hold valid sparse indexes (strictly increasing, in range) again.
    for (const p of before.keys()) {
      const bytes = await readFile(p).catch(() => null);
      if (bytes === null) continue; // a closed segment whose index was never needed again
      const entry = p.endsWith(".timeindex") ? 12 : 8;
      assert.equal(bytes.length % entry, 0, `${p}: whole entries`);
      let prev = Number.NEGATIVE_INFINITY;
      for (let at = 0; at < bytes.length; at += entry) {
        const key = entry === 8 ? bytes.readInt32BE(at) : Number(bytes.readBigInt64BE(at));
        assert.ok(key > prev, `${p}: entry ${at / entry} not increasing`);
        prev = key;
      }
    }
    await assertStable(b, b.batches);
  });
}

test("deleted .index and .timeindex files are rebuilt", () =>
  expectIndexesRepaired(async (b) => {
    for (const p of [
      ...(await indexFiles(b.dir, ".index")),
      ...(await indexFiles(b.dir, ".timeindex")),
    ])
      await rm(p);
  }));

test(".index files cut to a partial entry are rebuilt", () =>
  expectIndexesRepaired(async (b) => {
    for (const p of await indexFiles(b.dir, ".index")) {
      const size = await fileSize(p);
      if (size > 0) await truncate(p, size - 3);
    }
  }));

test(".index files with zeroed or garbage entries are rebuilt", () =>
  expectIndexesRepaired(async (b) => {
    const files = await indexFiles(b.dir, ".index");
    for (const [i, p] of files.entries()) {
      const bytes = await readFile(p);
      if (bytes.length < 16) continue;
      if (i % 2 === 0) bytes.fill(0, bytes.length - 8);
      else for (let at = 0; at < bytes.length; at++) bytes[at] = (at * 151 + 13) & 0xff;
      await writeFile(p, bytes);
    }
  }));

test(".timeindex files with a zeroed last entry are rebuilt", () =>
  expectIndexesRepaired(async (b) => {
    for (const p of await indexFiles(b.dir, ".timeindex")) {
      const bytes = await readFile(p);
      if (bytes.length >= 12) await writeFile(p, bytes.fill(0, bytes.length - 12));
    }
  }));

// Index files are never fsynced, so after a power loss a trusted closed segment's
// .timeindex can end in zeroes; its last entry is what retention goes by.
test("a zeroed .timeindex tail does not make time retention delete live segments", () =>
  withLog(async (b) => {
    for (const p of await indexFiles(b.dir, ".timeindex")) {
      const bytes = await readFile(p);
      if (bytes.length >= 12) await writeFile(p, bytes.fill(0, bytes.length - 12));
    }
    const now = Date.now();
    const keepAll = logConfig({ ...CONFIG, retentionMs: now - T0 + 24 * 3600 * 1000 });
    const engine = await openStorageEngine(b.dataDir, { logger: memoryLogger(), ...NO_TIMERS });
    try {
      const log = await engine.open(TP, keepAll);
      assert.equal(await log.runMaintenance(now), 0, "nothing is older than retention.ms");
      assert.equal(log.logStartOffset, 0);
      assert.deepEqual(
        (await walkLog(log)).map((x) => x.baseOffset),
        b.batches.map((x) => x.baseOffset),
      );
    } finally {
      await engine.close();
    }
  }));

test(".timeindex files cut to a partial entry are rebuilt", () =>
  expectIndexesRepaired(async (b) => {
    for (const p of await indexFiles(b.dir, ".timeindex")) {
      const size = await fileSize(p);
      if (size > 0) await truncate(p, size - 5);
    }
  }));

test("damaged indexes after a crash are rebuilt while the tail is validated", () =>
  expectIndexesRepaired(async (b) => {
    for (const p of [
      ...(await indexFiles(b.dir, ".index")),
      ...(await indexFiles(b.dir, ".timeindex")),
    ])
      await writeFile(p, Buffer.alloc(7, 0xee));
  }, true));

// ---- checkpoint damage ----

for (const [name, damage] of [
  ["deleted", (p: string) => rm(p)],
  ["overwritten with garbage", (p: string) => writeFile(p, Buffer.from([0xde, 0xad, 0x0a]))],
  ["emptied", (p: string) => writeFile(p, "")],
  ["cut in half", async (p: string) => truncate(p, Math.floor((await fileSize(p)) / 2))],
] as const) {
  test(`checkpoint ${name}: a full scan, nothing lost, a bad batch still found`, () =>
    withLog(async (b) => {
      const seg = segmentsOf(b)[1] as number;
      const victim = inSegment(b, seg)[0] as FileBatch;
      const path = join(b.dir, logFileName(seg));
      await flipByte(path, victim.position + victim.size - 1);
      const size = await fileSize(path);
      await damage(join(b.dir, CHECKPOINT));
      const { engine, log, logger } = await reopen(b);
      const kept = b.batches.filter((x) => x.baseOffset < victim.baseOffset);
      try {
        // Segment 1 is before the early checkpoint's recovery point: only a full scan sees it.
        assertCutReported(logger, {
          segment: seg,
          position: victim.position,
          bytesCut: size - victim.position,
          laterSegmentsDropped: segmentsOf(b).length - 2,
        });
        await assertServes(log, kept);
      } finally {
        await engine.close();
      }
      assert.match(
        await readFile(join(b.dir, CHECKPOINT), "utf8"),
        /^logbook-partition-checkpoint/,
      );
      await assertStable(b, kept);
    }));
}

test("a checkpoint past the end of its segment makes recovery validate that segment", () =>
  withLog(async (b) => {
    const seg = segmentsOf(b).at(-1) as number;
    const path = join(b.dir, logFileName(seg));
    const size = await fileSize(path);
    const text = await readFile(join(b.dir, CHECKPOINT), "utf8");
    assert.match(text, new RegExp(`recovery-segment ${seg}\\n`));
    await writeFile(
      join(b.dir, CHECKPOINT),
      text.replace(/recovery-position \d+/, `recovery-position ${size + 1000}`),
    );
    const victim = inSegment(b, seg).at(-1) as FileBatch;
    await flipByte(path, victim.position + victim.size - 1);
    const { engine, log, logger } = await reopen(b);
    const kept = b.batches.filter((x) => x.baseOffset < victim.baseOffset);
    try {
      assertCutReported(logger, {
        segment: seg,
        position: victim.position,
        bytesCut: victim.size,
        laterSegmentsDropped: 0,
      });
      await assertServes(log, kept);
    } finally {
      await engine.close();
    }
  }));

// ---- clean restart ----

test("a clean restart of a large log trusts the checkpoint and rescans nothing", async () => {
  const b = await buildLog(400, 10);
  try {
    const segs = segmentsOf(b);
    assert.ok(segs.length >= 50, `${segs.length} segments`);
    const stamp = async (): Promise<Map<string, string>> => {
      const m = new Map<string, string>();
      for (const n of await readdir(b.dir)) {
        const s = await stat(join(b.dir, n));
        m.set(n, `${s.ino}:${s.size}:${s.mtimeMs}`);
      }
      return m;
    };
    // A byte of a record value rots in a closed and in the active segment after the
    // clean close. A rescan would see the CRC mismatch and cut the log; a restart that
    // trusts its checkpoint (like Kafka's) leaves the rot to consumers' CRC checks.
    const closedSeg = segs[Math.floor(segs.length / 2)] as number;
    const activeSeg = segs.at(-1) as number;
    for (const seg of [closedSeg, activeSeg]) {
      const victim = inSegment(b, seg).at(-1) as FileBatch;
      await flipByte(join(b.dir, logFileName(seg)), victim.position + victim.size - 2);
    }
    const before = await stamp();
    const { engine, log, logger } = await reopen(b);
    try {
      assert.deepEqual(warnings(logger), [], "nothing was validated, so nothing was cut");
      assert.equal(log.logEndOffset, (b.batches.at(-1) as ReadBatch).lastOffset + 1);
      // Opening rewrote nothing: not the checkpoint (a scan re-checkpoints), not an index.
      assert.deepEqual(await stamp(), before);
      const walked = await walkLog(log).catch((e: Error) => e);
      assert.ok(
        walked instanceof Error && /bad batch/.test(walked.message),
        "rot served as stored",
      );
    } finally {
      await engine.close();
    }
  } finally {
    await b.tmp.cleanup();
  }
});

// ---- leftovers of interrupted work ----

test("*.deleted, *.cleaned, *.tmp and orphan *.swap files are removed at open", () =>
  withLog(async (b) => {
    const seg = segmentsOf(b)[2] as number;
    const leftovers = [
      `${logFileName(0)}.deleted`,
      `${logFileName(seg, ".index")}.deleted`,
      `${logFileName(seg, ".timeindex")}.deleted`,
      `${logFileName(seg)}.cleaned`,
      `${logFileName(seg, ".index")}.swap`,
      `${logFileName(seg, ".timeindex")}.swap`,
      `${logFileName(seg, ".txnindex")}.swap`,
      `${logFileName(seg)}.swap.range`,
      `${CHECKPOINT}.tmp`,
    ];
    for (const n of leftovers) await writeFile(join(b.dir, n), "leftover");
    const { engine, log, logger } = await reopen(b);
    try {
      const names = await readdir(b.dir);
      assert.deepEqual(
        leftovers.filter((n) => names.includes(n)),
        [],
      );
      assert.deepEqual(warnings(logger), []);
      await assertServes(log, b.batches);
    } finally {
      await engine.close();
    }
  }));

/** Keeps every other batch of the given segments: what compaction might leave. */
function compacted(b: Built, segs: readonly number[]): { bytes: Buffer; kept: ReadBatch[] } {
  const kept = b.batches.filter((x, i) => {
    const f = b.files[i] as FileBatch;
    return segs.includes(f.segment) && (i % 2 === 0 || x === b.batches[0]);
  });
  return { bytes: Buffer.concat(kept.map((x) => x.bytes)), kept };
}

test("a committed .log.swap with its .range replaces the segments it covers", () =>
  withLog(async (b) => {
    const segs = segmentsOf(b);
    const [s0, s1, s2] = segs as [number, number, number];
    const { bytes, kept } = compacted(b, [s0, s1]);
    await writeFile(join(b.dir, `${logFileName(s0)}.swap`), bytes);
    // No transactions in these batches: the cleaner's transaction index is empty.
    await writeFile(join(b.dir, `${logFileName(s0, ".txnindex")}.swap`), "");
    await writeFile(join(b.dir, `${logFileName(s0)}.swap.range`), `${s1}\n`);
    const { engine, log, logger } = await reopen(b);
    const expected = [...kept, ...b.batches.filter((x) => x.baseOffset >= s2)];
    try {
      const names = await readdir(b.dir);
      assert.deepEqual(
        names.filter((n) => n.includes(".swap")),
        [],
      );
      assert.ok(!names.includes(logFileName(s1)), "the replaced segment is gone");
      assert.deepEqual(await readFile(join(b.dir, logFileName(s0))), bytes);
      assert.ok(
        logger.events.some(
          (e) => /swap/.test(e.msg) && e.fields.segment === s0 && e.fields.upTo === s1,
        ),
        JSON.stringify(logger.events),
      );
      assert.deepEqual(warnings(logger), []);
      const walked = await walkCompacted(log);
      assert.deepEqual(
        walked.map((x) => x.baseOffset),
        expected.map((x) => x.baseOffset),
      );
      for (const [i, x] of walked.entries()) {
        assert.ok(x.bytes.equals((expected[i] as ReadBatch).bytes), `batch ${x.baseOffset}`);
      }
      // An offset compaction removed reads from the next batch kept.
      const gone = b.batches.find((x) => x.baseOffset < s2 && !kept.includes(x)) as ReadBatch;
      const next = expected.find((x) => x.baseOffset > gone.baseOffset) as ReadBatch;
      const r = await log.read(gone.baseOffset, 1);
      assert.ok(r.kind === "ok" && r.records.subarray(0, next.bytes.length).equals(next.bytes));
      assert.deepEqual(await log.offsetForTimestamp(tsOf(gone.baseOffset)), {
        offset: next.baseOffset,
        timestamp: tsOf(next.baseOffset),
      });
      assert.equal(log.logEndOffset, (b.batches.at(-1) as ReadBatch).lastOffset + 1);
    } finally {
      await engine.close();
    }
  }));

test("a .log.swap without a .range replaces only the segment with its base offset", () =>
  withLog(async (b) => {
    const segs = segmentsOf(b);
    const [, s1, s2] = segs as [number, number, number];
    const { bytes, kept } = compacted(b, [s1]);
    await writeFile(join(b.dir, `${logFileName(s1)}.swap`), bytes);
    const { engine, log } = await reopen(b);
    try {
      const expected = [
        ...b.batches.filter((x) => x.baseOffset < s1),
        ...kept,
        ...b.batches.filter((x) => x.baseOffset >= s2),
      ];
      const walked = await walkCompacted(log);
      assert.deepEqual(
        walked.map((x) => x.baseOffset),
        expected.map((x) => x.baseOffset),
      );
      assert.deepEqual((await logFileBases(b.dir)).slice(0, 3), segs.slice(0, 3));
    } finally {
      await engine.close();
    }
  }));

/** Like walkLog, but a compacted log may skip offsets between batches. */
async function walkCompacted(log: PartitionLog): Promise<ReadBatch[]> {
  const out: ReadBatch[] = [];
  let next = log.logStartOffset;
  for (;;) {
    const r = await log.read(next, 1 << 20);
    if (r.kind !== "ok") assert.fail(`read(${next}): ${r.kind}`);
    if (r.records.length === 0) return out;
    let pos = 0;
    while (pos < r.records.length) {
      const base = Number(r.records.readBigInt64BE(pos + 0));
      const size = r.records.readInt32BE(pos + 8) + 12;
      const last = base + r.records.readInt32BE(pos + 23);
      assert.ok(base >= next, `batch ${base} before ${next}`);
      out.push({ baseOffset: base, lastOffset: last, bytes: r.records.subarray(pos, pos + size) });
      next = last + 1;
      pos += size;
    }
  }
}
