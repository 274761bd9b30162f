import { ErrorCode } from "@logbook/protocol";

/**
 * The only leader epoch a single-node broker has; storage stamps it into every batch
 * (partitionLeaderEpoch). Over a shared engine Metadata reports the cluster's generation
 * instead (ClusterView.leaderEpoch), which requests are then checked against.
 */
export const LEADER_EPOCH = 0;

/**
 * KIP-320 fencing of a request's current_leader_epoch against the partition's epoch
 * (`leaderEpoch`, what Metadata reports): -1 means "not known" and passes; an older
 * epoch is FENCED_LEADER_EPOCH, a newer one UNKNOWN_LEADER_EPOCH.
 */
export function leaderEpochError(currentLeaderEpoch: number, leaderEpoch: number): number {
  if (currentLeaderEpoch < 0 || currentLeaderEpoch === leaderEpoch) return ErrorCode.NONE;
  return currentLeaderEpoch < leaderEpoch
    ? ErrorCode.FENCED_LEADER_EPOCH
    : ErrorCode.UNKNOWN_LEADER_EPOCH;
}
