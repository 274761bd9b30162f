/** ShareFetch under share.isolation.level: read_committed groups see committed records only. */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { buildBatch, ErrorCode, ProduceApi, ShareFetchApi } from "@logbook/protocol";
import type { TxnProduceCheck } from "../src/txn/contracts.js";
import { records } from "./helpers/data-broker.js";
import { onlyProduceResult, produceRequest } from "./helpers/data-requests.js";
import {
  acquired,
  onlyPartition,
  type ShareTestBroker,
  shareFetch,
  shareTestBroker,
} from "./helpers/share-fakes.js";

const ALLOW_ALL: TxnProduceCheck = { checkTransactionalProduce: () => ErrorCode.NONE };

describe("ShareFetch with share.isolation.level", () => {
  let b: ShareTestBroker;
  let n = 0;
  const freshTopic = () => {
    const topic = `rc${n++}`;
    return { topic, tp: { topicId: b.topics.add(topic, 1).id, partition: 0 } };
  };

  /** Appends `count` records (transactional for a producer id >= 0); answers the base offset. */
  async function produce(topic: string, count: number, producerId = -1n): Promise<bigint> {
    const batch = await buildBatch(records(count), {
      isTransactional: producerId >= 0n,
      producerId,
      producerEpoch: producerId >= 0n ? 0 : -1,
      baseSequence: producerId >= 0n ? 0 : -1,
    });
    // A transactional producer names its transactional id, as Kafka requires.
    const txnId = producerId >= 0n ? `txn-${producerId}` : null;
    const req = produceRequest(topic, 0, batch, -1, txnId);
    const r = onlyProduceResult(await b.call(ProduceApi, 9, req));
    assert.equal(r.errorCode, ErrorCode.NONE);
    return r.baseOffset;
  }

  async function endTxn(topic: string, producerId: bigint, commit: boolean): Promise<void> {
    const codes = await b.dataPlane.writeMarkers([{ topic, partition: 0 }], {
      producerId,
      producerEpoch: 0,
      commit,
      coordinatorEpoch: 1,
    });
    assert.equal(codes.get(`${topic}/0`), ErrorCode.NONE);
  }

  before(async () => {
    b = await shareTestBroker({ autoOffsetReset: { kind: "earliest" } }, "memory:", {
      rc: { isolationLevel: "read_committed" },
    });
    b.dataPlane.setTxnProduceCheck(ALLOW_ALL);
    for (const g of ["rc", "ru"]) for (const m of ["m1", "m2"]) b.membership.join(g, m);
  });
  after(() => b.close());

  it("read_committed acquires committed records only, never past an open transaction; read_uncommitted acquires all", async () => {
    const { topic, tp } = freshTopic();
    assert.equal(await produce(topic, 2), 0n); // 0-1 plain
    assert.equal(await produce(topic, 3, 10n), 2n); // 2-4 committed below
    assert.equal(await produce(topic, 2, 11n), 5n); // 5-6 aborted below
    await endTxn(topic, 10n, true); // 7
    await endTxn(topic, 11n, false); // 8
    assert.equal(await produce(topic, 2, 12n), 9n); // 9-10 open: the LSO stays at 9
    assert.equal(await produce(topic, 1), 11n); // 11 plain, behind the open transaction

    const committed = await b.call(ShareFetchApi, 1, shareFetch("rc", "m1", 0, [tp]));
    // The markers (7, 8) are acquired as Kafka does; consumers skip control records.
    assert.deepEqual(acquired(onlyPartition(committed)), [
      [0n, 4n, 1],
      [7n, 8n, 1],
    ]);
    const all = await b.call(ShareFetchApi, 1, shareFetch("ru", "m1", 0, [tp]));
    assert.deepEqual(acquired(onlyPartition(all)), [[0n, 11n, 1]]);

    // Nothing more while the transaction is open.
    const waiting = await b.call(ShareFetchApi, 1, shareFetch("rc", "m1", 1, []));
    assert.deepEqual(acquired(onlyPartition(waiting)), []);
    await endTxn(topic, 12n, true); // 12: the LSO moves to 13
    const rest = await b.call(ShareFetchApi, 1, shareFetch("rc", "m1", 2, []));
    assert.deepEqual(acquired(onlyPartition(rest)), [[9n, 12n, 1]]);

    // Closing the session releases what m1 holds; the aborted records were archived, so
    // another member gets everything again but them.
    await b.call(ShareFetchApi, 1, shareFetch("rc", "m1", -1, []));
    const again = await b.call(ShareFetchApi, 1, shareFetch("rc", "m2", 0, [tp]));
    assert.deepEqual(acquired(onlyPartition(again)), [
      [0n, 4n, 2],
      [7n, 12n, 2],
    ]);
  });

  it("read_committed acquires past aborted records when they were all it took", async () => {
    const { topic, tp } = freshTopic();
    assert.equal(await produce(topic, 3, 20n), 0n); // 0-2 aborted
    await endTxn(topic, 20n, false); // 3
    assert.equal(await produce(topic, 2), 4n); // 4-5 plain
    const first = await b.call(
      ShareFetchApi,
      1,
      shareFetch("rc", "m1", 0, [tp], { maxRecords: 3, batchSize: 3 }),
    );
    // Acquiring 0-2 found only aborted records: archived, then 3 on were acquired.
    assert.deepEqual(acquired(onlyPartition(first)), [[3n, 5n, 1]]);
  });
});
