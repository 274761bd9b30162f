import { ErrorCode } from "@logbook/protocol";

/**
 * The only leader epoch a single-node broker has; storage stamps it into every batch
 * (partitionLeaderEpoch) and Metadata should report it as each partition's leader_epoch.
 */
export const LEADER_EPOCH = 0;

/**
 * KIP-320 fencing of a request's current_leader_epoch: -1 means "not known" and
 * passes; an older epoch is FENCED_LEADER_EPOCH, a newer one UNKNOWN_LEADER_EPOCH.
 */
export function leaderEpochError(currentLeaderEpoch: number): number {
  if (currentLeaderEpoch < 0 || currentLeaderEpoch === LEADER_EPOCH) return ErrorCode.NONE;
  return currentLeaderEpoch < LEADER_EPOCH
    ? ErrorCode.FENCED_LEADER_EPOCH
    : ErrorCode.UNKNOWN_LEADER_EPOCH;
}
