import { ErrorCode } from "@logbook/protocol";
import type { TopicPartitionRef } from "./contracts.js";
import type { TransactionCoordinator } from "./coordinator.js";
import type { TxnProducer } from "./txn-operations.js";

/**
 * Coordinator answers a producer cannot act on when a Produce carried them: it would
 * not retry them, so they travel as NOT_ENOUGH_REPLICAS, a retriable Produce error
 * (what Kafka's partition leader answers when its call to the coordinator fails).
 */
const RETRY_AS_NOT_ENOUGH_REPLICAS: ReadonlySet<number> = new Set([
  ErrorCode.CONCURRENT_TRANSACTIONS,
  ErrorCode.COORDINATOR_LOAD_IN_PROGRESS,
  ErrorCode.COORDINATOR_NOT_AVAILABLE,
  ErrorCode.NOT_COORDINATOR,
]);

/**
 * Transactions v2 (KIP-890 part 2): a transactional Produce v12+ adds its partition to
 * the producer's transaction (starting one if none is open), as AddPartitionsToTxn
 * would. Answers NONE, or the error the Produce answers for that partition: an old
 * epoch is INVALID_PRODUCER_EPOCH (Produce's word for fenced), so a late batch of an
 * ended transaction opens nothing.
 */
export async function addImplicitly(
  txn: TransactionCoordinator,
  producer: TxnProducer,
  tp: TopicPartitionRef,
): Promise<number> {
  if (!txn.available) return ErrorCode.NOT_ENOUGH_REPLICAS;
  // Already in this id's transaction (every batch after the partition's first):
  // nothing to write, so no turn on the coordinator's queue.
  const { producerId, producerEpoch } = producer;
  if (
    txn.get(producer.transactionalId)?.producerId === producerId &&
    txn.checkTransactionalProduce(producerId, producerEpoch, tp) === ErrorCode.NONE
  )
    return ErrorCode.NONE;
  const code = await txn.addPartitions(producer, [tp]);
  if (code === ErrorCode.PRODUCER_FENCED) return ErrorCode.INVALID_PRODUCER_EPOCH;
  return RETRY_AS_NOT_ENOUGH_REPLICAS.has(code) ? ErrorCode.NOT_ENOUGH_REPLICAS : code;
}
