import { ErrorCode } from "@logbook/protocol";
import type { Clock } from "@logbook/storage";
import type { TopicPartitionRef } from "./contracts.js";
import type { TransactionCoordinator } from "./coordinator.js";
import type { TxnProducer } from "./txn-operations.js";

/**
 * CONCURRENT_TRANSACTIONS (the previous transaction is still completing) is retried
 * here for a moment, as Kafka's brokers retry their implicit adds
 * (add.partitions.to.txn.retry.backoff.*): the producer's own request would otherwise
 * carry an error it does not expect from Produce or TxnOffsetCommit.
 */
const RETRY_BACKOFF_MS = 20;
const RETRY_MAX_MS = 100;

/** Coordinator answers that mean "ask again", whatever the request that carries them. */
const RETRIABLE: ReadonlySet<number> = new Set([
  ErrorCode.CONCURRENT_TRANSACTIONS,
  ErrorCode.COORDINATOR_LOAD_IN_PROGRESS,
  ErrorCode.COORDINATOR_NOT_AVAILABLE,
  ErrorCode.NOT_COORDINATOR,
]);

async function retrying(clock: Clock, add: () => Promise<number>): Promise<number> {
  for (let waited = 0; ; waited += RETRY_BACKOFF_MS) {
    const code = await add();
    if (code !== ErrorCode.CONCURRENT_TRANSACTIONS || waited >= RETRY_MAX_MS) return code;
    await new Promise<void>((resolve) => clock.setTimeout(resolve, RETRY_BACKOFF_MS));
  }
}

/**
 * Transactions v2 (KIP-890 part 2): a transactional Produce v12+ adds its partition to
 * the producer's transaction (starting one if none is open), as AddPartitionsToTxn
 * would. Answers NONE, or the error the Produce answers for that partition: an old
 * epoch is INVALID_PRODUCER_EPOCH (Produce's word for fenced), so a late batch of an
 * ended transaction opens nothing; "ask again" travels as NOT_ENOUGH_REPLICAS, the
 * retriable Produce error Kafka's partition leaders answer when the coordinator cannot.
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
  const code = await retrying(txn.clock, () => txn.addPartitionAsLeader(producer, tp));
  if (code === ErrorCode.PRODUCER_FENCED) return ErrorCode.INVALID_PRODUCER_EPOCH;
  return RETRIABLE.has(code) ? ErrorCode.NOT_ENOUGH_REPLICAS : code;
}

/**
 * Transactions v2: TxnOffsetCommit v5+ adds its group to the producer's transaction, as
 * AddOffsetsToTxn would. "Ask again" travels as COORDINATOR_NOT_AVAILABLE, which the
 * Java producer retries for TxnOffsetCommit (it treats CONCURRENT_TRANSACTIONS there as
 * fatal).
 */
export async function addOffsetsImplicitly(
  txn: TransactionCoordinator,
  producer: TxnProducer,
  groupId: string,
): Promise<number> {
  const code = await retrying(txn.clock, () => txn.addOffsets(producer, groupId));
  return RETRIABLE.has(code) ? ErrorCode.COORDINATOR_NOT_AVAILABLE : code;
}
