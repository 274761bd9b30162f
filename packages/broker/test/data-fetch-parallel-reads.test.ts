/**
 * How a fetch reads its partitions (data/fetch-read.ts): partitions with nothing new,
 * and those reached once the response is full, are answered from the log's offsets
 * without a read, with the answer a read gives; the others are read in parallel as far
 * as max_bytes allows. read_committed waits for the producer state (whose hook makes
 * the last stable offset right) before answering from offsets. Disk and memory engines.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { pathToFileURL } from "node:url";
import { buildBatch, ErrorCode } from "@logbook/protocol";
import type { PartitionLog } from "@logbook/storage";
import { type FetchReadOptions, type FetchTarget, readPartitions } from "../src/data/fetch-read.js";
import { type DataTestBroker, dataTestBroker, records } from "./helpers/data-broker.js";

/** Reads in progress over all counted logs, and the most at once. */
const inFlight = { now: 0, most: 0 };

type Read = PartitionLog["read"];

/** The log with its `read` replaced by `read(original, ...args)`; everything else as is. */
function withRead(
  log: PartitionLog,
  read: (original: Read, ...args: Parameters<Read>) => ReturnType<Read>,
): PartitionLog {
  return new Proxy(log, {
    get(target, prop) {
      if (prop === "read")
        return (...args: Parameters<Read>) => read(target.read.bind(target), ...args);
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

/** The log, with a count of the reads that reach it. */
function countingReads(log: PartitionLog): { log: PartitionLog; reads: () => number } {
  let reads = 0;
  const counted = withRead(log, async (original, ...args) => {
    reads++;
    inFlight.now++;
    inFlight.most = Math.max(inFlight.most, inFlight.now);
    try {
      return await original(...args);
    } finally {
      inFlight.now--;
    }
  });
  return { log: counted, reads: () => reads };
}

function target(log: PartitionLog, fetchOffset: bigint, partitionMaxBytes = 1 << 20): FetchTarget {
  return {
    topic: log.topic,
    topicId: Buffer.alloc(16),
    partition: log.partition,
    fetchOffset,
    partitionMaxBytes,
    currentLeaderEpoch: -1,
    fromFollower: false,
    log,
    errorCode: ErrorCode.NONE,
  };
}

/** Read options; the producer state is that of `log` (the log the counting proxy wraps). */
function options(
  b: DataTestBroker,
  readCommitted: boolean,
  log: PartitionLog,
  maxBytes = 1 << 20,
): FetchReadOptions {
  return {
    maxBytes,
    minBytes: 1,
    readCommitted,
    version: 12,
    leaderEpoch: 0,
    producerState: () => b.dataPlane.producerState(log),
    loadedProducerState: () => b.dataPlane.loadedProducerState(log),
  };
}

/**
 * A topic of `count` partitions, each holding two batches of one 1000-byte record, its
 * logs counted; `reads` sums the reads that reached any of them.
 */
async function twoBatchesEach(
  b: DataTestBroker,
  topic: string,
  count: number,
): Promise<{ counted: ReturnType<typeof countingReads>[]; size: number; reads: () => number }> {
  b.topics.add(topic, count);
  const batch = await buildBatch([{ timestamp: 1n, key: null, value: Buffer.alloc(1000) }]);
  const counted: ReturnType<typeof countingReads>[] = [];
  for (let partition = 0; partition < count; partition++) {
    const log = (await b.topics.partition(topic, partition)) as PartitionLog;
    await log.append(batch);
    await log.append(batch);
    counted.push(countingReads(log));
  }
  return { counted, size: batch.length, reads: () => counted.reduce((n, c) => n + c.reads(), 0) };
}

const dirs: string[] = [];
after(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

for (const engine of ["memory", "disk"] as const) {
  describe(`fetch reads (${engine} engine)`, () => {
    async function broker(): Promise<DataTestBroker> {
      if (engine === "memory") return dataTestBroker("memory:");
      const dir = await mkdtemp(join(tmpdir(), "logbook-caught-up-"));
      dirs.push(dir);
      return dataTestBroker(pathToFileURL(dir).href);
    }

    it("is answered without a read, with the offsets a read reports", async () => {
      const b = await broker();
      try {
        b.topics.add("c", 1);
        const log = (await b.topics.partition("c", 0)) as PartitionLog;
        await log.append(await buildBatch(records(3)));
        await log.deleteRecordsBefore(1);
        const { log: counted, reads } = countingReads(log);

        const fast = await readPartitions([target(counted, 3n)], options(b, false, log));
        assert.equal(reads(), 0, "no read for a partition with nothing new");
        const read = await log.read(3, 1 << 20);
        assert.equal(read.kind, "ok");
        if (read.kind !== "ok") return;
        assert.deepEqual(fast.reads[0], {
          errorCode: ErrorCode.NONE,
          highWatermark: BigInt(read.highWatermark),
          lastStableOffset: BigInt(read.lastStableOffset),
          logStartOffset: BigInt(read.logStartOffset),
          records: read.records,
          abortedTransactions: null,
        });
        assert.equal(fast.reads[0]?.logStartOffset, 1n);
        assert.equal(fast.bytes, 0);

        // Behind the high watermark, or past it: the log decides (records, out of range).
        const behind = await readPartitions([target(counted, 2n)], options(b, false, log));
        assert.equal(reads(), 1);
        assert.ok((behind.reads[0]?.records.length ?? 0) > 0);
        const past = await readPartitions([target(counted, 4n)], options(b, false, log));
        assert.equal(reads(), 2);
        assert.equal(past.reads[0]?.errorCode, ErrorCode.OFFSET_OUT_OF_RANGE);
      } finally {
        await b.close();
      }
    });

    it("reads what the response can take in parallel; once it is full, answers from the offsets", async () => {
      const b = await broker();
      try {
        const { counted, size, reads } = await twoBatchesEach(b, "p", 3);
        const opts = (maxBytes: number) => ({
          ...options(b, false, counted[0]?.log as PartitionLog),
          maxBytes,
        });

        // Room for one batch from each: all three read at once, one batch each.
        inFlight.most = 0;
        const all = await readPartitions(
          counted.map((c) => target(c.log, 0n, size)),
          opts(3 * size),
        );
        assert.equal(inFlight.most, 3, "the three reads ran in parallel");
        assert.deepEqual(
          all.reads.map((r) => r.records.length),
          [size, size, size],
        );
        assert.equal(all.bytes, 3 * size);

        // Room for one batch in all: the first gets it, the others their offsets, unread.
        const before = reads();
        const one = await readPartitions(
          counted.map((c) => target(c.log, 0n, 10 * size)),
          opts(size),
        );
        assert.equal(reads() - before, 1, "only the first partition was read");
        assert.deepEqual(
          one.reads.map((r) => [r.records.length, r.highWatermark, r.logStartOffset]),
          [
            [size, 2n, 0n],
            [0, 2n, 0n],
            [0, 2n, 0n],
          ],
        );
      } finally {
        await b.close();
      }
    });

    it("plans by what each partition holds, not by the partition_max_bytes asked", async () => {
      const b = await broker();
      try {
        // A caught-up consumer asks 10 MiB of each partition within 20 MiB: planned at
        // those limits, two partitions of five would be read at once and the rest one by one.
        const { counted, size } = await twoBatchesEach(b, "h", 5);
        inFlight.most = 0;
        const fetched = await readPartitions(
          counted.map((c) => target(c.log, 0n, 10 << 20)),
          { ...options(b, false, counted[0]?.log as PartitionLog), maxBytes: 20 << 20 },
        );
        // The memory engine's reads take no thread-pool round trip, and it cannot tell.
        assert.equal(inFlight.most, engine === "disk" ? 5 : 2);
        assert.deepEqual(
          fetched.reads.map((r) => r.records.length),
          Array(5).fill(2 * size),
        );
        assert.equal(fetched.bytes, 10 * size);
      } finally {
        await b.close();
      }
    });

    it("once a partition's next batch does not fit in what is left, later partitions are answered unread", async () => {
      const b = await broker();
      try {
        const { counted, size, reads } = await twoBatchesEach(b, "t", 5);

        // Room for a batch and a half: the first partition takes one batch, the second's
        // does not fit in the half left, and the three after it are not read at all.
        const fetched = await readPartitions(
          counted.map((c) => target(c.log, 0n, 10 * size)),
          { ...options(b, false, counted[0]?.log as PartitionLog), maxBytes: size + size / 2 },
        );
        assert.equal(reads(), 2, "only the first two partitions were read");
        assert.deepEqual(
          fetched.reads.map((r) => [r.records.length, r.highWatermark, r.logStartOffset]),
          [
            [size, 2n, 0n],
            [0, 2n, 0n],
            [0, 2n, 0n],
            [0, 2n, 0n],
            [0, 2n, 0n],
          ],
        );
        assert.equal(fetched.bytes, size);
      } finally {
        await b.close();
      }
    });

    it("a read that throws fails the fetch, even while an earlier partition is still being read", async () => {
      const b = await broker();
      try {
        b.topics.add("e", 2);
        const slow = (await b.topics.partition("e", 0)) as PartitionLog;
        const broken = (await b.topics.partition("e", 1)) as PartitionLog;
        for (const log of [slow, broken]) await log.append(await buildBatch(records(1)));
        const delayed = withRead(slow, async (original, ...args) => {
          await new Promise((r) => setTimeout(r, 20));
          return original(...args);
        });
        const failing = withRead(broken, () => Promise.reject(new Error("a bug in the read")));
        // Were the second read's rejection unhandled while the first is awaited, the
        // process (a broker) would exit; it reaches the caller instead.
        await assert.rejects(
          readPartitions(
            [target(delayed, 0n, 1000), target(failing, 0n, 1000)],
            options(b, false, slow),
          ),
          /a bug in the read/,
        );
      } finally {
        await b.close();
      }
    });

    it("a large response is framed before its bytes are read, with the bytes a read returns", async () => {
      const b = await broker();
      try {
        b.topics.add("s", 3);
        const big = await buildBatch([
          { timestamp: 1n, key: null, value: Buffer.alloc(300_000, 7) },
        ]);
        const logs: PartitionLog[] = [];
        for (let partition = 0; partition < 3; partition++) {
          const log = (await b.topics.partition("s", partition)) as PartitionLog;
          for (let i = 0; i < 3; i++) await log.append(Buffer.from(big));
          await b.dataPlane.producerState(log);
          logs.push(log);
        }
        // The same logs without readSized: every partition is read before the answer.
        const unsized = logs.map(
          (log) =>
            new Proxy(log, {
              get(target, prop) {
                if (prop === "readSized") return undefined;
                const value: unknown = Reflect.get(target, prop, target);
                return typeof value === "function" ? value.bind(target) : value;
              },
            }),
        );
        for (const readCommitted of [false, true]) {
          const opts: FetchReadOptions = {
            maxBytes: 50 << 20,
            minBytes: 1,
            readCommitted,
            version: 12,
            leaderEpoch: 0,
            producerState: (log) => b.dataPlane.producerState(log),
            loadedProducerState: (log) => b.dataPlane.loadedProducerState(log),
          };
          const sized = await readPartitions(
            logs.map((log) => target(log, 0n)),
            opts,
          );
          const plain = await readPartitions(
            unsized.map((log) => target(log, 0n)),
            opts,
          );
          const framedEarly = sized.reads.filter((r) => r.filled !== undefined).length;
          // The memory engine cannot size a read without it.
          assert.equal(framedEarly, engine === "disk" ? 3 : 0);
          await Promise.all(sized.reads.map((r) => r.filled));
          assert.equal(sized.bytes, plain.bytes);
          assert.equal(plain.bytes, 3 * 3 * big.length);
          assert.deepEqual(
            sized.reads.map(({ filled: _, ...r }) => r),
            plain.reads,
          );
        }
      } finally {
        await b.close();
      }
    });

    it("under read_committed, waits for the producer state, then reports its last stable offset", async () => {
      const b = await broker();
      try {
        b.topics.add("t", 1);
        const log = (await b.topics.partition("t", 0)) as PartitionLog;
        await log.append(await buildBatch(records(2))); // 0-1
        const open = await buildBatch(records(2, "open"), {
          isTransactional: true,
          producerId: 7n,
          producerEpoch: 0,
          baseSequence: 0,
        });
        await log.append(open); // 2-3, never committed
        const { log: counted, reads } = countingReads(log);

        const first = await readPartitions([target(counted, 4n)], options(b, true, log));
        assert.equal(reads(), 1, "the producer state was not loaded: a read");
        assert.equal(first.reads[0]?.lastStableOffset, 2n, "held by the open transaction");

        assert.ok(b.dataPlane.loadedProducerState(log) !== undefined);
        const again = await readPartitions([target(counted, 4n)], options(b, true, log));
        assert.equal(reads(), 1, "loaded: answered without a read");
        assert.deepEqual(again.reads[0], {
          errorCode: ErrorCode.NONE,
          highWatermark: 4n,
          lastStableOffset: 2n,
          logStartOffset: 0n,
          records: Buffer.alloc(0),
          abortedTransactions: [],
        });
      } finally {
        await b.close();
      }
    });
  });
}
