/**
 * What TxnOffsetCommit needs from the transaction coordinator: whether the producer
 * (transactional id, producer id, epoch) has an ongoing transaction to which
 * AddOffsetsToTxn added the group. NONE when it has; otherwise the error to answer
 * (PRODUCER_FENCED for another epoch, INVALID_PRODUCER_ID_MAPPING, INVALID_TXN_STATE,
 * CONCURRENT_TRANSACTIONS, COORDINATOR_LOAD_IN_PROGRESS, ...). Kept this narrow so the
 * handler does not depend on the coordinator's other parts.
 */
export interface TxnOffsetCommitCheck {
  checkTxnOffsetCommit(
    producer: { transactionalId: string; producerId: bigint; producerEpoch: number },
    groupId: string,
  ): number;
}
