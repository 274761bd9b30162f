/**
 * AddPartitionsToTxn (key 24), v0-v5.
 *
 * v0-v3 are the client's form (one transactional id per request). v4+ (KIP-890) carry
 * several transactions, each with verify_only, and a top-level error; Kafka's brokers
 * send them to the transaction coordinator, and Logbook answers them the same way.
 *
 * Partitions of unknown topics (or beyond a topic's partition count) are answered
 * UNKNOWN_TOPIC_OR_PARTITION and the others of that transaction
 * OPERATION_NOT_ATTEMPTED, as in Kafka; otherwise the coordinator's answer applies to
 * every partition: NONE (added; the transaction starts with the first one),
 * INVALID_PRODUCER_ID_MAPPING, PRODUCER_FENCED (INVALID_PRODUCER_EPOCH below v2,
 * KIP-588), CONCURRENT_TRANSACTIONS while the previous transaction completes. With
 * verify_only nothing is added: each partition is NONE when it is in the ongoing
 * transaction, else TRANSACTION_ABORTABLE.
 * ACLs: WRITE on the transactional id (TRANSACTIONAL_ID_AUTHORIZATION_FAILED) and on
 * each topic (TOPIC_AUTHORIZATION_FAILED; the other partitions OPERATION_NOT_ATTEMPTED);
 * v4+ (broker to broker) need CLUSTER_ACTION on the cluster.
 */
import {
  AddPartitionsToTxnApi,
  type AddPartitionsToTxnRequestTopic,
  type AddPartitionsToTxnResponseTopicResult,
  createAddPartitionsToTxnResponse,
  createAddPartitionsToTxnResponsePartitionResult,
  createAddPartitionsToTxnResponseResult,
  createAddPartitionsToTxnResponseTopicResult,
  ErrorCode,
} from "@logbook/protocol";
import { clusterAllowed, Op, topicAllowed, transactionalIdAllowed } from "../acl/check.js";
import { defineHandler, type RequestContext } from "../handler.js";
import { fencedForVersion, type TopicPartitionRef, type TxnProducer, tpKey } from "../txn/index.js";

/** One transaction's partitions, each with its answer. */
async function addTransaction(
  ctx: RequestContext,
  producer: TxnProducer,
  topics: readonly AddPartitionsToTxnRequestTopic[],
  verifyOnly: boolean,
): Promise<AddPartitionsToTxnResponseTopicResult[]> {
  const { broker } = ctx;
  const errors = new Map<string, number>();
  const partitions: TopicPartitionRef[] = [];
  const txnDenied = !transactionalIdAllowed(ctx, Op.WRITE, producer.transactionalId);
  for (const t of topics) {
    const info = broker.topics.get(t.name);
    const topicDenied = !txnDenied && !topicAllowed(ctx, Op.WRITE, t.name);
    for (const partition of t.partitions) {
      const tp = { topic: t.name, partition };
      if (txnDenied) errors.set(tpKey(tp), ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
      else if (topicDenied) errors.set(tpKey(tp), ErrorCode.TOPIC_AUTHORIZATION_FAILED);
      else if (info === undefined || partition < 0 || partition >= info.partitions)
        errors.set(tpKey(tp), ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
      else partitions.push(tp);
    }
  }
  if (errors.size > 0) {
    for (const tp of partitions) errors.set(tpKey(tp), ErrorCode.OPERATION_NOT_ATTEMPTED);
  } else if (verifyOnly) {
    for (const [k, code] of broker.txn.verifyPartitions(producer, partitions)) errors.set(k, code);
  } else {
    const code = fencedForVersion(
      await broker.txn.addPartitions(producer, partitions),
      ctx.version,
      2,
    );
    for (const tp of partitions) errors.set(tpKey(tp), code);
  }
  return topics.map((t) =>
    createAddPartitionsToTxnResponseTopicResult({
      name: t.name,
      resultsByPartition: t.partitions.map((partitionIndex) =>
        createAddPartitionsToTxnResponsePartitionResult({
          partitionIndex,
          partitionErrorCode:
            errors.get(tpKey({ topic: t.name, partition: partitionIndex })) ??
            ErrorCode.UNKNOWN_SERVER_ERROR,
        }),
      ),
    }),
  );
}

export const addPartitionsToTxnHandler = defineHandler({
  api: AddPartitionsToTxnApi,
  minVersion: 0,
  maxVersion: 5,
  async handle(req, ctx) {
    if (ctx.version < 4) {
      const producer = {
        transactionalId: req.v3AndBelowTransactionalId,
        producerId: req.v3AndBelowProducerId,
        producerEpoch: req.v3AndBelowProducerEpoch,
      };
      return createAddPartitionsToTxnResponse({
        resultsByTopicV3AndBelow: await addTransaction(ctx, producer, req.v3AndBelowTopics, false),
      });
    }
    // v4+ come from brokers verifying a transaction: Kafka wants CLUSTER_ACTION.
    if (!clusterAllowed(ctx, Op.CLUSTER_ACTION))
      return createAddPartitionsToTxnResponse({
        errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
        resultsByTransaction: [],
      });
    const resultsByTransaction = await Promise.all(
      req.transactions.map(async (t) =>
        createAddPartitionsToTxnResponseResult({
          transactionalId: t.transactionalId,
          topicResults: await addTransaction(ctx, t, t.topics, t.verifyOnly),
        }),
      ),
    );
    return createAddPartitionsToTxnResponse({ errorCode: ErrorCode.NONE, resultsByTransaction });
  },
});
