import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  buildBatch,
  decodeAllBatches,
  ErrorCode,
  ProduceApi,
  ShareAcknowledgeApi,
  ShareFetchApi,
} from "@logbook/protocol";
import { records } from "./helpers/data-broker.js";
import { onlyProduceResult, produceRequest } from "./helpers/data-requests.js";
import {
  acquired,
  onlyPartition,
  type ShareTestBroker,
  shareAck,
  shareFetch,
  shareTestBroker,
} from "./helpers/share-fakes.js";

const ACCEPT = 1;
const RELEASE = 2;
const REJECT = 3;
const LOCK_MS = 400;

async function produce(b: ShareTestBroker, topic: string, n: number): Promise<void> {
  const batch = await buildBatch(records(n));
  const r = onlyProduceResult(await b.call(ProduceApi, 9, produceRequest(topic, 0, batch)));
  assert.equal(r.errorCode, ErrorCode.NONE);
}

describe("ShareFetch and ShareAcknowledge handlers", () => {
  let b: ShareTestBroker;
  let topicId: Buffer;
  let n = 0;
  /** A fresh topic per test, so tests do not share records or state. */
  const freshTopic = (): { topic: string; tp: { topicId: Buffer; partition: number } } => {
    const topic = `t${n++}`;
    topicId = b.topics.add(topic, 1).id;
    return { topic, tp: { topicId, partition: 0 } };
  };

  before(async () => {
    b = await shareTestBroker({
      lockDurationMs: LOCK_MS,
      autoOffsetReset: { kind: "earliest" },
      deliveryCountLimit: 3,
    });
    for (const m of ["m1", "m2"]) b.membership.join("g", m);
  });
  after(() => b.close());

  it("answers a member the share group does not know with no partitions (as Kafka), and INVALID_GROUP_ID for no group", async () => {
    const { topic, tp } = freshTopic();
    await produce(b, topic, 2);
    const res = await b.call(ShareFetchApi, 1, shareFetch("g", "stranger", 0, [tp]));
    assert.equal(res.errorCode, ErrorCode.NONE);
    assert.deepEqual(res.responses, []);
    // Its session exists all the same; a member acquires everything.
    assert.equal(
      (await b.call(ShareFetchApi, 1, shareFetch("g", "stranger", 1, []))).errorCode,
      ErrorCode.NONE,
    );
    const member = await b.call(ShareFetchApi, 1, shareFetch("g", "m1", 0, [tp]));
    assert.deepEqual(acquired(onlyPartition(member)), [[0n, 1n, 1]]);
    await b.call(ShareFetchApi, 1, shareFetch("g", "m1", -1, []));
    const none = await b.call(ShareFetchApi, 1, shareFetch("", "m1", 0, [tp]));
    assert.equal(none.errorCode, ErrorCode.INVALID_GROUP_ID);
  });

  it("keeps share sessions like fetch sessions: 0 opens, the next epoch continues, others are refused", async () => {
    const { tp } = freshTopic();
    const missing = await b.call(ShareFetchApi, 2, shareFetch("g", "m2", 1, [tp]));
    assert.equal(missing.errorCode, ErrorCode.SHARE_SESSION_NOT_FOUND);
    const withAcks = shareFetch("g", "m2", 0, [
      { ...tp, acks: [{ first: 0n, last: 0n, types: [ACCEPT] }] },
    ]);
    assert.equal((await b.call(ShareFetchApi, 2, withAcks)).errorCode, ErrorCode.INVALID_REQUEST);
    assert.equal(
      (await b.call(ShareFetchApi, 2, shareFetch("g", "m2", 0, [tp]))).errorCode,
      ErrorCode.NONE,
    );
    assert.equal(
      (await b.call(ShareFetchApi, 2, shareFetch("g", "m2", 1, []))).errorCode,
      ErrorCode.NONE,
    );
    const stale = await b.call(ShareFetchApi, 2, shareFetch("g", "m2", 1, []));
    assert.equal(stale.errorCode, ErrorCode.INVALID_SHARE_SESSION_EPOCH);
    const ack0 = await b.call(ShareAcknowledgeApi, 2, shareAck("g", "m2", 0, []));
    assert.equal(ack0.errorCode, ErrorCode.INVALID_SHARE_SESSION_EPOCH);
    const close = await b.call(ShareFetchApi, 2, shareFetch("g", "m2", -1, []));
    assert.equal(close.errorCode, ErrorCode.NONE);
    const closed = await b.call(ShareFetchApi, 2, shareFetch("g", "m2", 2, []));
    assert.equal(closed.errorCode, ErrorCode.SHARE_SESSION_NOT_FOUND);
  });

  it("shares one partition between two members: each record goes to one, released ones come back with a higher delivery count", async () => {
    const { topic, tp } = freshTopic();
    await produce(b, topic, 10);
    const r1 = await b.call(ShareFetchApi, 1, shareFetch("g", "m1", 0, [tp], { maxRecords: 4 }));
    assert.equal(r1.acquisitionLockTimeoutMs, LOCK_MS);
    const p1 = onlyPartition(r1);
    assert.deepEqual(acquired(p1), [[0n, 3n, 1]]);
    const batches = await decodeAllBatches(p1?.records ?? Buffer.alloc(0));
    assert.equal(batches[0]?.baseOffset, 0n, "the stored batch is sent whole");
    const r2 = await b.call(ShareFetchApi, 1, shareFetch("g", "m2", 0, [tp], { maxRecords: 100 }));
    assert.deepEqual(acquired(onlyPartition(r2)), [[4n, 9n, 1]]);

    // m1 accepts two and releases two, piggy-backed on its next fetch.
    const acks = [
      { first: 0n, last: 1n, types: [ACCEPT] },
      { first: 2n, last: 3n, types: [RELEASE] },
    ];
    const r3 = await b.call(ShareFetchApi, 1, shareFetch("g", "m1", 1, [{ ...tp, acks }]));
    const p3 = onlyPartition(r3);
    assert.equal(p3?.acknowledgeErrorCode, ErrorCode.NONE);
    assert.deepEqual(acquired(p3), [[2n, 3n, 2]]);

    // m2 cannot acknowledge what m1 holds; it rejects its own.
    const wrong = await b.call(
      ShareAcknowledgeApi,
      1,
      shareAck("g", "m2", 1, [{ ...tp, acks: [{ first: 2n, last: 2n, types: [ACCEPT] }] }]),
    );
    assert.equal(wrong.responses[0]?.partitions[0]?.errorCode, ErrorCode.INVALID_RECORD_STATE);
    const own = await b.call(
      ShareAcknowledgeApi,
      1,
      shareAck("g", "m2", 2, [{ ...tp, acks: [{ first: 4n, last: 9n, types: [REJECT] }] }]),
    );
    assert.equal(own.responses[0]?.partitions[0]?.errorCode, ErrorCode.NONE);
  });

  it("closing the session with ShareAcknowledge -1 acknowledges, then releases what the member still holds", async () => {
    const { topic, tp } = freshTopic();
    await produce(b, topic, 4);
    const r1 = await b.call(ShareFetchApi, 2, shareFetch("g", "m1", 0, [tp]));
    assert.deepEqual(acquired(onlyPartition(r1)), [[0n, 3n, 1]]);
    const close = await b.call(
      ShareAcknowledgeApi,
      2,
      shareAck("g", "m1", -1, [{ ...tp, acks: [{ first: 0n, last: 0n, types: [ACCEPT] }] }]),
    );
    assert.equal(close.errorCode, ErrorCode.NONE);
    assert.equal(close.responses[0]?.partitions[0]?.errorCode, ErrorCode.NONE);
    const r2 = await b.call(ShareFetchApi, 2, shareFetch("g", "m2", 0, [tp]));
    assert.deepEqual(acquired(onlyPartition(r2)), [[1n, 3n, 2]]);
    await b.call(ShareFetchApi, 2, shareFetch("g", "m2", -1, []));
  });

  it("redelivers after the acquisition lock lapses, and refuses the late acknowledgement", async () => {
    const { topic, tp } = freshTopic();
    await produce(b, topic, 2);
    const r1 = await b.call(ShareFetchApi, 1, shareFetch("g", "m1", 0, [tp]));
    assert.deepEqual(acquired(onlyPartition(r1)), [[0n, 1n, 1]]);
    const started = Date.now();
    // m2 long-polls: nothing is available until m1's lock lapses.
    const r2 = await b.call(ShareFetchApi, 1, shareFetch("g", "m2", 0, [tp], { maxWaitMs: 5000 }));
    assert.deepEqual(acquired(onlyPartition(r2)), [[0n, 1n, 2]]);
    assert.ok(Date.now() - started < 4000, "woken by the lapsing lock, not the wait's end");
    const late = await b.call(
      ShareAcknowledgeApi,
      1,
      shareAck("g", "m1", 1, [{ ...tp, acks: [{ first: 0n, last: 1n, types: [ACCEPT] }] }]),
    );
    assert.equal(late.responses[0]?.partitions[0]?.errorCode, ErrorCode.INVALID_RECORD_STATE);
  });

  it("archives a record after group.share.delivery.count.limit deliveries", async () => {
    const { topic, tp } = freshTopic();
    await produce(b, topic, 1);
    for (let delivery = 1; delivery <= 3; delivery++) {
      const epoch = delivery - 1;
      const acks = delivery === 1 ? [] : [{ first: 0n, last: 0n, types: [RELEASE] }];
      const r = await b.call(ShareFetchApi, 1, shareFetch("g", "m1", epoch, [{ ...tp, acks }]));
      assert.deepEqual(acquired(onlyPartition(r)), [[0n, 0n, delivery]]);
    }
    const last = await b.call(
      ShareFetchApi,
      1,
      shareFetch("g", "m1", 3, [{ ...tp, acks: [{ first: 0n, last: 0n, types: [RELEASE] }] }]),
    );
    assert.deepEqual(acquired(onlyPartition(last)), []);
    assert.equal(onlyPartition(last)?.acknowledgeErrorCode, ErrorCode.NONE);
  });

  it("a member that leaves the group has its session closed and its records released at once", async () => {
    const { topic, tp } = freshTopic();
    await produce(b, topic, 3);
    b.membership.join("g", "m3");
    const r1 = await b.call(ShareFetchApi, 1, shareFetch("g", "m3", 0, [tp]));
    assert.deepEqual(acquired(onlyPartition(r1)), [[0n, 2n, 1]]);
    b.membership.leave("g", "m3");
    await b.share.memberLeft("g", "m3");
    const gone = await b.call(ShareFetchApi, 1, shareFetch("g", "m3", 1, []));
    assert.equal(gone.errorCode, ErrorCode.SHARE_SESSION_NOT_FOUND);
    const r2 = await b.call(ShareFetchApi, 1, shareFetch("g", "m2", 0, [tp]));
    assert.deepEqual(acquired(onlyPartition(r2)), [[0n, 2n, 2]]);
    await b.call(ShareFetchApi, 1, shareFetch("g", "m2", -1, []));
  });

  it("MaxRecords counts over the whole request; after MaxBytes, later partitions acquire nothing", async () => {
    const topic = `t${n++}`;
    const id = b.topics.add(topic, 2).id;
    for (const partition of [0, 1]) {
      const batch = await buildBatch(records(3));
      const r = onlyProduceResult(
        await b.call(ProduceApi, 9, produceRequest(topic, partition, batch)),
      );
      assert.equal(r.errorCode, ErrorCode.NONE);
    }
    const both = [
      { topicId: id, partition: 0 },
      { topicId: id, partition: 1 },
    ];
    const few = await b.call(ShareFetchApi, 1, shareFetch("g", "m1", 0, both, { maxRecords: 4 }));
    const ranges = (few.responses[0]?.partitions ?? []).map((p) => [p.partitionIndex, acquired(p)]);
    assert.deepEqual(ranges, [
      [0, [[0n, 2n, 1]]],
      [1, [[0n, 0n, 1]]],
    ]);
    await b.call(ShareFetchApi, 1, shareFetch("g", "m1", -1, []));
    const small = await b.call(ShareFetchApi, 1, shareFetch("g", "m2", 0, both, { maxBytes: 1 }));
    const got = (small.responses[0]?.partitions ?? []).map((p) => [p.partitionIndex, acquired(p)]);
    assert.deepEqual(got, [
      [0, [[0n, 2n, 2]]],
      [1, []],
    ]);
    await b.call(ShareFetchApi, 1, shareFetch("g", "m2", -1, []));
  });

  it("long-polls until records are produced", async () => {
    const { topic, tp } = freshTopic();
    const pending = b.call(ShareFetchApi, 1, shareFetch("g", "m1", 0, [tp], { maxWaitMs: 5000 }));
    await new Promise((r) => setTimeout(r, 100));
    const started = Date.now();
    await produce(b, topic, 3);
    const res = await pending;
    assert.deepEqual(acquired(onlyPartition(res)), [[0n, 2n, 1]]);
    assert.ok(Date.now() - started < 3000);
  });

  it("answers UNKNOWN_TOPIC_OR_PARTITION for a partition that does not exist", async () => {
    const res = await b.call(
      ShareFetchApi,
      1,
      shareFetch("g", "m2", 0, [{ topicId: Buffer.alloc(16, 9), partition: 0 }]),
    );
    assert.equal(res.errorCode, ErrorCode.NONE);
    assert.equal(onlyPartition(res)?.errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    await b.call(ShareFetchApi, 1, shareFetch("g", "m2", -1, []));
  });
});
