import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ErrorCode, ProduceApi } from "@logbook/protocol";
import {
  InternalLog,
  logConfig,
  openStorageEngine,
  type PartitionLog,
  silentLogger,
} from "@logbook/storage";
import { createDataPlane } from "../src/data/index.js";
import {
  decodeSnapshot,
  encodeSnapshot,
  PRODUCER_SNAPSHOTS_PARTITION,
  ProducerSnapshotStore,
} from "../src/data/producer-snapshots.js";
import {
  type DataTestBroker,
  dataTestBroker,
  idempotentBatch,
  tempEngine,
} from "./helpers/data-broker.js";
import { onlyProduceResult, produceRequest } from "./helpers/data-requests.js";

const PID = 42n;
const TP = { topic: "snap", partition: 0 };

async function produce(b: DataTestBroker, batch: Buffer) {
  return onlyProduceResult(await b.call(ProduceApi, 9, produceRequest(TP.topic, 0, batch)));
}

/** A broker on `url` with the test topic; its data plane snapshots on close. */
async function start(url: string): Promise<DataTestBroker> {
  const b = await dataTestBroker(url);
  b.topics.add(TP.topic, 1);
  return b;
}

/** Produces `n` batches of two records (sequences 2i, 2i+1); returns their base offsets. */
async function produceBatches(b: DataTestBroker, n: number, fromSeq = 0): Promise<bigint[]> {
  const offsets: bigint[] = [];
  for (let i = 0; i < n; i++) {
    const r = await produce(b, await idempotentBatch(PID, 0, fromSeq + 2 * i, 2));
    assert.equal(r.errorCode, ErrorCode.NONE);
    offsets.push(r.baseOffset);
  }
  return offsets;
}

/** Works on the partition's log directly, with no data plane (so no snapshot is written). */
async function withLog(url: string, work: (log: PartitionLog) => Promise<void>) {
  const engine = await openStorageEngine(url, { logger: silentLogger, maintenanceIntervalMs: 0 });
  try {
    await work(await engine.open(TP, logConfig()));
  } finally {
    await engine.close();
  }
}

async function snapshotRecords(url: string): Promise<number> {
  const engine = await openStorageEngine(url, { logger: silentLogger, maintenanceIntervalMs: 0 });
  try {
    const log = await InternalLog.open(
      engine,
      PRODUCER_SNAPSHOTS_PARTITION.topic,
      PRODUCER_SNAPSHOTS_PARTITION.partition,
    );
    return log.replay(() => {});
  } finally {
    await engine.close();
  }
}

describe("producer-state snapshot codec", () => {
  it("round-trips a checkpoint through INT16 version + ProducerStateSnapshot", () => {
    const checkpoint = {
      endOffset: 17,
      entries: [
        {
          producerId: 5n,
          epoch: 3,
          lastTimestamp: 1_700_000_000_123,
          batches: [
            {
              firstSeq: 0,
              lastSeq: 1,
              firstOffset: 10,
              lastOffset: 11,
              maxTimestamp: 1_700_000_000_100,
            },
            { firstSeq: 2, lastSeq: 4, firstOffset: 12, lastOffset: 14, maxTimestamp: -1 },
          ],
        },
        { producerId: 6n, epoch: 1, lastTimestamp: -1, batches: [] },
      ],
    };
    const bytes = encodeSnapshot(checkpoint);
    assert.equal(bytes.readInt16BE(0), 0, "version prefix");
    assert.deepEqual(decodeSnapshot(bytes), checkpoint);
    const future = Buffer.from(bytes);
    future.writeInt16BE(1, 0);
    assert.equal(decodeSnapshot(future), undefined, "an unknown version is not guessed at");
  });
});

describe("producer state across a restart, from a snapshot", () => {
  it("answers retries of the last five batches with their offsets and refuses gaps, without rescanning", async () => {
    const tmp = await tempEngine();
    try {
      let b = await start(tmp.url);
      const offsets = await produceBatches(b, 7); // sequences 0-13, offsets 0-13
      await b.close();
      assert.equal(await snapshotRecords(tmp.url), 1, "close wrote one snapshot");

      b = await start(tmp.url);
      for (let i = 2; i < 7; i++) {
        const retry = await produce(b, await idempotentBatch(PID, 0, 2 * i, 2));
        assert.equal(retry.errorCode, ErrorCode.NONE);
        assert.equal(retry.baseOffset, offsets[i], `retry of batch ${i}`);
      }
      assert.deepEqual(b.dataPlane.rebuildStats, {
        fromSnapshot: 1,
        fullScans: 0,
        batchesScanned: 0,
      });
      // Only five batches are remembered: a retry of the sixth-newest is out of order.
      const old = await produce(b, await idempotentBatch(PID, 0, 2, 2));
      assert.equal(old.errorCode, ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
      const gap = await produce(b, await idempotentBatch(PID, 0, 16, 1));
      assert.equal(gap.errorCode, ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
      const next = await produce(b, await idempotentBatch(PID, 0, 14, 1));
      assert.equal(next.errorCode, ErrorCode.NONE, "the next sequence is accepted");
      assert.equal(next.baseOffset, 14n);
      await b.close();
    } finally {
      await tmp.remove();
    }
  });

  it("scans only the batches written after the snapshot", async () => {
    const tmp = await tempEngine();
    try {
      let b = await start(tmp.url);
      const offsets = await produceBatches(b, 3); // offsets 0-5
      await b.close();

      // Written without the data plane (as if after the last snapshot, before a crash).
      await withLog(tmp.url, async (log) => {
        await log.append(await idempotentBatch(PID, 0, 6, 2)); // offsets 6-7
        await log.append(await idempotentBatch(PID + 1n, 0, 0, 1)); // offset 8
      });

      b = await start(tmp.url);
      const tailRetry = await produce(b, await idempotentBatch(PID, 0, 6, 2));
      assert.equal(tailRetry.baseOffset, 6n, "a batch from the tail is known");
      const snapRetry = await produce(b, await idempotentBatch(PID, 0, 0, 2));
      assert.equal(snapRetry.baseOffset, offsets[0], "a batch from the snapshot is known");
      const other = await produce(b, await idempotentBatch(PID + 1n, 0, 0, 1));
      assert.equal(other.baseOffset, 8n);
      assert.deepEqual(b.dataPlane.rebuildStats, {
        fromSnapshot: 1,
        fullScans: 0,
        batchesScanned: 2,
      });
      await b.close();
    } finally {
      await tmp.remove();
    }
  });

  it("ignores a snapshot ahead of a truncated log and scans everything", async () => {
    const tmp = await tempEngine();
    try {
      let b = await start(tmp.url);
      await produceBatches(b, 4); // offsets 0-7
      await b.close();

      await withLog(tmp.url, (log) => log.truncateTo(4)); // batches 3 and 4 are gone

      b = await start(tmp.url);
      // The snapshot knew sequences 4-5 at offset 4; the log does not, so it is new.
      const again = await produce(b, await idempotentBatch(PID, 0, 4, 2));
      assert.equal(again.errorCode, ErrorCode.NONE);
      assert.equal(again.baseOffset, 4n);
      const beyond = await produce(b, await idempotentBatch(PID, 0, 8, 2));
      assert.equal(beyond.errorCode, ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
      assert.deepEqual(b.dataPlane.rebuildStats, {
        fromSnapshot: 0,
        fullScans: 1,
        batchesScanned: 2,
      });
      await b.close();
    } finally {
      await tmp.remove();
    }
  });

  it("ignores a snapshot below the log start (records deleted after it)", async () => {
    const tmp = await tempEngine();
    try {
      let b = await start(tmp.url);
      await produceBatches(b, 2); // offsets 0-3
      await b.close();

      await withLog(tmp.url, async (log) => {
        await log.append(await idempotentBatch(PID, 0, 4, 2)); // offsets 4-5
        await log.append(await idempotentBatch(PID, 0, 6, 2)); // offsets 6-7
        await log.deleteRecordsBefore(6);
      });

      b = await start(tmp.url);
      const retry = await produce(b, await idempotentBatch(PID, 0, 6, 2));
      assert.equal(retry.baseOffset, 6n);
      assert.deepEqual(b.dataPlane.rebuildStats, {
        fromSnapshot: 0,
        fullScans: 1,
        batchesScanned: 1,
      });
      await b.close();
    } finally {
      await tmp.remove();
    }
  });

  it("uses a periodic snapshot after a crash, and skips partitions that did not change", async () => {
    const tmp = await tempEngine();
    try {
      let storage = await openStorageEngine(tmp.url, {
        logger: silentLogger,
        maintenanceIntervalMs: 0,
      });
      let plane = createDataPlane({ storage, logger: silentLogger }, 10, { snapshotIntervalMs: 0 });
      let log = await storage.open(TP, logConfig());
      const state = await plane.producerState(log);
      assert.equal(state.check(PID, 0, 0, 1).kind, "append");
      await log.append(await idempotentBatch(PID, 0, 0, 2));
      state.record(
        PID,
        0,
        {
          firstSeq: 0,
          lastSeq: 1,
          firstOffset: 0,
          lastOffset: 1,
          maxTimestamp: -1,
          written: Promise.resolve(),
        },
        0,
      );
      await plane.snapshotProducerStates();
      await plane.snapshotProducerStates(); // unchanged: nothing written
      await log.append(await idempotentBatch(PID, 0, 2, 2)); // after the snapshot
      // A crash: the storage closes, the data plane never does.
      await storage.close();
      assert.equal(await snapshotRecords(tmp.url), 1);

      storage = await openStorageEngine(tmp.url, {
        logger: silentLogger,
        maintenanceIntervalMs: 0,
      });
      plane = createDataPlane({ storage, logger: silentLogger }, 10, { snapshotIntervalMs: 0 });
      log = await storage.open(TP, logConfig());
      const rebuilt = await plane.producerState(log);
      const first = rebuilt.check(PID, 0, 0, 1);
      assert.equal(first.kind === "duplicate" && first.batch.firstOffset, 0);
      const second = rebuilt.check(PID, 0, 2, 3);
      assert.equal(second.kind === "duplicate" && second.batch.firstOffset, 2);
      assert.deepEqual(plane.rebuildStats, { fromSnapshot: 1, fullScans: 0, batchesScanned: 1 });
      await plane.close();
      await storage.close();
    } finally {
      await tmp.remove();
    }
  });
});

describe("a deleted topic's producer state", () => {
  const open = (url: string) =>
    openStorageEngine(url, { logger: silentLogger, maintenanceIntervalMs: 0 });

  it("is forgotten and its snapshots deleted; other topics keep theirs", async () => {
    const tmp = await tempEngine();
    try {
      let storage = await open(tmp.url);
      const plane = createDataPlane({ storage, logger: silentLogger }, 10, {
        snapshotIntervalMs: 0,
      });
      const gone = await storage.open({ topic: "gone", partition: 0 }, logConfig());
      const kept = await storage.open({ topic: "kept", partition: 0 }, logConfig());
      for (const log of [gone, kept]) {
        await log.append(await idempotentBatch(PID, 0, 0, 2));
        await plane.producerState(log);
      }
      await plane.snapshotProducerStates();
      const before = new ProducerSnapshotStore(storage, silentLogger);
      assert.equal((await before.take("gone", 0))?.endOffset, 2, "snapshotted before");

      await plane.dropTopic("gone", [0]);
      assert.equal(plane.loadedProducerState(gone), undefined, "forgotten");
      assert.notEqual(plane.loadedProducerState(kept), undefined);
      await storage.close(); // a crash: the data plane never closes

      storage = await open(tmp.url);
      const store = new ProducerSnapshotStore(storage, silentLogger);
      assert.equal(await store.take("gone", 0), null, "the tombstone hides it after a restart");
      assert.equal((await store.take("kept", 0))?.endOffset, 2);
      await storage.close();
    } finally {
      await tmp.remove();
    }
  });

  it("is not snapshotted when its log was closed under it (deleted during a request)", async () => {
    const tmp = await tempEngine();
    try {
      const storage = await open(tmp.url);
      const plane = createDataPlane({ storage, logger: silentLogger }, 10, {
        snapshotIntervalMs: 0,
      });
      const log = await storage.open(TP, logConfig());
      await log.append(await idempotentBatch(PID, 0, 0, 2));
      await plane.producerState(log);
      await log.close();
      await plane.snapshotProducerStates();
      assert.equal(plane.loadedProducerState(log), undefined, "dropped by the snapshot run");
      await plane.close();
      await storage.close();
      assert.equal(await snapshotRecords(tmp.url), 0);
    } finally {
      await tmp.remove();
    }
  });
});
