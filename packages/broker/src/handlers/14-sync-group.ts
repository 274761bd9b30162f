/**
 * SyncGroup (key 14), v0-v5.
 *
 * The leader sends every member's assignment; each member (leader included) gets its
 * own bytes back once the leader's assignments are stored. A follower's call waits for
 * the leader. v3+ carry group_instance_id; v5+ send protocol_type and protocol_name
 * (KIP-559), which the coordinator checks against the group's and which are echoed in
 * the response. An empty group id is INVALID_GROUP_ID; while the coordinator replays
 * its log the answer is COORDINATOR_LOAD_IN_PROGRESS.
 * ACLs: READ on the group, else GROUP_AUTHORIZATION_FAILED.
 */
import { createSyncGroupResponse, ErrorCode, SyncGroupApi } from "@logbook/protocol";
import { groupAllowed, Op } from "../acl/check.js";
import { defineHandler } from "../handler.js";

export const syncGroupHandler = defineHandler({
  api: SyncGroupApi,
  minVersion: 0,
  maxVersion: 5,
  async handle(req, ctx) {
    const { version } = ctx;
    const failed = (errorCode: number) =>
      createSyncGroupResponse({
        errorCode,
        protocolType: null,
        protocolName: null,
        assignment: Buffer.alloc(0),
      });
    if (!groupAllowed(ctx, Op.READ, req.groupId))
      return failed(ErrorCode.GROUP_AUTHORIZATION_FAILED);
    if (req.groupId === "") return failed(ErrorCode.INVALID_GROUP_ID);
    const access = ctx.broker.groups.access();
    if (!access.ok) return failed(access.errorCode);
    const r = await access.coordinator.sync({
      groupId: req.groupId,
      generationId: req.generationId,
      memberId: req.memberId,
      groupInstanceId: version >= 3 ? req.groupInstanceId : null,
      protocolType: version >= 5 ? req.protocolType : null,
      protocolName: version >= 5 ? req.protocolName : null,
      assignments: req.assignments.map((a) => ({
        memberId: a.memberId,
        assignment: a.assignment,
      })),
    });
    return createSyncGroupResponse({
      errorCode: r.errorCode,
      protocolType: r.protocolType,
      protocolName: r.protocolName,
      assignment: r.assignment,
    });
  },
});
