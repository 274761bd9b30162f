import { ErrorCode } from "@logbook/protocol";
import { type ConsumerGroup, tpEpochKey } from "./consumer-group.js";

/** A per-partition verdict, for checks that depend on the partition. */
export type PartitionCheck = (topic: string, partition: number) => number;

/**
 * OffsetCommit against a KIP-848 group, checked as Kafka checks it: with no member epoch
 * (< 0) an empty group takes the commit (admin tools, assign() consumers); otherwise the
 * member must exist and commit with OffsetCommit v9+. Its current epoch is always good;
 * an older one (KIP-1251) only for partitions it was given at that epoch or before, and
 * still holds; anything else is STALE_MEMBER_EPOCH. A classic member (JoinGroup) commits
 * with its member epoch as generation, any version, ILLEGAL_GENERATION otherwise.
 */
export function consumerCommitCheck(
  group: ConsumerGroup,
  input: { memberId: string; generationId: number; allowsMemberEpoch?: boolean },
): number | PartitionCheck {
  if (input.generationId < 0 && group.members.size === 0) return ErrorCode.NONE;
  const member = group.members.get(input.memberId);
  if (member === undefined) return ErrorCode.UNKNOWN_MEMBER_ID;
  // A classic member commits with any version, its member epoch as the generation.
  if (member.classic !== null) {
    return epochOrIllegal(member.memberEpoch, input.generationId);
  }
  if (input.allowsMemberEpoch !== true) return ErrorCode.UNSUPPORTED_VERSION;
  const epoch = input.generationId;
  if (epoch === member.memberEpoch) return ErrorCode.NONE;
  if (epoch > member.memberEpoch) return ErrorCode.STALE_MEMBER_EPOCH;
  return (topic, partition) => {
    const id = group.topics.get(topic)?.id;
    const since =
      id === undefined ? undefined : member.assignedEpochs.get(tpEpochKey(id, partition));
    return since !== undefined && since <= epoch ? ErrorCode.NONE : ErrorCode.STALE_MEMBER_EPOCH;
  };
}

/**
 * TxnOffsetCommit from a member of a KIP-848 group (sendOffsetsToTransaction with the
 * consumer's group metadata): the member must exist and send its current epoch, which a
 * transactional commit answers ILLEGAL_GENERATION otherwise, as Kafka does.
 */
export function consumerTxnCommitError(
  group: ConsumerGroup,
  input: { memberId: string; generationId: number },
): number {
  const member = group.members.get(input.memberId);
  if (member === undefined) return ErrorCode.UNKNOWN_MEMBER_ID;
  return epochOrIllegal(member.memberEpoch, input.generationId);
}

function epochOrIllegal(memberEpoch: number, generationId: number): number {
  return generationId === memberEpoch ? ErrorCode.NONE : ErrorCode.ILLEGAL_GENERATION;
}

/** OffsetFetch v9+ from a member: it must exist and send its current epoch. */
export function consumerFetchError(
  group: ConsumerGroup,
  member: { memberId: string | null; memberEpoch: number } | undefined,
): number {
  if (member === undefined || (member.memberId === null && member.memberEpoch < 0)) {
    return ErrorCode.NONE;
  }
  const m = member.memberId === null ? undefined : group.members.get(member.memberId);
  if (m === undefined) return ErrorCode.UNKNOWN_MEMBER_ID;
  return member.memberEpoch === m.memberEpoch ? ErrorCode.NONE : ErrorCode.STALE_MEMBER_EPOCH;
}
