/** Disk-engine specifics: file layout, rolls, index interval, coalescing, flush policy, retention. */
import assert from "node:assert/strict";
import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { logConfig } from "../src/config.js";
import { DiskPartitionLog } from "../src/disk/disk-partition-log.js";
import {
  parsePartitionDirName,
  parseSegmentFileName,
  segmentFileName,
} from "../src/disk/layout.js";
import { OffsetIndex, TimeIndex } from "../src/disk/sparse-index.js";
import { type LogConfig, silentLogger } from "../src/index.js";
import { corruptCrc, makeBatch, makeBatchOfSize, T0 } from "./helpers/batches.js";
import { realEnv } from "./helpers/env.js";
import { makeTempDir } from "./helpers/temp-dir.js";

async function withLog(
  overrides: Partial<LogConfig>,
  fn: (log: DiskPartitionLog, dir: string) => Promise<void>,
): Promise<void> {
  const tmp = await makeTempDir();
  const dir = join(tmp.path, "t-0");
  const log = await DiskPartitionLog.open(
    dir,
    "t",
    0,
    logConfig({ retentionMs: -1, ...overrides }),
    {
      ...realEnv(),
      logger: silentLogger,
      checkpointIntervalMs: 0,
    },
  );
  try {
    await fn(log, dir);
  } finally {
    await log.close();
    await tmp.cleanup();
  }
}

test("segment files use Kafka's 20-digit base-offset names", () => {
  assert.equal(segmentFileName(42, ".log"), "00000000000000000042.log");
  assert.deepEqual(parseSegmentFileName("00000000000000000042.timeindex"), {
    baseOffset: 42,
    suffix: ".timeindex",
  });
  assert.equal(parseSegmentFileName("42.log"), null);
  assert.deepEqual(parsePartitionDirName("my-topic-7"), { topic: "my-topic", partition: 7 });
});

test("segments roll on segment.bytes and each gets .log, .index and .timeindex", async () => {
  await withLog({ segmentBytes: 1000 }, async (log, dir) => {
    for (let i = 0; i < 10; i++) await log.append(await makeBatchOfSize(300));
    await log.flush();
    const logs = (await readdir(dir)).filter((n) => n.endsWith(".log")).sort();
    assert.deepEqual(
      logs,
      [0, 3, 6, 9].map((b) => segmentFileName(b, ".log")),
    );
    for (const name of logs) {
      assert.ok((await stat(join(dir, name))).size <= 1000);
      const base = name.slice(0, 20);
      assert.ok((await readdir(dir)).includes(`${base}.index`));
      assert.ok((await readdir(dir)).includes(`${base}.timeindex`));
    }
  });
});

test("a batch larger than segment.bytes gets a segment of its own", async () => {
  await withLog({ segmentBytes: 500 }, async (log, dir) => {
    await log.append(await makeBatchOfSize(100));
    await log.append(await makeBatchOfSize(2000));
    await log.append(await makeBatchOfSize(100));
    const sizes = await Promise.all(
      (await readdir(dir))
        .filter((n) => n.endsWith(".log"))
        .sort()
        .map(async (n) => (await stat(join(dir, n))).size),
    );
    assert.deepEqual(sizes, [100, 2000, 100]);
  });
});

test("segments roll on segment.ms", async () => {
  await withLog({ segmentMs: 1 }, async (log, dir) => {
    await log.append(await makeBatch(1));
    await new Promise((r) => setTimeout(r, 5));
    await log.append(await makeBatch(1));
    assert.equal((await readdir(dir)).filter((n) => n.endsWith(".log")).length, 2);
  });
});

test("index.interval.bytes sets how sparse the offset index is", async () => {
  await withLog({ indexIntervalBytes: 1000 }, async (log, dir) => {
    for (let i = 0; i < 20; i++) await log.append(await makeBatchOfSize(400));
    await log.flush();
    const entries = (await stat(join(dir, segmentFileName(0, ".index")))).size / 8;
    // An entry once more than 1000 bytes passed since the last: every third 400-byte batch.
    assert.equal(entries, 6);
  });
});

test("concurrent appends are coalesced into few writes and get offsets in call order", async () => {
  await withLog({}, async (log) => {
    const batches = await Promise.all(Array.from({ length: 200 }, () => makeBatch(2)));
    const results = await Promise.all(batches.map((b) => log.append(b)));
    assert.deepEqual(
      results.map((r) => r.baseOffset),
      results.map((_, i) => i * 2),
    );
    assert.ok(log.stats.writes < 10, `${log.stats.writes} writes for 200 appends`);
    assert.equal(log.stats.appends, 200);
  });
});

test("flush.messages=1 fsyncs before acknowledging; the default leaves it to the OS", async () => {
  await withLog({ flushMessages: 1 }, async (log) => {
    for (let i = 0; i < 5; i++) await log.append(await makeBatch(1));
    assert.equal(log.stats.syncs, 5);
  });
  await withLog({}, async (log) => {
    for (let i = 0; i < 5; i++) await log.append(await makeBatch(1));
    assert.equal(log.stats.syncs, 0);
  });
});

test("flush.ms fsyncs appends in the background once they are that old", async () => {
  await withLog({ flushMs: 20 }, async (log) => {
    await log.append(await makeBatch(1));
    assert.equal(log.stats.syncs, 0, "acknowledged before any fsync");
    for (let i = 0; i < 200 && log.stats.syncs === 0; i++)
      await new Promise((r) => setTimeout(r, 10));
    assert.ok(log.stats.syncs >= 1, "the flush.ms timer synced the segment");
  });
});

test("a corrupt batch is refused and leaves the log unchanged", async () => {
  await withLog({}, async (log) => {
    await log.append(await makeBatch(2));
    const bad = corruptCrc(await makeBatch(2));
    await assert.rejects(log.append(bad), { name: "AppendError", reason: "corrupt-batch" });
    assert.equal(log.logEndOffset, 2);
    const ok = await log.append(await makeBatch(1));
    assert.equal(ok.baseOffset, 2);
  });
});

test("LogAppendTime stamps the broker's time and keeps the CRC valid", async () => {
  await withLog({ messageTimestampType: "LogAppendTime" }, async (log) => {
    const before = Date.now();
    const r = await log.append(await makeBatch(3));
    assert.ok(r.logAppendTime >= before);
    const read = await log.read(0, 1 << 20);
    assert.equal(read.kind, "ok");
    if (read.kind === "ok") {
      assert.equal(Number(read.records.readBigInt64BE(35)), r.logAppendTime);
      const found = await log.offsetForTimestamp(r.logAppendTime);
      assert.deepEqual(found, { offset: 0, timestamp: r.logAppendTime });
    }
  });
});

test("retention by time deletes old segments and moves the log start offset", async () => {
  await withLog({ segmentBytes: 500, retentionMs: 60_000 }, async (log, dir) => {
    for (let i = 0; i < 6; i++) await log.append(await makeBatchOfSize(300, 1, T0 + i));
    // Segment i holds one batch stamped T0 + i; the cutoff is T0 + 3.
    const freed = await log.runMaintenance(T0 + 3 + 60_000);
    assert.equal(freed, 900);
    assert.equal(log.logStartOffset, 3);
    assert.equal((await log.read(1, 100)).kind, "offset-out-of-range");
    const names = await readdir(dir);
    assert.ok(!names.some((n) => n.endsWith(".deleted")));
    assert.equal(names.filter((n) => n.endsWith(".log")).length, 3);
  });
});

test("sparse indexes: floor lookups, truncation and file round trip", () => {
  const oi = new OffsetIndex();
  for (const [rel, pos] of [
    [0, 0],
    [10, 4000],
    [25, 9000],
  ] as const)
    oi.append(rel, pos);
  assert.equal(oi.floorPosition(9), 0);
  assert.equal(oi.floorPosition(10), 4000);
  assert.equal(oi.floorPosition(1000), 9000);
  const parsed = OffsetIndex.parse(oi.unpersistedBytes(), 10_000);
  assert.equal(parsed?.floorPosition(24), 4000);
  assert.equal(
    OffsetIndex.parse(oi.unpersistedBytes(), 5000),
    null,
    "positions past the log are corrupt",
  );
  assert.equal(OffsetIndex.parse(Buffer.alloc(7), 100), null);
  oi.truncateToPosition(4000);
  assert.equal(oi.count, 1);
  const ti = new TimeIndex();
  ti.maybeAppend(100, 0);
  ti.maybeAppend(90, 3);
  ti.maybeAppend(200, 5);
  assert.equal(ti.count, 2);
  assert.equal(ti.floorBefore(150), 0);
  assert.equal(ti.floorBefore(100), -1);
  assert.deepEqual(TimeIndex.parse(ti.unpersistedBytes())?.last(), {
    timestamp: 200,
    relativeOffset: 5,
  });
});

test("a checkpoint of an unknown on-disk format version is refused, not misread", async () => {
  const tmp = await makeTempDir();
  const dir = join(tmp.path, "t-0");
  const { mkdir, writeFile } = await import("node:fs/promises");
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, "logbook.checkpoint"), "logbook-partition-checkpoint 2\n");
  await assert.rejects(
    DiskPartitionLog.open(dir, "t", 0, logConfig(), {
      ...realEnv(),
      ...realEnv(),
      logger: silentLogger,
      checkpointIntervalMs: 0,
    }),
    { name: "UnsupportedFormatError" },
  );
  await tmp.cleanup();
});

test("a read that goes on where the last one ended reads from the remembered position, with the same bytes", async () => {
  const tmp = await makeTempDir();
  const dir = join(tmp.path, "t-0");
  const open = () =>
    DiskPartitionLog.open(dir, "t", 0, logConfig({ retentionMs: -1, segmentBytes: 4096 }), {
      ...realEnv(),
      logger: silentLogger,
      checkpointIntervalMs: 0,
    });
  const sequential = async (l: DiskPartitionLog, maxBytes: number) => {
    const out: Buffer[] = [];
    let offset = 0;
    while (offset < l.highWatermark) {
      const r = await l.read(offset, maxBytes);
      assert.equal(r.kind, "ok");
      if (r.kind !== "ok" || r.records.length === 0) break;
      out.push(r.records);
      for (let at = 0; at < r.records.length; at += r.records.readInt32BE(at + 8) + 12) {
        offset = Number(r.records.readBigInt64BE(at)) + r.records.readInt32BE(at + 23) + 1;
      }
    }
    return Buffer.concat(out);
  };
  const log = await open();
  for (let i = 0; i < 200; i++) await log.append(await makeBatch(1 + ((i * 7) % 9)));
  // Reads return stored bytes as they are: all of them, in order, are the segment files.
  const files = (await readdir(dir)).filter((n) => n.endsWith(".log")).sort();
  const reference = Buffer.concat(await Promise.all(files.map((n) => readFile(join(dir, n)))));
  assert.ok(files.length > 3, `${files.length} segments`);
  // maxBytes below one batch still gets a whole batch, from either path.
  for (const maxBytes of [1, 700, 1 << 20]) {
    const before = log.stats.readsFromKnownStart;
    const got = await sequential(log, maxBytes);
    assert.ok(log.stats.readsFromKnownStart > before, `fast path used (maxBytes ${maxBytes})`);
    assert.ok(got.equals(reference), `same bytes (maxBytes ${maxBytes})`);
  }
  // A truncation forgets positions past the cut; reads there see the new batches.
  await log.truncateTo(30);
  await log.append(await makeBatch(2));
  const r = await log.read(30, 1 << 20);
  assert.equal(r.kind, "ok");
  if (r.kind === "ok") assert.equal(Number(r.records.readBigInt64BE(0)), 30);
  await log.close();
  await tmp.cleanup();
});
