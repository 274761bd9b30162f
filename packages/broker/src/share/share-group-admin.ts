import { ErrorCode } from "@logbook/protocol";
import type { SharePartitionService } from "./share-partition-service.js";

/**
 * Whether the share offsets of `groupId` may be altered or deleted: only while no
 * consumer is active (NON_EMPTY_GROUP), as Kafka allows both only on an empty group; a
 * group id nobody used yet is empty (Kafka 4.4 alters and deletes for it). A consumer is
 * taken as active while it holds a share session, since the membership contract does
 * not list members.
 */
export function emptyShareGroupError(share: SharePartitionService, groupId: string): ErrorCode {
  if (groupId === "") return ErrorCode.INVALID_GROUP_ID;
  if (share.state === null) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
  if (share.sessions.hasSessions(groupId)) return ErrorCode.NON_EMPTY_GROUP;
  return ErrorCode.NONE;
}
