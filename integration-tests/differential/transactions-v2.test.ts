/**
 * Transactions v2 (KIP-890) and feature flags against Kafka 4.4.0: the finalized
 * features ApiVersions reports (transaction.version 2 is what makes a client use
 * transactions v2), then a TV2 producer's conversation: no AddPartitionsToTxn or
 * AddOffsetsToTxn (Produce v12 and TxnOffsetCommit v5 add implicitly), EndTxn v5
 * bumping the epoch and its retry, a late Produce that must not open a hanging
 * transaction, and the broker-side AddPartitionsToTxn v5 (verify only and add); then
 * UpdateFeatures' checks and a real change of transaction.version.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
  AddPartitionsToTxnApi,
  ApiVersionsApi,
  createAddPartitionsToTxnRequest,
  createAddPartitionsToTxnRequestTopic,
  createAddPartitionsToTxnRequestTransaction,
  createApiVersionsRequest,
  createDescribeTransactionsRequest,
  createEndTxnRequest,
  createInitProducerIdRequest,
  createOffsetFetchRequest,
  createProduceRequestPartitionData,
  createProduceRequestTopicData,
  createTxnOffsetCommitRequest,
  createTxnOffsetCommitRequestPartition,
  createTxnOffsetCommitRequestTopic,
  createUpdateFeaturesRequest,
  createUpdateFeaturesRequestFeatureUpdateKey,
  DescribeTransactionsApi,
  EndTxnApi,
  ErrorCode,
  FetchApi,
  InitProducerIdApi,
  ListOffsetsApi,
  OffsetFetchApi,
  ProduceApi,
  type ProduceResponse,
  TxnOffsetCommitApi,
  UpdateFeaturesApi,
  type UpdateFeaturesRequest,
} from "@logbook/protocol";
import { FEATURES } from "../../packages/broker/src/features.js";
import { EXPECTED_DIVERGENCES } from "./allowed-differences.js";
import { fetch, listOffsets, produce } from "./data-requests.js";
import { type Conversation, DiffPair, SIDES, type Side } from "./pair.js";
import { batch, settleCoordinator, settleTransactions, topicIds } from "./setup.js";

let pair: DiffPair;
let conv: Conversation;
const TXN = "diff-tv2";
const GROUP = "diff-tv2-group";
const TOPIC = "tv2";

before(async () => {
  pair = await DiffPair.start();
  conv = await pair.conversation();
  await conv.createTopic(TOPIC, 3);
  await settleCoordinator(conv, GROUP, 0);
  await settleTransactions(conv);
});
after(async () => {
  conv?.close();
  await pair?.stop();
});

const software = { clientSoftwareName: "diff-test", clientSoftwareVersion: "1.0" };

test("ApiVersions v3 and v4 report the features Logbook implements at Kafka's levels", async () => {
  for (const version of [3, 4, 5]) {
    const x = await conv.exchange(ApiVersionsApi, version, createApiVersionsRequest(software));
    assert.equal(x.kafka.kind, "answer");
    assert.equal(x.logbook.kind, "answer");
    if (x.kafka.kind !== "answer" || x.logbook.kind !== "answer") return;
    const k = x.kafka.body;
    const l = x.logbook.body;
    assert.ok(l.finalizedFeaturesEpoch >= 0n, "a known epoch");
    for (const row of FEATURES) {
      const kSupported = k.supportedFeatures.find((f) => f.name === row.name);
      const lSupported = l.supportedFeatures.find((f) => f.name === row.name);
      const kFinal = k.finalizedFeatures.find((f) => f.name === row.name);
      const lFinal = l.finalizedFeatures.find((f) => f.name === row.name);
      // v3 leaves out what starts at 0, on both sides alike.
      assert.equal(lSupported === undefined, kSupported === undefined, `v${version} ${row.name}`);
      if (kSupported === undefined || lSupported === undefined) continue;
      assert.equal(lSupported.minVersion, kSupported.minVersion, `${row.name} min`);
      if (row.max === kSupported.maxVersion) {
        // Implemented in full: the same supported range and the same finalized level.
        assert.deepEqual(lSupported, kSupported, `v${version} ${row.name}`);
        assert.deepEqual(lFinal, kFinal, `v${version} finalized ${row.name}`);
      } else {
        // Implemented up to a lower level (see the row's reason): finalized there.
        assert.ok(row.max < kSupported.maxVersion, `${row.name}: never above Kafka`);
        assert.equal(lSupported.maxVersion, row.max, row.name);
        assert.equal(lFinal?.maxVersionLevel, row.max > 0 ? row.max : undefined, row.name);
      }
    }
    const tv = l.finalizedFeatures.find((f) => f.name === "transaction.version");
    assert.deepEqual([tv?.minVersionLevel, tv?.maxVersionLevel], [2, 2]);
  }
});

test("ApiVersions v5: a client that expects another cluster is told to rebootstrap", async () => {
  for (const clusterId of ["not-this-cluster", null]) {
    const r = await conv.same(
      ApiVersionsApi,
      5,
      createApiVersionsRequest({ ...software, clusterId, nodeId: clusterId === null ? -1 : 1 }),
    );
    const expected = clusterId === null ? ErrorCode.NONE : ErrorCode.REBOOTSTRAP_REQUIRED;
    assert.equal(r.kafka.errorCode, expected);
  }
});

interface Producer {
  id: Record<Side, bigint>;
  epoch: number;
}

async function init(): Promise<Producer> {
  const r = await conv.settle(
    InitProducerIdApi,
    5,
    createInitProducerIdRequest({ transactionalId: TXN, transactionTimeoutMs: 60_000 }),
    (x) => x.errorCode === ErrorCode.CONCURRENT_TRANSACTIONS,
  );
  assert.equal(r.kafka.errorCode, ErrorCode.NONE);
  return {
    id: conv.alias("producer", { kafka: r.kafka.producerId, logbook: r.logbook.producerId }),
    epoch: r.kafka.producerEpoch,
  };
}

async function txnProduce(
  p: Producer,
  version: number,
  partition: number,
  baseSequence: number,
  epoch = p.epoch,
) {
  const records: Record<Side, Buffer> = {
    kafka: Buffer.alloc(0),
    logbook: Buffer.alloc(0),
  };
  for (const s of SIDES) {
    records[s] = await batch(2, {
      producerId: p.id[s],
      producerEpoch: epoch,
      baseSequence,
      transactional: true,
    });
  }
  return conv.same(ProduceApi, version, (s) =>
    produce(TOPIC, partition, records[s], { transactionalId: TXN }),
  );
}

const endTxn =
  (p: Producer, committed: boolean, epoch = p.epoch) =>
  (s: Side) =>
    createEndTxnRequest({
      transactionalId: TXN,
      producerId: p.id[s],
      producerEpoch: epoch,
      committed,
    });

/** Kafka answers EndTxn before its markers are written; wait until both are complete. */
async function settleEnded(): Promise<void> {
  await conv.settle(
    DescribeTransactionsApi,
    0,
    createDescribeTransactionsRequest({ transactionalIds: [TXN] }),
    (r) => r.transactionStates[0]?.transactionState.startsWith("Prepare") ?? false,
  );
}

const describe = () =>
  conv.same(
    DescribeTransactionsApi,
    0,
    createDescribeTransactionsRequest({ transactionalIds: [TXN] }),
  );

const addV5 =
  (p: Producer, verifyOnly: boolean, partitions: number[], epoch = p.epoch) =>
  (s: Side) =>
    createAddPartitionsToTxnRequest({
      transactions: [
        createAddPartitionsToTxnRequestTransaction({
          transactionalId: TXN,
          producerId: p.id[s],
          producerEpoch: epoch,
          verifyOnly,
          topics: [createAddPartitionsToTxnRequestTopic({ name: TOPIC, partitions })],
        }),
      ],
    });

/**
 * Where each isolation level ends (high watermark, last stable offset), and what a
 * read_committed Fetch returns apart from the markers' own timestamps.
 */
async function ends(partition: number): Promise<void> {
  for (const isolationLevel of [0, 1]) {
    await conv.same(ListOffsetsApi, 5, { ...listOffsets(TOPIC, partition, -1n), isolationLevel });
  }
  await conv.differs(
    FetchApi,
    11,
    fetch(TOPIC, partition, 0n, { isolationLevel: 1 }),
    EXPECTED_DIVERGENCES.markerTimestamps,
  );
}

let producer: Producer;

test("Produce v12 adds its partition to the transaction; TxnOffsetCommit v5 adds the group", async () => {
  producer = await init();
  await txnProduce(producer, 12, 0, 0);
  const d = await describe();
  assert.equal(d.kafka.transactionStates[0]?.transactionState, "Ongoing");
  await conv.same(TxnOffsetCommitApi, 5, (s) =>
    createTxnOffsetCommitRequest({
      transactionalId: TXN,
      groupId: GROUP,
      producerId: producer.id[s],
      producerEpoch: producer.epoch,
      topics: [
        createTxnOffsetCommitRequestTopic({
          name: TOPIC,
          partitions: [
            createTxnOffsetCommitRequestPartition({ partitionIndex: 0, committedOffset: 2n }),
          ],
        }),
      ],
    }),
  );
  await describe();
});

test("AddPartitionsToTxn v5: verify only reports what is in the transaction; add adds", async () => {
  const verified = await conv.same(AddPartitionsToTxnApi, 5, addV5(producer, true, [0, 1]));
  const codes = verified.kafka.resultsByTransaction[0]?.topicResults[0]?.resultsByPartition.map(
    (p) => p.partitionErrorCode,
  );
  assert.deepEqual(codes, [ErrorCode.NONE, ErrorCode.TRANSACTION_ABORTABLE]);
  await conv.same(AddPartitionsToTxnApi, 5, addV5(producer, true, [0], producer.epoch + 1));
  await conv.same(AddPartitionsToTxnApi, 5, addV5(producer, false, [1]));
  await conv.same(AddPartitionsToTxnApi, 5, addV5(producer, true, [0, 1]));
  await describe();
});

test("EndTxn v5 bumps the epoch, answers it, and a retry with the old epoch is accepted", async () => {
  const r = await conv.same(EndTxnApi, 5, endTxn(producer, true));
  assert.equal(r.kafka.producerEpoch, producer.epoch + 1);
  await settleEnded();
  await describe();
  const retried = await conv.same(EndTxnApi, 5, endTxn(producer, true));
  assert.deepEqual(
    [retried.kafka.errorCode, retried.kafka.producerEpoch],
    [ErrorCode.NONE, producer.epoch + 1],
  );
  const opposite = await conv.same(EndTxnApi, 5, endTxn(producer, false));
  assert.notEqual(opposite.kafka.errorCode, ErrorCode.NONE);
  await ends(0);
  await conv.same(OffsetFetchApi, 7, createOffsetFetchRequest({ groupId: GROUP, topics: null }));
  producer = { ...producer, epoch: r.kafka.producerEpoch };
});

test("a late Produce cannot open a transaction", async () => {
  // The old epoch (a retry that arrives after the commit) and the new one without a
  // transaction, at v11 (verified) and at v12 with the old epoch.
  const code = (r: Record<Side, ProduceResponse>) =>
    r.kafka.responses[0]?.partitionResponses[0]?.errorCode;
  for (const version of [11, 12]) {
    const late = await txnProduce(producer, version, 2, 0, producer.epoch - 1);
    assert.equal(code(late), ErrorCode.INVALID_PRODUCER_EPOCH);
  }
  assert.equal(code(await txnProduce(producer, 11, 2, 0)), ErrorCode.TRANSACTION_ABORTABLE);
  assert.equal(code(await txnProduce(producer, 9, 2, 0)), ErrorCode.INVALID_TXN_STATE);
  await describe();
  // Nothing was written, so nothing holds the last stable offset back.
  for (const isolationLevel of [0, 1]) {
    await conv.same(ListOffsetsApi, 5, { ...listOffsets(TOPIC, 2, -1n), isolationLevel });
  }
});

test("EndTxn v5 abort with no transaction open, and a second transaction at the new epoch", async () => {
  await conv.same(EndTxnApi, 5, endTxn(producer, false));
  await settleEnded();
  const d = await describe();
  producer = { ...producer, epoch: d.kafka.transactionStates[0]?.producerEpoch ?? -1 };
  await txnProduce(producer, 12, 1, 0);
  await conv.same(EndTxnApi, 5, endTxn(producer, false));
  await settleEnded();
  await describe();
  await ends(1);
});

test("transactions v1: a produce that arrives after the commit cannot leave a hanging transaction", async () => {
  // KIP-890 part 1: the same epoch (v1 does not bump it), the partition no longer in a
  // transaction. Refused, so nothing holds the last stable offset back.
  const v1 = await init();
  await conv.same(AddPartitionsToTxnApi, 3, (s) =>
    createAddPartitionsToTxnRequest({
      v3AndBelowTransactionalId: TXN,
      v3AndBelowProducerId: v1.id[s],
      v3AndBelowProducerEpoch: v1.epoch,
      v3AndBelowTopics: [createAddPartitionsToTxnRequestTopic({ name: TOPIC, partitions: [2] })],
    }),
  );
  await txnProduce(v1, 9, 2, 0);
  await conv.same(EndTxnApi, 3, endTxn(v1, true));
  await settleEnded();
  const late = await txnProduce(v1, 9, 2, 2);
  assert.equal(
    late.kafka.responses[0]?.partitionResponses[0]?.errorCode,
    ErrorCode.INVALID_TXN_STATE,
  );
  await describe();
  for (const isolationLevel of [0, 1]) {
    await conv.same(ListOffsetsApi, 5, { ...listOffsets(TOPIC, 2, -1n), isolationLevel });
  }
});

const featureUpdate = (
  feature: string,
  level: number,
  upgradeType: number,
  validateOnly: boolean,
  allowDowngrade = false,
) =>
  createUpdateFeaturesRequest({
    timeoutMs: 10_000,
    validateOnly,
    featureUpdates: [
      createUpdateFeaturesRequestFeatureUpdateKey({
        feature,
        maxVersionLevel: level,
        upgradeType,
        allowDowngrade,
      }),
    ],
  });

test("UpdateFeatures: Kafka's checks, all or nothing, validate only", async () => {
  const cases: [number, UpdateFeaturesRequest][] = [
    [1, featureUpdate("transaction.version", 1, 2, true)],
    [1, featureUpdate("transaction.version", 1, 3, true)],
    [1, featureUpdate("transaction.version", 0, 2, true)],
    [1, featureUpdate("transaction.version", 2, 1, true)],
    [1, featureUpdate("transaction.version", 3, 1, true)],
    [1, featureUpdate("no.such.feature", 1, 1, true)],
    [1, featureUpdate("transaction.version", 1, 1, true)],
    [1, featureUpdate("transaction.version", 1, 0, true)],
    [1, featureUpdate("transaction.version", 1, 4, true)],
    [1, featureUpdate("metadata.version", 20, 2, true)],
    [0, featureUpdate("transaction.version", 1, 1, false)],
    [2, featureUpdate("transaction.version", 3, 1, true)],
    [2, featureUpdate("transaction.version", 1, 2, true)],
    [1, createUpdateFeaturesRequest({ timeoutMs: 10_000, validateOnly: true, featureUpdates: [] })],
    [
      1,
      createUpdateFeaturesRequest({
        timeoutMs: 10_000,
        validateOnly: false,
        featureUpdates: [
          createUpdateFeaturesRequestFeatureUpdateKey({
            feature: "transaction.version",
            maxVersionLevel: 1,
            upgradeType: 2,
          }),
          createUpdateFeaturesRequestFeatureUpdateKey({
            feature: "no.such.feature",
            maxVersionLevel: 1,
            upgradeType: 1,
          }),
        ],
      }),
    ],
  ];
  for (const [version, body] of cases) await conv.same(UpdateFeaturesApi, version, body);
  // Nothing above changed a level.
  const finalized = async () => {
    const r = await conv.same(ApiVersionsApi, 4, createApiVersionsRequest(software));
    return r.logbook.finalizedFeatures.find((f) => f.name === "transaction.version")
      ?.maxVersionLevel;
  };
  assert.equal(await finalized(), 2);
});

test("UpdateFeatures: transaction.version down to 1 and back to 2, as ApiVersions then reports", async () => {
  const down = await conv.same(
    UpdateFeaturesApi,
    1,
    featureUpdate("transaction.version", 1, 2, false),
  );
  assert.equal(down.kafka.errorCode, ErrorCode.NONE);
  const level = async (side: Side) => {
    const x = await conv.exchange(ApiVersionsApi, 4, createApiVersionsRequest(software));
    const r = x[side];
    if (r.kind !== "answer") return undefined;
    return r.body.finalizedFeatures.find((f) => f.name === "transaction.version")?.maxVersionLevel;
  };
  // Kafka's brokers learn the new level from the metadata log a moment later.
  const settled = async (want: number) => {
    for (let i = 0; i < 50 && (await level("kafka")) !== want; i++)
      await new Promise((r) => setTimeout(r, 100));
    await conv.same(ApiVersionsApi, 4, createApiVersionsRequest(software));
    return level("logbook");
  };
  assert.equal(await settled(1), 1);
  await conv.same(UpdateFeaturesApi, 1, featureUpdate("transaction.version", 2, 1, false));
  assert.equal(await settled(2), 2);
});

test("Produce v13 and TxnOffsetCommit v6 name topics by id; an unknown id is UNKNOWN_TOPIC_ID", async () => {
  const ids = await topicIds(conv, TOPIC);
  const unknown = Buffer.alloc(16, 7);
  const records = await batch(2);
  for (const id of [ids, { kafka: unknown, logbook: unknown }]) {
    await conv.same(ProduceApi, 13, (s) => ({
      ...produce(TOPIC, 0, records),
      topicData: [
        createProduceRequestTopicData({
          name: "",
          topicId: id[s],
          partitionData: [createProduceRequestPartitionData({ index: 0, records })],
        }),
      ],
    }));
  }
  const p = await init();
  await txnProduce(p, 12, 0, 0);
  for (const id of [ids, { kafka: unknown, logbook: unknown }]) {
    await conv.same(TxnOffsetCommitApi, 6, (s) =>
      createTxnOffsetCommitRequest({
        transactionalId: TXN,
        groupId: GROUP,
        producerId: p.id[s],
        producerEpoch: p.epoch,
        topics: [
          createTxnOffsetCommitRequestTopic({
            topicId: id[s],
            partitions: [
              createTxnOffsetCommitRequestPartition({ partitionIndex: 0, committedOffset: 1n }),
            ],
          }),
        ],
      }),
    );
  }
  await conv.same(EndTxnApi, 5, endTxn(p, false));
  await settleEnded();
});
