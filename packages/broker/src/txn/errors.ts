import { ErrorCode } from "@logbook/protocol";
import type { LogFields, Logger } from "@logbook/storage";

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

/**
 * Runs a coordinator operation that answers an error code. A failure to write
 * `__transaction_state` is logged and answered COORDINATOR_NOT_AVAILABLE, which
 * clients retry (after looking the coordinator up again), rather than closing the
 * connection.
 */
export async function coordinatorCall(
  logger: Logger,
  what: string,
  fields: LogFields,
  op: () => Promise<number>,
): Promise<number> {
  try {
    return await op();
  } catch (err) {
    logger.error(`${what} failed`, { ...fields, error: String(err) });
    return ErrorCode.COORDINATOR_NOT_AVAILABLE;
  }
}
