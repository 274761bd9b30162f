import type { ErrorCode } from "@logbook/protocol";

/**
 * What the share-partition side (ShareFetch, ShareAcknowledge, the share offsets admin
 * APIs) asks of share-group membership (ShareGroupHeartbeat). The membership side
 * implements it; the share-partition side depends only on this.
 */
export interface ShareMembership {
  /**
   * NONE when `memberId` is a current member of share group `groupId`, else the code
   * ShareFetch/ShareAcknowledge answer (UNKNOWN_MEMBER_ID, GROUP_ID_NOT_FOUND, ...).
   */
  checkMember(groupId: string, memberId: string): ErrorCode;
  /** Partitions assigned to the member now (topic name -> partitions), null if none. */
  assignment(groupId: string, memberId: string): ReadonlyMap<string, readonly number[]> | null;
  /** Whether `groupId` is a share group (has members or persisted state). */
  isShareGroup(groupId: string): boolean;
  /** Share group ids, for the admin APIs that list them. */
  shareGroupIds(): string[];
}
