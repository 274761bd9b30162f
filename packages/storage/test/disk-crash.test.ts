/**
 * Process-crash tests of the disk engine: a child process (fixtures/crash-writer.ts)
 * appends to one partition with several appends in flight and prints every
 * acknowledged append; the test SIGKILLs it at a random moment, reopens the directory,
 * and checks what a crash may and may not do to the log. The same directory is used
 * for every cycle, so each writer continues the log the previous ones left.
 *
 * A SIGKILL keeps the page cache, so both durability policies must keep every
 * acknowledged append; fsync-per-append additionally covers power loss, which a process
 * cannot simulate. A kill rarely lands inside a write, so some cycles also add a torn
 * or corrupt batch to the tail after the kill (what a kill mid-writev leaves), to
 * exercise the truncation path every run.
 *
 * Set LOGBOOK_CRASH_SEED to replay a run's random choices (timings still vary).
 */
import assert from "node:assert/strict";
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { appendFile, mkdir } from "node:fs/promises";
import { join } from "node:path";
import { describe, type TestContext, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { openStorageEngine } from "../src/engines.js";
import { memoryLogger } from "../src/logger.js";
import { type Prng, prng } from "./fixtures/prng.js";
import {
  CRASH_TP,
  crashLogConfig,
  logFileBases,
  logFileName,
  scanLogFiles,
  walkLog,
} from "./fixtures/segment-files.js";
import { corruptCrc, makeBatch, withoutStamps } from "./helpers/batches.js";
import { makeTempDir } from "./helpers/temp-dir.js";

const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const WRITER = fileURLToPath(new URL("./fixtures/crash-writer.ts", import.meta.url));
/** Writers loading in the background while the current cycle runs. */
const SPARES = 2;

type Mode = "fsync" | "os";

interface Ack {
  b: number;
  l: number;
  h: string;
}

interface WriterProcess {
  child: ChildProcessWithoutNullStreams;
  loaded: Promise<void>;
  acks: Ack[];
  /** The log end offset the writer found at open, once it is open. */
  readyLeo: number | null;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function spawnWriter(dir: string, seed: number, mode: Mode, checkpointMs: number): WriterProcess {
  const child = spawn(
    process.execPath,
    [
      "--conditions=logbook-source",
      "--import",
      "tsx",
      WRITER,
      dir,
      String(seed),
      mode,
      String(checkpointMs),
    ],
    { cwd: REPO_ROOT, stdio: ["pipe", "pipe", "pipe"] },
  );
  let stderr = "";
  let pending = "";
  const acks: Ack[] = [];
  const w: WriterProcess = {
    child,
    acks,
    readyLeo: null,
    stderr: () => stderr,
    loaded: Promise.resolve(),
    exited: new Promise((resolve) =>
      child.on("close", (code, signal) => resolve({ code, signal })),
    ),
  };
  w.loaded = new Promise((resolve, reject) => {
    child.stdout.setEncoding("utf8").on("data", (text: string) => {
      pending += text;
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) {
        const msg = JSON.parse(line) as { event?: string; leo?: number } & Partial<Ack>;
        if (msg.event === "loaded") resolve();
        else if (msg.event === "ready") w.readyLeo = msg.leo ?? null;
        else acks.push(msg as Ack);
      }
    });
    void w.exited.then(({ code, signal }) =>
      reject(new Error(`writer exited before loading (${code ?? signal}): ${stderr}`)),
    );
  });
  w.loaded.catch(() => {});
  child.stderr.setEncoding("utf8").on("data", (text: string) => {
    stderr += text;
  });
  return w;
}

/**
 * Adds to the tail of the last segment what an interrupted write can leave: a prefix
 * of the next batch, a whole next batch with a bad CRC, or garbage.
 */
async function tearTail(partitionDir: string, nextOffset: number, rand: Prng): Promise<void> {
  const bases = await logFileBases(partitionDir);
  const last = bases[bases.length - 1] as number;
  const batch = await makeBatch(rand.int(1, 20));
  batch.writeBigInt64BE(BigInt(nextOffset), 0);
  const kind = rand.int(0, 2);
  const bytes =
    kind === 0
      ? batch.subarray(0, rand.int(1, batch.length - 1))
      : kind === 1
        ? corruptCrc(batch)
        : rand.bytes(rand.int(1, 200));
  await appendFile(join(partitionDir, logFileName(last)), bytes);
}

interface CycleCheck {
  logEndOffset: number;
  /** The active segment after recovery: files before it cannot change any more. */
  activeSegment: number;
  truncated: boolean;
  segments: number;
  bytes: number;
}

/**
 * Reopens the log after a crash and checks it against the acknowledged appends and an
 * independent scan of the files from `fromSegment` (the active one at the last check:
 * a writer never touches closed segments, so earlier files were checked already).
 */
async function checkAfterCrash(
  dataDir: string,
  mode: Mode,
  acks: readonly Ack[],
  fromSegment: number,
  where: string,
): Promise<CycleCheck> {
  const partitionDir = join(dataDir, `${CRASH_TP.topic}-${CRASH_TP.partition}`);
  // A writer killed before it created the partition left nothing: an empty log.
  await mkdir(partitionDir, { recursive: true });
  const scan = await scanLogFiles(partitionDir, fromSegment);
  const logger = memoryLogger();
  const engine = await openStorageEngine(dataDir, { logger });
  try {
    const log = await engine.open(CRASH_TP, crashLogConfig(mode));
    const warnings = logger.events.filter((e) => e.level !== "debug" && e.level !== "info");
    if (scan.invalid === null) {
      assert.deepEqual(warnings, [], `${where}: nothing to cut, yet recovery warned`);
    } else {
      const { segment, position, fileSize } = scan.invalid;
      assert.equal(warnings.length, 1, `${where}: ${JSON.stringify(warnings)}`);
      const w = warnings[0] as (typeof warnings)[number];
      assert.equal(w.level, "warn");
      assert.match(w.msg, /truncated/);
      assert.deepEqual(
        [w.fields.segment, w.fields.position, w.fields.bytesCut],
        [segment, position, fileSize - position],
        `${where}: the warning says what was cut (${JSON.stringify(w.fields)})`,
      );
    }

    assert.equal(log.logStartOffset, 0, where);
    const batches = await walkLog(log);
    const walkedEnd =
      batches.length === 0 ? 0 : (batches.at(-1) as { lastOffset: number }).lastOffset + 1;
    assert.deepEqual(
      batches.filter((b) => b.baseOffset >= fromSegment).map((b) => b.baseOffset),
      scan.batches.map((b) => b.baseOffset),
      `${where}: the log serves exactly the valid batches on disk`,
    );
    assert.equal(log.logEndOffset, Math.max(walkedEnd, scan.endOffset), `${where}: LEO`);
    assert.equal(log.highWatermark, log.logEndOffset, `${where}: HW after recovery`);
    const atEnd = await log.read(log.logEndOffset, 1 << 20);
    assert.equal(atEnd.kind, "ok", where);
    assert.equal(atEnd.kind === "ok" ? atEnd.records.length : -1, 0, `${where}: read at LEO`);
    const past = await log.read(log.logEndOffset + 1, 1 << 20);
    assert.equal(past.kind, "offset-out-of-range", `${where}: read past LEO`);

    const index = new Map<number, number>();
    for (const [i, b] of batches.entries()) index.set(b.baseOffset, i);
    const lastAcked = acks.reduce((m, a) => Math.max(m, a.l), -1);
    assert.ok(
      log.logEndOffset >= lastAcked + 1,
      `${where}: LEO ${log.logEndOffset} < ${lastAcked + 1}`,
    );
    for (const ack of acks) {
      let i = index.get(ack.b);
      assert.ok(i !== undefined, `${where}: acknowledged append at ${ack.b} is gone`);
      const hash = createHash("sha256");
      let last = -1;
      while (last < ack.l && i < batches.length) {
        const b = batches[i++] as (typeof batches)[number];
        hash.update(withoutStamps(b.bytes));
        last = b.lastOffset;
      }
      assert.equal(last, ack.l, `${where}: append ${ack.b}..${ack.l} ends at ${last}`);
      assert.equal(hash.digest("hex"), ack.h, `${where}: append ${ack.b}..${ack.l} bytes differ`);
    }
    const bases = await logFileBases(partitionDir);
    return {
      logEndOffset: log.logEndOffset,
      activeSegment: bases.at(-1) ?? 0,
      truncated: scan.invalid !== null,
      segments: bases.length,
      bytes: log.sizeInBytes,
    };
  } finally {
    await engine.close();
  }
}

async function runCrashCycles(
  t: TestContext,
  mode: Mode,
  cycles: number,
  seed: number,
): Promise<void> {
  const rand = prng(seed);
  const tmp = await makeTempDir("logbook-crash-");
  const partitionDir = join(tmp.path, `${CRASH_TP.topic}-${CRASH_TP.partition}`);
  const spares: WriterProcess[] = [];
  const nextWriter = (): WriterProcess =>
    // Half the writers checkpoint often, so kills also land inside checkpoint writes.
    spawnWriter(
      tmp.path,
      rand.int(1, 2 ** 31),
      mode,
      rand.next() < 0.5 ? rand.int(10, 100) : 60_000,
    );
  const acks: Ack[] = [];
  let checkedEnd: number | null = 0;
  let torePending = false;
  const stats = { natural: 0, injected: 0, withAcks: 0, writerRecoveries: 0 };
  let last: CycleCheck | null = null;
  const started = Date.now();
  try {
    for (let cycle = 0; cycle < cycles; cycle++) {
      while (spares.length < SPARES) spares.push(nextWriter());
      const w = spares.shift() as WriterProcess;
      await w.loaded;
      const delay = rand.int(20, 300);
      const where = `seed ${seed} cycle ${cycle} (kill after ${delay} ms)`;
      w.child.stdin.write("go\n");
      await sleep(delay);
      w.child.kill("SIGKILL");
      const exit = await w.exited;
      assert.equal(exit.signal, "SIGKILL", `${where}: writer died on its own: ${w.stderr()}`);

      const lastAcked = acks.reduce((m, a) => Math.max(m, a.l), -1);
      const previousWasChecked = checkedEnd !== null;
      const expectWriterWarning = torePending;
      torePending = false;
      if (w.readyLeo !== null) {
        // The writer opened what the last check (or the last writer's crash) left.
        if (checkedEnd !== null) assert.equal(w.readyLeo, checkedEnd, `${where}: writer's LEO`);
        assert.ok(w.readyLeo > lastAcked, `${where}: writer opened at ${w.readyLeo}`);
        if (expectWriterWarning) {
          assert.match(w.stderr(), /truncated/, `${where}: the writer's recovery warned`);
        }
      }
      if (w.acks.length > 0) {
        stats.withAcks++;
        const sorted = [...w.acks].sort((a, b) => a.b - b.b);
        assert.equal(sorted[0]?.b, w.readyLeo, `${where}: the writer continues the log at its end`);
        for (let i = 1; i < sorted.length; i++) {
          assert.ok((sorted[i] as Ack).b > (sorted[i - 1] as Ack).l, `${where}: overlapping acks`);
        }
        acks.push(...w.acks);
      }

      const from = last?.activeSegment ?? 0;
      let tore = false;
      if (rand.next() < 0.25 && (await logFileBases(partitionDir).catch(() => [])).length > 0) {
        const scan = await scanLogFiles(partitionDir, from);
        if (scan.invalid === null) {
          await tearTail(partitionDir, scan.endOffset, rand);
          tore = true;
          stats.injected++;
        }
      }
      // Now and then the next writer recovers this crash itself (and may be killed
      // while it does); the check after the next kill covers both.
      if (cycle < cycles - 1 && rand.next() < 0.2) {
        checkedEnd = null;
        torePending = tore;
        stats.writerRecoveries++;
        continue;
      }
      last = await checkAfterCrash(tmp.path, mode, acks, from, where);
      if (tore) assert.ok(last.truncated, `${where}: the added torn tail was noticed`);
      else if (last.truncated && previousWasChecked) stats.natural++;
      checkedEnd = last.logEndOffset;
    }
    // Enough real work happened for the checks to mean something.
    assert.ok(stats.withAcks >= cycles / 2, `only ${stats.withAcks} of ${cycles} writers got acks`);
    assert.ok((last?.segments ?? 0) > 3, "the writers rolled segments");
    t.diagnostic(
      `${mode}: seed ${seed}, ${cycles} kills in ${Date.now() - started} ms, ${acks.length} acks, ` +
        `LEO ${last?.logEndOffset}, ${last?.segments} segments, ${last?.bytes} bytes; ` +
        `torn tails: ${stats.natural} from kills, ${stats.injected} added; ` +
        `${stats.writerRecoveries} crashes recovered by the next writer`,
    );
  } finally {
    for (const s of spares) s.child.kill("SIGKILL");
    await Promise.all(spares.map((s) => s.exited));
    await tmp.cleanup();
  }
}

const SEED = Number(process.env.LOGBOOK_CRASH_SEED ?? Math.floor(Math.random() * 2 ** 31));

describe("disk engine under SIGKILL", () => {
  test(
    "flush.messages=1: every acknowledged append survives 50 kills, byte for byte",
    {
      timeout: 180_000,
    },
    (t) => runCrashCycles(t, "fsync", 50, SEED),
  );

  test(
    "OS flush (default): acknowledged appends survive a process crash (page cache)",
    {
      timeout: 120_000,
    },
    (t) => runCrashCycles(t, "os", 10, SEED + 1),
  );
});
