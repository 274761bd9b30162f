import { ErrorCode } from "@logbook/protocol";
import type { ConsumerGroup } from "./consumer-group.js";

/**
 * OffsetCommit against a KIP-848 group, checked as Kafka checks it: with no member epoch
 * (< 0) an empty group takes the commit (admin tools, assign() consumers); otherwise the
 * member must exist, commit with OffsetCommit v9+ and send its current epoch.
 */
export function consumerCommitError(
  group: ConsumerGroup,
  input: { memberId: string; generationId: number; allowsMemberEpoch?: boolean },
): number {
  if (input.generationId < 0 && group.members.size === 0) return ErrorCode.NONE;
  const member = group.members.get(input.memberId);
  if (member === undefined) return ErrorCode.UNKNOWN_MEMBER_ID;
  if (input.allowsMemberEpoch !== true) return ErrorCode.UNSUPPORTED_VERSION;
  return input.generationId === member.memberEpoch ? ErrorCode.NONE : ErrorCode.STALE_MEMBER_EPOCH;
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
