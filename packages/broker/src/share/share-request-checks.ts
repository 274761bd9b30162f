import { ErrorCode } from "@logbook/protocol";
import type { RequestContext } from "../handler.js";
import type { SharePartitionService } from "./share-partition-service.js";
import type { ShareTopicPartition } from "./share-sessions.js";

/**
 * The top-level error of a ShareFetch/ShareAcknowledge before any session work, or
 * null: a group id is required (INVALID_GROUP_ID), a member id too (INVALID_REQUEST, as
 * Kafka answers one that is not a member UUID), and the member must be one of the share
 * group's, except to close its session (a member that left still returns its records).
 */
export function shareRequestError(
  share: SharePartitionService,
  groupId: string | null,
  memberId: string | null,
  closing: boolean,
): ErrorCode | null {
  if (groupId === null || groupId === "") return ErrorCode.INVALID_GROUP_ID;
  if (memberId === null || memberId === "") return ErrorCode.INVALID_REQUEST;
  if (share.state === null) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
  if (closing) return null;
  const code = share.membership.checkMember(groupId, memberId);
  return code === ErrorCode.NONE ? null : code;
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
