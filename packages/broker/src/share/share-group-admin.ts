import { ErrorCode } from "@logbook/protocol";
import type { SharePartitionService } from "./share-partition-service.js";

/**
 * Whether the share offsets of `groupId` may be altered or deleted: the group must be
 * known as a share group (by membership or by persisted state; GROUP_ID_NOT_FOUND) and
 * have no active consumer (NON_EMPTY_GROUP), as Kafka allows both only on an empty
 * group. A consumer is taken as active while it holds a share session, since the
 * membership contract does not list members.
 */
export function emptyShareGroupError(share: SharePartitionService, groupId: string): ErrorCode {
  if (groupId === "") return ErrorCode.INVALID_GROUP_ID;
  const state = share.state;
  if (state === null) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
  const known = share.membership.isShareGroup(groupId) || state.groupIds().includes(groupId);
  if (!known) return ErrorCode.GROUP_ID_NOT_FOUND;
  if (share.sessions.hasSessions(groupId)) return ErrorCode.NON_EMPTY_GROUP;
  return ErrorCode.NONE;
}
