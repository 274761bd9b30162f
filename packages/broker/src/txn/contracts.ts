/**
 * The contracts between the three parts of transactions (KIP-98), so each can be built
 * and tested on its own:
 *  - the transaction coordinator (txn/) owns transactional ids, producer epochs and
 *    transaction state in `__transaction_state`, and drives commit/abort;
 *  - the data plane (data/) writes markers, tracks open transactions per partition (the
 *    last stable offset) and remembers aborted transactions for read_committed fetches;
 *  - the group coordinator keeps TxnOffsetCommit offsets pending until the marker.
 */

export interface TopicPartitionRef {
  topic: string;
  partition: number;
}

export interface TxnMarker {
  producerId: bigint;
  producerEpoch: number;
  /** true = COMMIT, false = ABORT. */
  commit: boolean;
  coordinatorEpoch: number;
}

/** Implemented by the data plane; used by the transaction coordinator. */
export interface TxnMarkerWriter {
  /**
   * Appends a COMMIT/ABORT control batch to each partition (after all the transaction's
   * data there), completes the transaction in that partition's producer state (raising
   * its last stable offset) and, for an abort, records the aborted range for
   * read_committed fetches. Resolves with an error code per partition (0 = written).
   */
  writeMarkers(
    partitions: readonly TopicPartitionRef[],
    marker: TxnMarker,
  ): Promise<Map<string, number>>;
}

/** Implemented by the transaction coordinator; used by Produce for transactional batches. */
export interface TxnProduceCheck {
  /**
   * Error code for a transactional batch of (producerId, epoch) to this partition:
   * NONE when the partition was added to the producer's ongoing transaction,
   * PRODUCER_FENCED / INVALID_PRODUCER_EPOCH for an old epoch, INVALID_TXN_STATE when
   * the partition is not part of an ongoing transaction.
   */
  checkTransactionalProduce(
    producerId: bigint,
    producerEpoch: number,
    tp: TopicPartitionRef,
  ): number;
}

/** Implemented by the group coordinator; used by the transaction coordinator at EndTxn. */
export interface TxnOffsetsCompleter {
  /** Makes the transaction's pending TxnOffsetCommit offsets visible (commit) or drops them (abort). */
  completeTransaction(producerId: bigint, producerEpoch: number, commit: boolean): Promise<void>;
}

export function tpKey(tp: TopicPartitionRef): string {
  return `${tp.topic}/${tp.partition}`;
}
