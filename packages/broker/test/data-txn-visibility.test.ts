import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  buildBatch,
  ControlRecordType,
  createDescribeProducersRequest,
  createDescribeProducersRequestTopicRequest,
  createListOffsetsRequest,
  createListOffsetsRequestPartition,
  createListOffsetsRequestTopic,
  DescribeProducersApi,
  decodeBatch,
  decodeControlKey,
  ErrorCode,
  FetchApi,
  type FetchResponsePartitionData,
  ListOffsetsApi,
  ProduceApi,
} from "@logbook/protocol";
import type { TopicPartitionRef, TxnProduceCheck } from "../src/txn/contracts.js";
import { type DataTestBroker, dataTestBroker, records } from "./helpers/data-broker.js";
import { fetchedPartitions, fetchRequest, produceRequest } from "./helpers/data-requests.js";

/** A TxnProduceCheck double: NONE for partitions added to a producer's transaction. */
class FakeTxnCheck implements TxnProduceCheck {
  readonly added = new Map<bigint, { epoch: number; partitions: Set<string> }>();

  add(producerId: bigint, epoch: number, topic: string, partition: number): void {
    const known = this.added.get(producerId);
    if (known === undefined || known.epoch !== epoch) {
      this.added.set(producerId, { epoch, partitions: new Set([`${topic}/${partition}`]) });
    } else {
      known.partitions.add(`${topic}/${partition}`);
    }
  }

  checkTransactionalProduce(producerId: bigint, epoch: number, tp: TopicPartitionRef): number {
    const known = this.added.get(producerId);
    if (known !== undefined && epoch < known.epoch) return ErrorCode.PRODUCER_FENCED;
    if (known === undefined || !known.partitions.has(`${tp.topic}/${tp.partition}`))
      return ErrorCode.INVALID_TXN_STATE;
    return ErrorCode.NONE;
  }
}

function txnBatch(pid: bigint, epoch: number, seq: number, count: number, prefix: string) {
  return buildBatch(records(count, prefix), {
    isTransactional: true,
    producerId: pid,
    producerEpoch: epoch,
    baseSequence: seq,
  });
}

/** The producers' transactional id: Kafka refuses transactional batches without one. */
const TXN_ID = "txn";

async function produce(b: DataTestBroker, topic: string, batch: Buffer) {
  const res = await b.call(ProduceApi, 9, produceRequest(topic, 0, batch, -1, TXN_ID));
  const p = res.responses[0]?.partitionResponses[0];
  if (p === undefined) throw new Error("no produce result");
  return p;
}

async function fetchOne(
  b: DataTestBroker,
  topic: string,
  isolationLevel: number,
  offset = 0n,
): Promise<FetchResponsePartitionData> {
  const res = await b.call(
    FetchApi,
    12,
    fetchRequest([{ topic, partition: 0, offset }], { isolationLevel }),
  );
  const p = fetchedPartitions(res).get(`${topic}:0`);
  if (p === undefined) throw new Error("partition missing from fetch");
  return p;
}

/**
 * What a consumer delivers from a fetch, by the Java consumer's algorithm: aborted
 * transactions enter the set when a batch reaches their first offset, an ABORT marker
 * takes its producer out again, transactional batches of producers in the set are
 * dropped, control batches are never delivered.
 */
async function delivered(p: FetchResponsePartitionData): Promise<string[]> {
  const out: string[] = [];
  const pending = [...(p.abortedTransactions ?? [])].sort((a, b) =>
    a.firstOffset < b.firstOffset ? -1 : 1,
  );
  const aborted = new Set<bigint>();
  const recs = p.records ?? Buffer.alloc(0);
  for (let at = 0; at < recs.length; ) {
    const batch = await decodeBatch(recs, at);
    const lastOffset = batch.baseOffset + BigInt(batch.lastOffsetDelta);
    while (pending.length > 0 && (pending[0]?.firstOffset ?? 0n) <= lastOffset) {
      aborted.add(pending.shift()?.producerId ?? -1n);
    }
    if (batch.isControl) {
      const type = decodeControlKey(batch.records[0]?.key ?? null).type;
      if (type === ControlRecordType.abort) aborted.delete(batch.producerId);
    } else if (!(batch.isTransactional && aborted.has(batch.producerId))) {
      for (const r of batch.records) out.push(r.value?.toString() ?? "");
    }
    at += 12 + batch.batchLength;
  }
  return out;
}

async function latest(b: DataTestBroker, topic: string, isolationLevel: number) {
  const res = await b.call(
    ListOffsetsApi,
    7,
    createListOffsetsRequest({
      isolationLevel,
      topics: [
        createListOffsetsRequestTopic({
          name: topic,
          partitions: [createListOffsetsRequestPartition({ partitionIndex: 0, timestamp: -1n })],
        }),
      ],
    }),
  );
  return res.topics[0]?.partitions[0]?.offset;
}

function marker(producerId: bigint, commit: boolean, producerEpoch = 0) {
  return { producerId, producerEpoch, commit, coordinatorEpoch: 3 };
}

describe("transactional produce", () => {
  let b: DataTestBroker;
  const check = new FakeTxnCheck();
  before(async () => {
    b = await dataTestBroker();
    b.topics.add("p", 1);
  });
  after(() => b.close());

  it("refuses transactional batches with INVALID_TXN_STATE while no coordinator is attached", async () => {
    const r = await produce(b, "p", await txnBatch(1n, 0, 0, 1, "x"));
    assert.equal(r.errorCode, ErrorCode.INVALID_TXN_STATE);
  });

  it("passes on the coordinator's error per partition and appends when it says NONE", async () => {
    b.dataPlane.setTxnProduceCheck(check);
    const notAdded = await produce(b, "p", await txnBatch(1n, 0, 0, 1, "x"));
    assert.equal(notAdded.errorCode, ErrorCode.INVALID_TXN_STATE);
    check.add(1n, 1, "p", 0);
    const fenced = await produce(b, "p", await txnBatch(1n, 0, 0, 1, "x"));
    assert.equal(fenced.errorCode, ErrorCode.PRODUCER_FENCED);
    const ok = await produce(b, "p", await txnBatch(1n, 1, 0, 2, "x"));
    assert.equal(ok.errorCode, ErrorCode.NONE);
    assert.equal(ok.baseOffset, 0n);
  });

  it("applies idempotent sequence rules to transactional batches", async () => {
    const dup = await produce(b, "p", await txnBatch(1n, 1, 0, 2, "x"));
    assert.equal(dup.errorCode, ErrorCode.NONE);
    assert.equal(dup.baseOffset, 0n, "a retried batch gets its original offset");
    const gap = await produce(b, "p", await txnBatch(1n, 1, 5, 1, "x"));
    assert.equal(gap.errorCode, ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
  });

  it("refuses a plain batch from a producer inside its open transaction", async () => {
    const plain = await buildBatch(records(1), {
      producerId: 1n,
      producerEpoch: 1,
      baseSequence: 2,
    });
    assert.equal((await produce(b, "p", plain)).errorCode, ErrorCode.INVALID_TXN_STATE);
  });
});

describe("markers, last stable offset and read_committed", () => {
  let b: DataTestBroker;
  const check = new FakeTxnCheck();
  before(async () => {
    b = await dataTestBroker();
    b.topics.add("t", 1);
    b.topics.add("__consumer_offsets", 1, { internal: true });
    b.dataPlane.setTxnProduceCheck(check);
    check.add(10n, 0, "t", 0);
    check.add(20n, 0, "t", 0);
  });
  after(() => b.close());

  it("holds the LSO at the first offset of the oldest open transaction", async () => {
    await produce(b, "t", await buildBatch(records(2, "plain")));
    const a = await produce(b, "t", await txnBatch(10n, 0, 0, 2, "a")); // 2-3
    await produce(b, "t", await txnBatch(20n, 0, 0, 2, "c")); // 4-5
    await produce(b, "t", await txnBatch(10n, 0, 2, 1, "a")); // 6
    assert.equal(a.baseOffset, 2n);
    const committed = await fetchOne(b, "t", 1);
    assert.equal(committed.highWatermark, 7n);
    assert.equal(committed.lastStableOffset, 2n, "LSO = first open offset, exclusive");
    assert.deepEqual(await delivered(committed), ["plain0", "plain1"]);
    assert.deepEqual(committed.abortedTransactions, []);
    assert.equal(await latest(b, "t", 1), 2n);
    assert.equal(await latest(b, "t", 0), 7n);
    const uncommitted = await fetchOne(b, "t", 0);
    assert.equal(uncommitted.abortedTransactions, null);
    assert.deepEqual(await delivered(uncommitted), [
      "plain0",
      "plain1",
      "a0",
      "a1",
      "c0",
      "c1",
      "a0",
    ]);
  });

  it("an ABORT marker ends the transaction; the LSO moves to the next open one", async () => {
    const codes = await b.dataPlane.writeMarkers(
      [{ topic: "t", partition: 0 }],
      marker(10n, false),
    );
    assert.deepEqual([...codes], [["t/0", ErrorCode.NONE]]);
    const committed = await fetchOne(b, "t", 1);
    assert.equal(committed.highWatermark, 8n, "the marker took offset 7");
    assert.equal(committed.lastStableOffset, 4n, "producer 20's transaction is still open");
    assert.deepEqual(
      committed.abortedTransactions?.map((a) => [a.producerId, a.firstOffset]),
      [[10n, 2n]],
    );
    assert.deepEqual(await delivered(committed), ["plain0", "plain1"]);
  });

  it("a COMMIT marker makes the data visible; aborted data stays filtered", async () => {
    await b.dataPlane.writeMarkers([{ topic: "t", partition: 0 }], marker(20n, true));
    const committed = await fetchOne(b, "t", 1);
    assert.equal(committed.lastStableOffset, 9n);
    assert.equal(committed.highWatermark, 9n);
    assert.deepEqual(await delivered(committed), ["plain0", "plain1", "c0", "c1"]);
    assert.equal(await latest(b, "t", 1), 9n);
    // read_uncommitted still sees everything, aborted data included.
    assert.deepEqual((await delivered(await fetchOne(b, "t", 0))).length, 7);
  });

  it("returns only aborted transactions overlapping the returned range", async () => {
    const fromCommitted = await fetchOne(b, "t", 1, 8n);
    assert.deepEqual(fromCommitted.abortedTransactions, [], "the abort ended at offset 7");
    const fromInside = await fetchOne(b, "t", 1, 3n);
    assert.deepEqual(
      fromInside.abortedTransactions?.map((a) => a.producerId),
      [10n],
    );
    assert.deepEqual(await delivered(fromInside), ["c0", "c1"]);
  });

  it("writes a marker for a producer with no open transaction, changing nothing", async () => {
    const again = await b.dataPlane.writeMarkers(
      [{ topic: "t", partition: 0 }],
      marker(10n, false),
    );
    assert.equal(again.get("t/0"), ErrorCode.NONE);
    const committed = await fetchOne(b, "t", 1);
    assert.equal(committed.highWatermark, 10n, "the retried marker is in the log");
    assert.equal(committed.lastStableOffset, 10n);
    assert.equal(committed.abortedTransactions?.length, 1, "no second aborted range");
    assert.deepEqual(await delivered(committed), ["plain0", "plain1", "c0", "c1"]);
  });

  it("skips internal topics, reports unknown partitions, refuses an older epoch", async () => {
    const codes = await b.dataPlane.writeMarkers(
      [
        { topic: "__consumer_offsets", partition: 0 },
        { topic: "nope", partition: 0 },
      ],
      marker(10n, true),
    );
    assert.equal(codes.get("__consumer_offsets/0"), ErrorCode.NONE);
    assert.equal(codes.get("nope/0"), ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    check.add(10n, 2, "t", 0);
    assert.equal((await produce(b, "t", await txnBatch(10n, 2, 0, 1, "z"))).errorCode, 0);
    const stale = await b.dataPlane.writeMarkers(
      [{ topic: "t", partition: 0 }],
      marker(10n, true, 1),
    );
    assert.equal(stale.get("t/0"), ErrorCode.INVALID_PRODUCER_EPOCH);
    assert.equal((await fetchOne(b, "t", 1)).lastStableOffset, 10n, "still open at 10");
    await b.dataPlane.writeMarkers([{ topic: "t", partition: 0 }], marker(10n, false, 2));
    const done = await fetchOne(b, "t", 1);
    assert.equal(done.lastStableOffset, 12n);
    assert.deepEqual(await delivered(done), ["plain0", "plain1", "c0", "c1"]);
  });

  it("DescribeProducers lists each producer's epoch, sequence, coordinator epoch and open transaction", async () => {
    check.add(30n, 4, "t", 0);
    await produce(b, "t", await txnBatch(30n, 4, 0, 3, "o")); // 12-14
    const res = await b.call(
      DescribeProducersApi,
      0,
      createDescribeProducersRequest({
        topics: [
          createDescribeProducersRequestTopicRequest({ name: "t", partitionIndexes: [0, 5] }),
        ],
      }),
    );
    const parts = res.topics[0]?.partitions ?? [];
    assert.equal(parts[1]?.errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    const byId = new Map((parts[0]?.activeProducers ?? []).map((p) => [p.producerId, p]));
    assert.deepEqual(
      [...byId.keys()].sort((x, y) => Number(x - y)),
      [10n, 20n, 30n],
    );
    const open = byId.get(30n);
    assert.equal(open?.producerEpoch, 4);
    assert.equal(open?.lastSequence, 2);
    assert.equal(open?.currentTxnStartOffset, 12n);
    assert.equal(open?.coordinatorEpoch, -1);
    const ended = byId.get(20n);
    assert.equal(ended?.currentTxnStartOffset, -1n);
    assert.equal(ended?.coordinatorEpoch, 3);
    assert.equal(ended?.lastSequence, 1);
  });
});

describe("last stable offset and the log start", () => {
  it("never reports an LSO below the log start, even when retention removed an open transaction's start", async () => {
    const b = await dataTestBroker();
    try {
      b.topics.add("r", 1);
      const check = new FakeTxnCheck();
      b.dataPlane.setTxnProduceCheck(check);
      check.add(30n, 0, "r", 0);
      await produce(b, "r", await txnBatch(30n, 0, 0, 2, "open")); // 0-1, left open
      await produce(b, "r", await buildBatch(records(3, "later"))); // 2-4
      assert.equal(
        (await fetchOne(b, "r", 1)).lastStableOffset,
        0n,
        "held by the open transaction",
      );
      const log = await b.topics.partition("r", 0);
      await log?.deleteRecordsBefore(2);
      const p = await fetchOne(b, "r", 1, 2n);
      assert.equal(p.logStartOffset, 2n);
      assert.equal(p.lastStableOffset, 2n, "bounded below by the log start");
    } finally {
      await b.close();
    }
  });
});
