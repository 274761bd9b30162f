/**
 * ShareFetch and ShareAcknowledge v2: ShareAcquireMode record_limit (KIP-1206) and renew
 * acknowledgements (KIP-1222), with the request checks Kafka 4.4 applies to them.
 */
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
const RENEW = 4;
const RECORD_LIMIT = 1;
const LOCK_MS = 1500;
/** A renew request asks for no records: every fetch parameter is 0. */
const RENEW_ONLY = { isRenewAck: true, maxBytes: 0, minBytes: 0, maxRecords: 0, maxWaitMs: 0 };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("ShareFetch/ShareAcknowledge v2: acquire modes and renew acknowledgements", () => {
  let b: ShareTestBroker;
  let n = 0;
  /** A fresh topic with `count` records in one stored batch. */
  const freshTopic = async (count: number) => {
    const topic = `v2t${n++}`;
    const topicId = b.topics.add(topic, 1).id;
    const batch = await buildBatch(records(count));
    const r = onlyProduceResult(await b.call(ProduceApi, 9, produceRequest(topic, 0, batch)));
    assert.equal(r.errorCode, ErrorCode.NONE);
    return { topicId, partition: 0 };
  };
  const partitionOf = (res: {
    responses: { partitions: { errorCode: number; acknowledgeErrorCode?: number }[] }[];
  }) => res.responses[0]?.partitions[0];

  before(async () => {
    b = await shareTestBroker({
      lockDurationMs: LOCK_MS,
      autoOffsetReset: { kind: "earliest" },
      deliveryCountLimit: 5,
    });
    for (const m of ["m1", "m2", "m3"]) b.membership.join("v2", m);
  });
  after(() => b.close());

  it("record_limit acquires exactly MaxRecords records from inside one stored batch, the next fetch the ones after", async () => {
    const tp = await freshTopic(10);
    const mode = { shareAcquireMode: RECORD_LIMIT, maxRecords: 3 };
    const r1 = await b.call(ShareFetchApi, 2, shareFetch("v2", "m1", 0, [tp], mode));
    assert.deepEqual(acquired(onlyPartition(r1)), [[0n, 2n, 1]]);
    // The stored batch goes whole; the consumer keeps only what it acquired.
    const batches = await decodeAllBatches(onlyPartition(r1)?.records ?? Buffer.alloc(0));
    assert.deepEqual(
      batches.map((x) => [x.baseOffset, x.records.length]),
      [[0n, 10]],
    );
    const r2 = await b.call(ShareFetchApi, 2, shareFetch("v2", "m2", 0, [tp], mode));
    assert.deepEqual(acquired(onlyPartition(r2)), [[3n, 5n, 1]]);
    const one = { shareAcquireMode: RECORD_LIMIT, maxRecords: 1 };
    const r3 = await b.call(ShareFetchApi, 2, shareFetch("v2", "m3", 0, [tp], one));
    assert.deepEqual(acquired(onlyPartition(r3)), [[6n, 6n, 1]]);
  });

  it("fails a fetch with an unknown ShareAcquireMode (UNKNOWN_SERVER_ERROR, as Kafka) after its session opened; an IsRenewAck fetch that asks for records is INVALID_REQUEST", async () => {
    const tp = await freshTopic(1);
    const badMode = { shareAcquireMode: 2 };
    const bad = await b.call(ShareFetchApi, 2, shareFetch("v2", "m1", 0, [tp], badMode));
    assert.equal(bad.errorCode, ErrorCode.UNKNOWN_SERVER_ERROR);
    const next = await b.call(ShareFetchApi, 2, shareFetch("v2", "m1", 1, []));
    assert.equal(next.errorCode, ErrorCode.NONE);
    assert.deepEqual(acquired(onlyPartition(next)), [[0n, 0n, 1]]);
    await b.call(ShareFetchApi, 2, shareFetch("v2", "m1", -1, []));
    for (const field of ["maxBytes", "minBytes", "maxRecords", "maxWaitMs"] as const) {
      const init = { ...RENEW_ONLY, [field]: 1 };
      const res = await b.call(ShareFetchApi, 2, shareFetch("v2", "m1", 0, [tp], init));
      assert.equal(res.errorCode, ErrorCode.INVALID_REQUEST, field);
    }
  });

  it("a renewed record outlives its first lock with the same member and delivery count; the renewing fetch acquires nothing", async () => {
    const tp = await freshTopic(2);
    const first = { maxRecords: 1 };
    const r1 = await b.call(ShareFetchApi, 2, shareFetch("v2", "m1", 0, [tp], first));
    assert.deepEqual(acquired(onlyPartition(r1)), [[0n, 0n, 1]]);
    await sleep(LOCK_MS * 0.6);
    const renew = [{ ...tp, acks: [{ first: 0n, last: 0n, types: [RENEW] }] }];
    const r2 = await b.call(ShareFetchApi, 2, shareFetch("v2", "m1", 1, renew, RENEW_ONLY));
    assert.equal(r2.errorCode, ErrorCode.NONE);
    assert.equal(onlyPartition(r2)?.acknowledgeErrorCode, ErrorCode.NONE);
    // Offset 1 is available, yet a renew request fetches nothing.
    assert.deepEqual(acquired(onlyPartition(r2)), []);
    await sleep(LOCK_MS * 0.6);
    // Past the first lock: m2 gets offset 1 only, offset 0 is still m1's.
    const r3 = await b.call(ShareFetchApi, 2, shareFetch("v2", "m2", 0, [tp]));
    assert.deepEqual(acquired(onlyPartition(r3)), [[1n, 1n, 1]]);
    // Released by m1, it comes back delivered twice, not three times.
    const release = [{ ...tp, acks: [{ first: 0n, last: 0n, types: [RELEASE] }] }];
    const r4 = await b.call(ShareFetchApi, 2, shareFetch("v2", "m1", 2, release));
    assert.equal(onlyPartition(r4)?.acknowledgeErrorCode, ErrorCode.NONE);
    assert.deepEqual(acquired(onlyPartition(r4)), [[0n, 0n, 2]]);
  });

  it("ShareAcknowledge v2 renews with IsRenewAck and answers the lock duration; the record is then accepted once", async () => {
    const tp = await freshTopic(1);
    const r1 = await b.call(ShareFetchApi, 2, shareFetch("v2", "m1", 0, [tp]));
    assert.deepEqual(acquired(onlyPartition(r1)), [[0n, 0n, 1]]);
    await sleep(LOCK_MS * 0.6);
    const renew = [{ ...tp, acks: [{ first: 0n, last: 0n, types: [RENEW] }] }];
    const a1 = await b.call(ShareAcknowledgeApi, 2, {
      ...shareAck("v2", "m1", 1, renew),
      isRenewAck: true,
    });
    assert.equal(partitionOf(a1)?.errorCode, ErrorCode.NONE);
    assert.equal(a1.acquisitionLockTimeoutMs, LOCK_MS);
    await sleep(LOCK_MS * 0.6);
    const r2 = await b.call(ShareFetchApi, 2, shareFetch("v2", "m2", 0, [tp]));
    assert.deepEqual(acquired(onlyPartition(r2)), []);
    const accept = [{ ...tp, acks: [{ first: 0n, last: 0n, types: [ACCEPT] }] }];
    const a2 = await b.call(ShareAcknowledgeApi, 2, shareAck("v2", "m1", 2, accept));
    assert.equal(partitionOf(a2)?.errorCode, ErrorCode.NONE);
    const again = await b.call(ShareAcknowledgeApi, 2, shareAck("v2", "m1", 3, accept));
    assert.equal(partitionOf(again)?.errorCode, ErrorCode.INVALID_RECORD_STATE);
  });

  it("RENEW at v1 or without IsRenewAck fails its partition with INVALID_REQUEST and changes nothing", async () => {
    const tp = await freshTopic(1);
    const r1 = await b.call(ShareFetchApi, 2, shareFetch("v2", "m1", 0, [tp]));
    assert.deepEqual(acquired(onlyPartition(r1)), [[0n, 0n, 1]]);
    const renew = [{ ...tp, acks: [{ first: 0n, last: 0n, types: [RENEW] }] }];
    const v1 = await b.call(ShareAcknowledgeApi, 1, shareAck("v2", "m1", 1, renew));
    assert.equal(partitionOf(v1)?.errorCode, ErrorCode.INVALID_REQUEST);
    const unflagged = await b.call(ShareAcknowledgeApi, 2, shareAck("v2", "m1", 2, renew));
    assert.equal(partitionOf(unflagged)?.errorCode, ErrorCode.INVALID_REQUEST);
    const viaFetch = await b.call(ShareFetchApi, 2, shareFetch("v2", "m1", 3, renew));
    assert.equal(onlyPartition(viaFetch)?.acknowledgeErrorCode, ErrorCode.INVALID_REQUEST);
    // Batches out of order are malformed too (Kafka's check).
    const unordered = [
      {
        ...tp,
        acks: [
          { first: 0n, last: 0n, types: [ACCEPT] },
          { first: 5n, last: 5n, types: [ACCEPT] },
          { first: 1n, last: 1n, types: [ACCEPT] },
        ],
      },
    ];
    const bad = await b.call(ShareAcknowledgeApi, 2, shareAck("v2", "m1", 4, unordered));
    assert.equal(partitionOf(bad)?.errorCode, ErrorCode.INVALID_REQUEST);
    // Still m1's: accepting it works.
    const accept = [{ ...tp, acks: [{ first: 0n, last: 0n, types: [ACCEPT] }] }];
    const ok = await b.call(ShareAcknowledgeApi, 2, shareAck("v2", "m1", 5, accept));
    assert.equal(partitionOf(ok)?.errorCode, ErrorCode.NONE);
  });
});
