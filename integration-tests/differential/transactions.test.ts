/**
 * Transactions against Kafka: a transactional producer's whole conversation (init,
 * add partitions and offsets, transactional produce and offset commit, describe and
 * list, commit and abort), and the fencing paths: InitProducerId again with the same
 * transactional id, then produce, AddPartitionsToTxn and EndTxn with the old epoch.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
  AddOffsetsToTxnApi,
  AddPartitionsToTxnApi,
  createAddOffsetsToTxnRequest,
  createAddPartitionsToTxnRequest,
  createAddPartitionsToTxnRequestTopic,
  createDescribeTransactionsRequest,
  createEndTxnRequest,
  createInitProducerIdRequest,
  createListTransactionsRequest,
  createTxnOffsetCommitRequest,
  createTxnOffsetCommitRequestPartition,
  createTxnOffsetCommitRequestTopic,
  DescribeTransactionsApi,
  EndTxnApi,
  ErrorCode,
  FetchApi,
  InitProducerIdApi,
  ListOffsetsApi,
  ListTransactionsApi,
  ProduceApi,
  TxnOffsetCommitApi,
} from "@logbook/protocol";
import { EXPECTED_DIVERGENCES } from "./allowed-differences.js";
import { fetch, listOffsets, produce } from "./data-requests.js";
import { type Conversation, DiffPair, type Side } from "./pair.js";
import { batch, settleCoordinator, settleTransactions } from "./setup.js";

let pair: DiffPair;
let conv: Conversation;
const TXN = "diff-txn";
const GROUP = "diff-txn-group";

before(async () => {
  pair = await DiffPair.start();
  conv = await pair.conversation();
  await conv.createTopic("txn", 2);
  await settleCoordinator(conv, GROUP, 0);
  await settleTransactions(conv);
});
after(async () => {
  conv?.close();
  await pair?.stop();
});

interface Producer {
  id: Record<Side, bigint>;
  epoch: number;
}

/** InitProducerId for TXN; Kafka answers CONCURRENT_TRANSACTIONS while it aborts an old one. */
async function init(name: string): Promise<Producer> {
  const r = await conv.settle(
    InitProducerIdApi,
    4,
    createInitProducerIdRequest({ transactionalId: TXN, transactionTimeoutMs: 60_000 }),
    (x) => x.errorCode === ErrorCode.CONCURRENT_TRANSACTIONS,
  );
  assert.equal(r.kafka.errorCode, ErrorCode.NONE);
  return {
    id: conv.alias(name, { kafka: r.kafka.producerId, logbook: r.logbook.producerId }),
    epoch: r.kafka.producerEpoch,
  };
}

const addPartitions =
  (p: Producer, epoch = p.epoch, txn = TXN) =>
  (s: Side) =>
    createAddPartitionsToTxnRequest({
      v3AndBelowTransactionalId: txn,
      v3AndBelowProducerId: p.id[s],
      v3AndBelowProducerEpoch: epoch,
      v3AndBelowTopics: [createAddPartitionsToTxnRequestTopic({ name: "txn", partitions: [0] })],
    });

async function txnProduce(p: Producer, epoch: number, baseSequence: number, partition = 0) {
  const records: Record<Side, Buffer> = {
    kafka: await batch(2, {
      producerId: p.id.kafka,
      producerEpoch: epoch,
      baseSequence,
      transactional: true,
    }),
    logbook: await batch(2, {
      producerId: p.id.logbook,
      producerEpoch: epoch,
      baseSequence,
      transactional: true,
    }),
  };
  return conv.same(ProduceApi, 9, (s) =>
    produce("txn", partition, records[s], { transactionalId: TXN }),
  );
}

/**
 * Kafka answers EndTxn before its coordinator has written the markers (and answers
 * CONCURRENT_TRANSACTIONS until then); Logbook writes them first. Wait until both
 * show the transaction complete, then compare.
 */
async function settleEnded(): Promise<void> {
  await conv.settle(
    DescribeTransactionsApi,
    0,
    createDescribeTransactionsRequest({ transactionalIds: [TXN] }),
    (r) => r.transactionStates[0]?.transactionState.startsWith("Prepare") ?? false,
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

let first: Producer;

test("unknown transactional ids are refused alike", async () => {
  const ghost: Producer = { id: { kafka: 4242n, logbook: 4242n }, epoch: 0 };
  await conv.same(AddPartitionsToTxnApi, 3, addPartitions(ghost, 0, "ghost-txn"));
  await conv.same(EndTxnApi, 3, (s) =>
    createEndTxnRequest({
      transactionalId: "ghost-txn",
      producerId: ghost.id[s],
      producerEpoch: 0,
      committed: true,
    }),
  );
  await conv.same(
    DescribeTransactionsApi,
    0,
    createDescribeTransactionsRequest({ transactionalIds: ["ghost-txn"] }),
  );
  await conv.same(
    InitProducerIdApi,
    4,
    createInitProducerIdRequest({
      transactionalId: "big-timeout",
      transactionTimeoutMs: 2_000_000_000,
    }),
  );
});

test("a transaction: add partitions and offsets, produce, commit offsets, describe, commit", async () => {
  first = await init("producer");
  await conv.same(AddPartitionsToTxnApi, 3, addPartitions(first));
  await txnProduce(first, first.epoch, 0);
  // A partition not added to the transaction.
  await txnProduce(first, first.epoch, 0, 1);
  await conv.same(AddOffsetsToTxnApi, 3, (s) =>
    createAddOffsetsToTxnRequest({
      transactionalId: TXN,
      producerId: first.id[s],
      producerEpoch: first.epoch,
      groupId: GROUP,
    }),
  );
  await conv.same(TxnOffsetCommitApi, 3, (s) =>
    createTxnOffsetCommitRequest({
      transactionalId: TXN,
      groupId: GROUP,
      producerId: first.id[s],
      producerEpoch: first.epoch,
      generationId: -1,
      memberId: "",
      topics: [
        createTxnOffsetCommitRequestTopic({
          name: "txn",
          partitions: [
            createTxnOffsetCommitRequestPartition({
              partitionIndex: 0,
              committedOffset: 2n,
            }),
          ],
        }),
      ],
    }),
  );
  const described = await conv.same(
    DescribeTransactionsApi,
    0,
    createDescribeTransactionsRequest({ transactionalIds: [TXN] }),
  );
  assert.equal(described.kafka.transactionStates[0]?.transactionState, "Ongoing");
  await conv.same(ListTransactionsApi, 1, createListTransactionsRequest({ durationFilter: -1n }));
  // No marker yet: the open transaction's records (read_uncommitted), none (read_committed).
  for (const isolationLevel of [0, 1])
    await conv.same(FetchApi, 11, fetch("txn", 0, 0n, { isolationLevel }));
  const ended = await conv.same(EndTxnApi, 3, endTxn(first, true));
  assert.equal(ended.kafka.errorCode, ErrorCode.NONE);
  await settleEnded();
  await conv.differs(
    FetchApi,
    11,
    fetch("txn", 0, 0n, { isolationLevel: 1 }),
    EXPECTED_DIVERGENCES.markerTimestamps,
  );
  await conv.same(ListOffsetsApi, 5, listOffsets("txn", 0, -1n));
});

test("fencing: InitProducerId again bumps the epoch; the old epoch is refused everywhere", async () => {
  // Open a transaction with the first epoch, then a new InitProducerId fences it.
  await conv.same(AddPartitionsToTxnApi, 3, addPartitions(first));
  await txnProduce(first, first.epoch, 2);
  const second = await init("producer");
  await settleEnded(); // the fenced transaction's abort markers
  // (Kafka answers CONCURRENT_TRANSACTIONS while it aborts the open transaction; the
  // retry bumps again. Both brokers must end at the same epoch, compared by settle.)
  assert.ok(second.epoch > first.epoch);
  const fenced = await txnProduce(first, first.epoch, 4);
  assert.notEqual(fenced.kafka.responses[0]?.partitionResponses[0]?.errorCode, ErrorCode.NONE);
  const add = await conv.same(AddPartitionsToTxnApi, 3, addPartitions(first));
  assert.notEqual(
    add.kafka.resultsByTopicV3AndBelow[0]?.resultsByPartition[0]?.partitionErrorCode,
    ErrorCode.NONE,
  );
  const end = await conv.same(EndTxnApi, 3, endTxn(first, true));
  assert.notEqual(end.kafka.errorCode, ErrorCode.NONE);
  await conv.same(
    DescribeTransactionsApi,
    0,
    createDescribeTransactionsRequest({ transactionalIds: [TXN] }),
  );
  // The new epoch works, and aborting is answered alike.
  await conv.same(AddPartitionsToTxnApi, 3, addPartitions(second));
  await txnProduce(second, second.epoch, 0);
  await conv.same(EndTxnApi, 3, endTxn(second, false));
  await settleEnded();
  await conv.settle(
    EndTxnApi,
    3,
    endTxn(second, false),
    (x) => x.errorCode === ErrorCode.CONCURRENT_TRANSACTIONS,
  );
  // Where each isolation level ends (high watermark, last stable offset). A Fetch from 0
  // is not compared here: Kafka may return fewer batches per answer under read_committed
  // while it catches up on markers, and both answers are valid.
  for (const isolationLevel of [0, 1]) {
    await conv.same(ListOffsetsApi, 5, { ...listOffsets("txn", 0, -1n), isolationLevel });
  }
});
