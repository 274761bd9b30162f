/**
 * AddPartitionsToTxn (key 24), v0-v3: the client's form (one transactional id per
 * request). v4+ carry several transactions and verify_only and are sent broker to
 * broker only (KIP-890); not advertised.
 *
 * Partitions of unknown topics (or beyond a topic's partition count) are answered
 * UNKNOWN_TOPIC_OR_PARTITION and the others OPERATION_NOT_ATTEMPTED, as in Kafka;
 * otherwise the coordinator's answer applies to every partition: NONE (added; the
 * transaction starts with the first one), INVALID_PRODUCER_ID_MAPPING,
 * PRODUCER_FENCED (INVALID_PRODUCER_EPOCH below v2, KIP-588), CONCURRENT_TRANSACTIONS
 * while the previous transaction completes. Simplified: no ACLs.
 */
import {
  AddPartitionsToTxnApi,
  createAddPartitionsToTxnResponse,
  createAddPartitionsToTxnResponsePartitionResult,
  createAddPartitionsToTxnResponseTopicResult,
  ErrorCode,
} from "@logbook/protocol";
import { defineHandler } from "../handler.js";
import { fencedForVersion, type TopicPartitionRef } from "../txn/index.js";

export const addPartitionsToTxnHandler = defineHandler({
  api: AddPartitionsToTxnApi,
  minVersion: 0,
  maxVersion: 3,
  async handle(req, ctx) {
    const { broker } = ctx;
    const topics = req.v3AndBelowTopics;
    const unknown = new Set<string>();
    const partitions: TopicPartitionRef[] = [];
    for (const t of topics) {
      const info = broker.topics.get(t.name);
      for (const p of t.partitions) {
        if (info === undefined || p < 0 || p >= info.partitions) unknown.add(`${t.name}/${p}`);
        else partitions.push({ topic: t.name, partition: p });
      }
    }
    let code: number = ErrorCode.OPERATION_NOT_ATTEMPTED;
    if (unknown.size === 0) {
      const producer = {
        transactionalId: req.v3AndBelowTransactionalId,
        producerId: req.v3AndBelowProducerId,
        producerEpoch: req.v3AndBelowProducerEpoch,
      };
      code = await broker.txn.addPartitions(producer, partitions);
      code = fencedForVersion(code, ctx.version, 2);
    }
    return createAddPartitionsToTxnResponse({
      resultsByTopicV3AndBelow: topics.map((t) =>
        createAddPartitionsToTxnResponseTopicResult({
          name: t.name,
          resultsByPartition: t.partitions.map((p) =>
            createAddPartitionsToTxnResponsePartitionResult({
              partitionIndex: p,
              partitionErrorCode: unknown.has(`${t.name}/${p}`)
                ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION
                : code,
            }),
          ),
        }),
      ),
    });
  },
});
