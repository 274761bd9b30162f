/**
 * The transaction APIs over the wire against a real Broker, at the versions clients
 * send (librdkafka/kafkajs v0-1, Java v3-5): ApiVersions, FindCoordinator key_type 1,
 * InitProducerId with transactional ids, AddPartitionsToTxn/AddOffsetsToTxn/EndTxn
 * and their errors, DescribeTransactions, ListTransactions, a timeout abort and a
 * decided commit completed after a restart. Markers and offsets go to fakes here so
 * these tests pin the coordinator's requests exactly (the data plane and group sides
 * have their own tests).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  AddOffsetsToTxnApi,
  AddPartitionsToTxnApi,
  ApiVersionsApi,
  createAddOffsetsToTxnRequest,
  createAddPartitionsToTxnRequest,
  createAddPartitionsToTxnRequestTopic,
  createApiVersionsRequest,
  createDescribeTransactionsRequest,
  createEndTxnRequest,
  createFindCoordinatorRequest,
  createInitProducerIdRequest,
  createListTransactionsRequest,
  DescribeTransactionsApi,
  EndTxnApi,
  ErrorCode,
  FindCoordinatorApi,
  InitProducerIdApi,
  ListTransactionsApi,
} from "@logbook/protocol";
import type { TestBroker } from "./helpers/admin-broker.js";
import { startTestBroker } from "./helpers/admin-broker.js";
import { createTopic } from "./helpers/group-wire.js";
import { FakeMarkerWriter, FakeOffsetsCompleter } from "./helpers/txn-fakes.js";

let b: TestBroker;
const markers = new FakeMarkerWriter();
const offsets = new FakeOffsetsCompleter();
const useFakes = () => b.broker.txn.attach({ markers, offsets });

before(async () => {
  b = await startTestBroker({ transactionMaxTimeoutMs: 60_000 });
  useFakes();
  await createTopic(b, "t", 3);
});
after(async () => {
  await b.stop();
});

async function initPid(id: string, version = 1, timeoutMs = 10_000) {
  return b.client.send(
    InitProducerIdApi,
    version,
    createInitProducerIdRequest({
      transactionalId: id,
      transactionTimeoutMs: timeoutMs,
      producerId: -1n,
      producerEpoch: -1,
    }),
  );
}

async function addPartitions(
  id: string,
  pid: bigint,
  epoch: number,
  topics: [string, number[]][],
  version = 0,
) {
  const r = await b.client.send(
    AddPartitionsToTxnApi,
    version,
    createAddPartitionsToTxnRequest({
      v3AndBelowTransactionalId: id,
      v3AndBelowProducerId: pid,
      v3AndBelowProducerEpoch: epoch,
      v3AndBelowTopics: topics.map(([name, partitions]) =>
        createAddPartitionsToTxnRequestTopic({ name, partitions }),
      ),
    }),
  );
  return r.resultsByTopicV3AndBelow.flatMap((t) =>
    t.resultsByPartition.map((p) => `${t.name}/${p.partitionIndex}=${p.partitionErrorCode}`),
  );
}

async function endTxn(id: string, pid: bigint, epoch: number, commit: boolean, version = 0) {
  const r = await b.client.send(
    EndTxnApi,
    version,
    createEndTxnRequest({
      transactionalId: id,
      producerId: pid,
      producerEpoch: epoch,
      committed: commit,
    }),
  );
  return r.errorCode;
}

async function describe1(id: string) {
  const r = await b.client.send(
    DescribeTransactionsApi,
    0,
    createDescribeTransactionsRequest({ transactionalIds: [id] }),
  );
  const s = r.transactionStates[0];
  assert.ok(s);
  return s;
}

describe("discovery", () => {
  it("advertises the client versions of the transaction APIs", async () => {
    const r = await b.client.send(ApiVersionsApi, 2, createApiVersionsRequest({}));
    const range = (key: number) => {
      const k = r.apiKeys.find((a) => a.apiKey === key);
      return k === undefined ? undefined : [k.minVersion, k.maxVersion];
    };
    assert.deepEqual(range(22), [0, 5]);
    assert.deepEqual(range(24), [0, 5]);
    assert.deepEqual(range(28), [0, 6]);
    assert.deepEqual(range(25), [0, 4]);
    assert.deepEqual(range(26), [0, 5]);
    assert.deepEqual(range(65), [0, 0]);
    assert.deepEqual(range(66), [0, 1]);
  });

  it("FindCoordinator key_type 1 answers this node (v1 and batched v4)", async () => {
    const v1 = await b.client.send(
      FindCoordinatorApi,
      1,
      createFindCoordinatorRequest({ key: "tx", keyType: 1 }),
    );
    assert.deepEqual(
      [v1.errorCode, v1.nodeId, v1.port],
      [ErrorCode.NONE, b.broker.config.nodeId, b.port],
    );
    const v4 = await b.client.send(
      FindCoordinatorApi,
      4,
      createFindCoordinatorRequest({ coordinatorKeys: ["tx1", "tx2"], keyType: 1 }),
    );
    assert.deepEqual(
      v4.coordinators.map((c) => [c.key, c.errorCode, c.nodeId]),
      [
        ["tx1", ErrorCode.NONE, b.broker.config.nodeId],
        ["tx2", ErrorCode.NONE, b.broker.config.nodeId],
      ],
    );
  });
});

describe("InitProducerId with a transactional id", () => {
  it("validates the timeout and the id, allocates, then bumps the epoch", async () => {
    assert.equal(
      (await initPid("w-init", 1, 60_001)).errorCode,
      ErrorCode.INVALID_TRANSACTION_TIMEOUT,
    );
    assert.equal((await initPid("", 1)).errorCode, ErrorCode.INVALID_REQUEST);
    const first = await initPid("w-init", 1);
    assert.deepEqual([first.errorCode, first.producerEpoch], [ErrorCode.NONE, 0]);
    assert.ok(first.producerId >= 0n);
    const second = await initPid("w-init", 4);
    assert.deepEqual([second.producerId, second.producerEpoch], [first.producerId, 1]);
    // KIP-360 with a stale epoch: PRODUCER_FENCED at v4, INVALID_PRODUCER_EPOCH at v3.
    for (const [version, code] of [
      [4, ErrorCode.PRODUCER_FENCED],
      [3, ErrorCode.INVALID_PRODUCER_EPOCH],
    ] as const) {
      const stale = await b.client.send(
        InitProducerIdApi,
        version,
        createInitProducerIdRequest({
          transactionalId: "w-init",
          transactionTimeoutMs: 10_000,
          producerId: first.producerId + 77n,
          producerEpoch: 0,
        }),
      );
      assert.equal(stale.errorCode, code);
    }
  });
});

describe("a transaction", () => {
  it("commits with markers to exactly the added partitions", async () => {
    const { producerId: pid, producerEpoch: epoch } = await initPid("w-commit");
    // An unknown partition fails the request: the rest is not attempted.
    assert.deepEqual(
      await addPartitions("w-commit", pid, epoch, [
        ["t", [0, 9]],
        ["nope", [0]],
      ]),
      [
        `t/0=${ErrorCode.OPERATION_NOT_ATTEMPTED}`,
        `t/9=${ErrorCode.UNKNOWN_TOPIC_OR_PARTITION}`,
        `nope/0=${ErrorCode.UNKNOWN_TOPIC_OR_PARTITION}`,
      ],
    );
    assert.equal((await describe1("w-commit")).transactionState, "Empty");
    assert.deepEqual(await addPartitions("w-commit", pid, epoch, [["t", [2, 0]]], 3), [
      `t/2=${ErrorCode.NONE}`,
      `t/0=${ErrorCode.NONE}`,
    ]);
    const add = await b.client.send(
      AddOffsetsToTxnApi,
      0,
      createAddOffsetsToTxnRequest({
        transactionalId: "w-commit",
        producerId: pid,
        producerEpoch: epoch,
        groupId: "g",
      }),
    );
    assert.equal(add.errorCode, ErrorCode.NONE);
    // A second group lives in the same __consumer_offsets partition: listed once.
    const add2 = await b.client.send(
      AddOffsetsToTxnApi,
      3,
      createAddOffsetsToTxnRequest({
        transactionalId: "w-commit",
        producerId: pid,
        producerEpoch: epoch,
        groupId: "g2",
      }),
    );
    assert.equal(add2.errorCode, ErrorCode.NONE);
    const ongoing = await describe1("w-commit");
    assert.deepEqual(
      [ongoing.errorCode, ongoing.transactionState, ongoing.producerId, ongoing.producerEpoch],
      [ErrorCode.NONE, "Ongoing", pid, epoch],
    );
    // As Kafka: the groups' offsets partition is one of the transaction's partitions.
    assert.deepEqual(
      ongoing.topics.map((t) => [t.topic, t.partitions]),
      [
        ["__consumer_offsets", [0]],
        ["t", [0, 2]],
      ],
    );
    assert.ok(ongoing.transactionStartTimeMs > 0n);
    const listed = await b.client.send(
      ListTransactionsApi,
      1,
      createListTransactionsRequest({ producerIdFilters: [pid], durationFilter: -1n }),
    );
    assert.deepEqual(
      listed.transactionStates.map((t) => [t.transactionalId, t.producerId, t.transactionState]),
      [["w-commit", pid, "Ongoing"]],
    );
    markers.calls.length = 0;
    offsets.calls.length = 0;
    assert.equal(await endTxn("w-commit", pid, epoch, true), ErrorCode.NONE);
    assert.deepEqual(markers.calls, [
      {
        partitions: ["t/0", "t/2"],
        marker: { producerId: pid, producerEpoch: epoch, commit: true, coordinatorEpoch: 0 },
      },
    ]);
    assert.deepEqual(offsets.calls, [{ producerId: pid, producerEpoch: epoch, commit: true }]);
    const done = await describe1("w-commit");
    assert.deepEqual([done.transactionState, done.topics.length], ["CompleteCommit", 0]);
    // Retry of the commit: NONE; abort now: INVALID_TXN_STATE.
    assert.equal(await endTxn("w-commit", pid, epoch, true, 1), ErrorCode.NONE);
    assert.equal(await endTxn("w-commit", pid, epoch, false, 3), ErrorCode.INVALID_TXN_STATE);
  });

  it("EndTxn errors by version: fenced, unknown producer, no transaction", async () => {
    const { producerId: pid, producerEpoch: epoch } = await initPid("w-err");
    assert.equal(await endTxn("w-err", pid, epoch, true), ErrorCode.INVALID_TXN_STATE);
    assert.equal(
      await endTxn("w-err", pid + 1n, epoch, true),
      ErrorCode.INVALID_PRODUCER_ID_MAPPING,
    );
    assert.equal(await endTxn("w-err", pid, epoch + 1, true, 1), ErrorCode.INVALID_PRODUCER_EPOCH);
    assert.equal(await endTxn("w-err", pid, epoch + 1, true, 2), ErrorCode.PRODUCER_FENCED);
    assert.deepEqual(await addPartitions("w-err", pid, epoch + 1, [["t", [1]]], 1), [
      `t/1=${ErrorCode.INVALID_PRODUCER_EPOCH}`,
    ]);
    assert.deepEqual(await addPartitions("w-err", pid, epoch + 1, [["t", [1]]], 2), [
      `t/1=${ErrorCode.PRODUCER_FENCED}`,
    ]);
  });

  it("a new producer with the same id aborts the zombie's transaction first", async () => {
    const old = await initPid("w-zombie");
    await addPartitions("w-zombie", old.producerId, old.producerEpoch, [["t", [1]]]);
    markers.calls.length = 0;
    const fencing = await initPid("w-zombie", 4);
    assert.equal(fencing.errorCode, ErrorCode.CONCURRENT_TRANSACTIONS);
    await b.broker.txn.idle();
    assert.deepEqual(
      markers.calls.map((c) => [c.partitions, c.marker.commit]),
      [[["t/1"], false]],
    );
    const fresh = await initPid("w-zombie", 4);
    assert.deepEqual(
      [fresh.errorCode, fresh.producerEpoch],
      [ErrorCode.NONE, old.producerEpoch + 2],
    );
    assert.equal(
      await endTxn("w-zombie", old.producerId, old.producerEpoch, true, 3),
      ErrorCode.PRODUCER_FENCED,
    );
  });

  it("is aborted by the broker once left open past its timeout", async () => {
    const p = await initPid("w-timeout", 1, 1_000);
    await addPartitions("w-timeout", p.producerId, p.producerEpoch, [["t", [0]]]);
    assert.deepEqual(await b.broker.txn.abortTimedOutTransactions(Date.now() + 1_500), [
      "w-timeout",
    ]);
    await b.broker.txn.idle();
    const s = await describe1("w-timeout");
    assert.deepEqual([s.transactionState, s.producerEpoch], ["CompleteAbort", p.producerEpoch + 1]);
    assert.equal(
      await endTxn("w-timeout", p.producerId, p.producerEpoch, true, 2),
      ErrorCode.PRODUCER_FENCED,
    );
  });
});

describe("DescribeTransactions / ListTransactions", () => {
  it("unknown ids are TRANSACTIONAL_ID_NOT_FOUND", async () => {
    const s = await describe1("never-seen");
    assert.equal(s.errorCode, ErrorCode.TRANSACTIONAL_ID_NOT_FOUND);
  });

  it("lists with state, producer id and (v1) duration filters", async () => {
    const p = await initPid("w-list");
    await addPartitions("w-list", p.producerId, p.producerEpoch, [["t", [2]]]);
    const list = async (
      version: number,
      init: Parameters<typeof createListTransactionsRequest>[0],
    ) => {
      const r = await b.client.send(
        ListTransactionsApi,
        version,
        createListTransactionsRequest(init),
      );
      assert.equal(r.errorCode, ErrorCode.NONE);
      return r;
    };
    const ongoing = await list(0, { stateFilters: ["Ongoing", "Nope"] });
    assert.deepEqual(ongoing.unknownStateFilters, ["Nope"]);
    assert.deepEqual(
      ongoing.transactionStates.map((t) => [t.transactionalId, t.producerId, t.transactionState]),
      [["w-list", p.producerId, "Ongoing"]],
    );
    const byPid = await list(0, { producerIdFilters: [p.producerId] });
    assert.deepEqual(
      byPid.transactionStates.map((t) => t.transactionalId),
      ["w-list"],
    );
    const all = await list(1, { durationFilter: -1n });
    assert.ok(all.transactionStates.length >= 5);
    const long = await list(1, { durationFilter: 3_600_000n });
    assert.deepEqual(long.transactionStates, []);
    await endTxn("w-list", p.producerId, p.producerEpoch, false);
  });
});

describe("restart", () => {
  it("KIP-360: a retried epoch bump gets the same answer after a restart", async () => {
    const first = await initPid("w-kip360", 4);
    const bumpWith = (producerId: bigint, producerEpoch: number) =>
      b.client.send(
        InitProducerIdApi,
        4,
        createInitProducerIdRequest({
          transactionalId: "w-kip360",
          transactionTimeoutMs: 10_000,
          producerId,
          producerEpoch,
        }),
      );
    const bumped = await bumpWith(first.producerId, first.producerEpoch);
    assert.deepEqual(
      [bumped.errorCode, bumped.producerId, bumped.producerEpoch],
      [ErrorCode.NONE, first.producerId, first.producerEpoch + 1],
    );
    const before = await bumpWith(first.producerId, first.producerEpoch);
    await b.restart();
    useFakes();
    const after = await bumpWith(first.producerId, first.producerEpoch);
    assert.deepEqual(
      [after.errorCode, after.producerId, after.producerEpoch],
      [before.errorCode, before.producerId, before.producerEpoch],
    );
    assert.equal(after.errorCode, ErrorCode.NONE);
    // A stale epoch is still fenced.
    assert.equal(
      (await bumpWith(first.producerId, first.producerEpoch + 5)).errorCode,
      ErrorCode.PRODUCER_FENCED,
    );
  });

  it("completes a commit decided before the restart", async () => {
    const p = await initPid("w-restart");
    await addPartitions("w-restart", p.producerId, p.producerEpoch, [["t", [1]]]);
    markers.failWith = ErrorCode.NOT_LEADER_OR_FOLLOWER;
    assert.equal(await endTxn("w-restart", p.producerId, p.producerEpoch, true), ErrorCode.NONE);
    assert.equal((await describe1("w-restart")).transactionState, "PrepareCommit");
    markers.failWith = ErrorCode.NONE;
    await b.restart();
    useFakes();
    await b.broker.txn.idle();
    const s = await describe1("w-restart");
    assert.deepEqual([s.transactionState, s.producerId], ["CompleteCommit", p.producerId]);
    // Other ids came back from __transaction_state too.
    assert.equal((await describe1("w-commit")).transactionState, "CompleteCommit");
  });
});
