import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  buildBatch,
  ErrorCode,
  FetchApi,
  type FetchResponsePartitionData,
  ProduceApi,
} from "@logbook/protocol";
import {
  decodeSnapshot,
  encodeSnapshot,
  legacyAbortedKey,
  snapshotKey,
} from "../src/data/producer-snapshots.js";
import { PartitionProducerState } from "../src/data/producer-state.js";
import type { TxnProduceCheck } from "../src/txn/contracts.js";
import { type DataTestBroker, dataTestBroker, records, tempEngine } from "./helpers/data-broker.js";
import {
  batchBaseOffsets,
  fetchedPartitions,
  fetchRequest,
  produceRequest,
} from "./helpers/data-requests.js";

const TOPIC = "r";
const TP = { topic: TOPIC, partition: 0 };
const PID = 7n;
/** Every transactional batch is welcome: these tests are about what the log keeps. */
const ALLOW_ALL: TxnProduceCheck = { checkTransactionalProduce: () => ErrorCode.NONE };

async function start(url: string): Promise<DataTestBroker> {
  const b = await dataTestBroker(url);
  b.topics.add(TOPIC, 1);
  b.dataPlane.setTxnProduceCheck(ALLOW_ALL);
  return b;
}

/** The producers' transactional id: Kafka refuses transactional batches without one. */
const TXN_ID = "txn";

async function produce(b: DataTestBroker, batch: Buffer): Promise<bigint> {
  const res = await b.call(ProduceApi, 9, produceRequest(TOPIC, 0, batch, -1, TXN_ID));
  const p = res.responses[0]?.partitionResponses[0];
  assert.equal(p?.errorCode, ErrorCode.NONE);
  return p?.baseOffset ?? -1n;
}

async function fetchCommitted(b: DataTestBroker): Promise<FetchResponsePartitionData> {
  const res = await b.call(
    FetchApi,
    12,
    fetchRequest([{ topic: TOPIC, partition: 0, offset: 0n }], { isolationLevel: 1 }),
  );
  const p = fetchedPartitions(res).get(`${TOPIC}:0`);
  if (p === undefined) throw new Error("partition missing");
  return p;
}

/** Two plain records (0-1), then producer 7's open transaction of three (2-4). */
async function openTransaction(b: DataTestBroker): Promise<void> {
  await produce(b, await buildBatch(records(2, "plain")));
  const first = await produce(
    b,
    await buildBatch(records(3, "txn"), {
      isTransactional: true,
      producerId: PID,
      producerEpoch: 0,
      baseSequence: 0,
    }),
  );
  assert.equal(first, 2n);
}

function aborts(p: FetchResponsePartitionData): [bigint, bigint][] {
  return (p.abortedTransactions ?? []).map((a) => [a.producerId, a.firstOffset]);
}

const ABORT = { producerId: PID, producerEpoch: 0, commit: false, coordinatorEpoch: 1 };

describe("transactions across a restart", () => {
  it("a clean restart mid-transaction keeps the LSO held; the abort then hides the data, also after the next restart", async () => {
    const tmp = await tempEngine();
    try {
      let b = await start(tmp.url);
      await openTransaction(b);
      await b.close();

      b = await start(tmp.url);
      let p = await fetchCommitted(b);
      assert.equal(p.highWatermark, 5n);
      assert.equal(p.lastStableOffset, 2n, "the open transaction still holds the LSO");
      assert.deepEqual(batchBaseOffsets(p.records), [0n]);
      assert.equal(b.dataPlane.rebuildStats.fromSnapshot, 1);
      const codes = await b.dataPlane.writeMarkers([TP], ABORT);
      assert.equal(codes.get("r/0"), ErrorCode.NONE);
      p = await fetchCommitted(b);
      assert.equal(p.lastStableOffset, 6n);
      assert.deepEqual(aborts(p), [[PID, 2n]]);
      await b.close();

      b = await start(tmp.url);
      p = await fetchCommitted(b);
      assert.equal(b.dataPlane.rebuildStats.batchesScanned, 0, "all from the snapshot");
      assert.equal(p.lastStableOffset, 6n);
      assert.deepEqual(
        aborts(p),
        [[PID, 2n]],
        "the aborted index came back from the log's .txnindex",
      );
      await b.close();
    } finally {
      await tmp.remove();
    }
  });

  it("after a crash (no snapshot) the transaction is rebuilt open from the log, and an abort marker from the log", async () => {
    const tmp = await tempEngine();
    try {
      let b = await start(tmp.url);
      await openTransaction(b);
      await b.storage.close(); // a crash: the data plane writes no snapshot

      b = await start(tmp.url);
      let p = await fetchCommitted(b);
      assert.equal(b.dataPlane.rebuildStats.fullScans, 1);
      assert.equal(p.lastStableOffset, 2n, "never half-visible");
      await b.dataPlane.writeMarkers([TP], ABORT);
      await b.storage.close();

      b = await start(tmp.url);
      p = await fetchCommitted(b);
      assert.equal(b.dataPlane.rebuildStats.fullScans, 1);
      assert.equal(p.highWatermark, 6n);
      assert.equal(p.lastStableOffset, 6n);
      assert.deepEqual(aborts(p), [[PID, 2n]], "rebuilt from the ABORT marker");
      await b.close();
    } finally {
      await tmp.remove();
    }
  });
});

describe("producer-state snapshot with transactions", () => {
  it("round-trips coordinator epochs and open transactions", () => {
    const checkpoint = {
      endOffset: 30,
      entries: [
        {
          producerId: 5n,
          epoch: 2,
          lastTimestamp: 1_700_000_000_000,
          coordinatorEpoch: 4,
          currentTxnFirstOffset: 21,
          batches: [{ firstSeq: 0, lastSeq: 2, firstOffset: 21, lastOffset: 23, maxTimestamp: -1 }],
        },
      ],
    };
    const bytes = encodeSnapshot(checkpoint);
    assert.equal(bytes.readInt16BE(0), 0, "still the version 0 value");
    assert.deepEqual(decodeSnapshot(bytes), checkpoint);
    assert.notEqual(legacyAbortedKey("t", 0), snapshotKey("t", 0));
  });

  it("a snapshot below an already-written marker still shows the transaction open", () => {
    const s = new PartitionProducerState();
    const done = Promise.resolve();
    s.record(
      9n,
      0,
      { firstSeq: 0, lastSeq: 1, firstOffset: 4, lastOffset: 5, maxTimestamp: -1, written: done },
      1,
      true,
    );
    assert.equal(s.lastStableOffset(6), 4);
    const range = s.endTransaction(
      { producerId: 9n, epoch: 0, coordinatorEpoch: 2, commit: false },
      6,
      2,
    );
    assert.deepEqual(range, { producerId: 9n, firstOffset: 4, lastOffset: 6 });
    assert.equal(s.lastStableOffset(7), 7);
    // Taken at 6, the rescan from 6 meets the marker: the transaction must be open.
    assert.equal(s.snapshot(6)[0]?.currentTxnFirstOffset, 4);
    assert.equal(s.snapshot(7)[0]?.currentTxnFirstOffset, undefined);
  });

  it("a failed marker append reopens the transaction", () => {
    const s = new PartitionProducerState();
    s.record(
      9n,
      0,
      {
        firstSeq: 0,
        lastSeq: 0,
        firstOffset: 0,
        lastOffset: 0,
        maxTimestamp: -1,
        written: Promise.resolve(),
      },
      1,
      true,
    );
    const range = s.endTransaction(
      { producerId: 9n, epoch: 0, coordinatorEpoch: 0, commit: false },
      1,
      2,
    );
    assert.ok(range !== null);
    s.reopenTransaction(range);
    assert.equal(s.lastStableOffset(2), 0);
  });
});
