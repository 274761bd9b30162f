import { ErrorCode } from "@logbook/protocol";

/**
 * KIP-588 added PRODUCER_FENCED with a version bump of each transactional API
 * (InitProducerId v4, AddPartitionsToTxn v2, AddOffsetsToTxn v2, EndTxn v2,
 * TxnOffsetCommit v3); older clients do not know the code and get
 * INVALID_PRODUCER_EPOCH, as Kafka answers them.
 */
export function fencedForVersion(errorCode: number, version: number, since: number): number {
  return errorCode === ErrorCode.PRODUCER_FENCED && version < since
    ? ErrorCode.INVALID_PRODUCER_EPOCH
    : errorCode;
}
