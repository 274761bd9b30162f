import { ErrorCode } from "@logbook/protocol";
import type { RequestContext } from "../handler.js";
import type { ShareGroupsAccess } from "./membership-service.js";
import type { SharePartitionService } from "./share-partition-service.js";
import type { ShareTopicPartition } from "./share-sessions.js";

/**
 * Whether share groups are off: Kafka serves the share-group APIs only while the
 * finalized share.version is 1 or more, and answers UNSUPPORTED_VERSION otherwise.
 */
export function shareGroupsOff(ctx: RequestContext): boolean {
  return ctx.broker.features.level("share.version") < 1;
}

/** The share-group coordinator, unless share groups are off (see shareGroupsOff). */
export function shareGroupsAccess(ctx: RequestContext): ShareGroupsAccess {
  if (shareGroupsOff(ctx))
    return {
      ok: false,
      errorCode: ErrorCode.UNSUPPORTED_VERSION,
      message: "The version of API is not supported.",
    };
  return ctx.broker.shareGroups.access();
}

/**
 * The top-level error of a ShareFetch/ShareAcknowledge before any session work, or
 * null: a group id is required (INVALID_GROUP_ID; Kafka 4.4 fails such a request per
 * partition with UNKNOWN_SERVER_ERROR), and a member id (INVALID_REQUEST, as Kafka
 * answers one that is not a member UUID).
 */
export function shareRequestError(
  share: SharePartitionService,
  groupId: string | null,
  memberId: string | null,
): ErrorCode | null {
  if (groupId === null || groupId === "") return ErrorCode.INVALID_GROUP_ID;
  if (memberId === null || memberId === "") return ErrorCode.INVALID_REQUEST;
  if (share.state === null) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
  return null;
}

/**
 * Whether `memberId` may acquire records of `groupId` now. Kafka 4.4 keeps the session
 * of a member its share group does not know and answers its fetches with no partitions
 * (no error), so only acquisition depends on membership.
 */
export function mayAcquire(
  share: SharePartitionService,
  groupId: string,
  memberId: string,
): boolean {
  return share.membership.checkMember(groupId, memberId) === ErrorCode.NONE;
}

/** The topic of a share request's partition, or null when it does not exist. */
export function resolveSharePartition(
  ctx: RequestContext,
  tp: ShareTopicPartition,
): { topic: string } | null {
  const topic = ctx.broker.topics.getById(tp.topicId);
  if (topic === undefined || tp.partition < 0 || tp.partition >= topic.partitions) return null;
  return { topic: topic.name };
}
