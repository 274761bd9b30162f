/**
 * Heartbeat (key 12), v0-v4.
 *
 * Keeps a member's session alive. REBALANCE_IN_PROGRESS only while a rebalance is
 * pending (the coordinator's state table decides); ILLEGAL_GENERATION and
 * UNKNOWN_MEMBER_ID send the member back to JoinGroup. v3+ carry group_instance_id
 * (static members; FENCED_INSTANCE_ID for a stale one). An empty group id is
 * INVALID_GROUP_ID; while the coordinator replays its log the answer is
 * COORDINATOR_LOAD_IN_PROGRESS.
 * ACLs: READ on the group, else GROUP_AUTHORIZATION_FAILED.
 */
import { createHeartbeatResponse, ErrorCode, HeartbeatApi } from "@logbook/protocol";
import { groupAllowed, Op } from "../acl/check.js";
import { defineHandler } from "../handler.js";

export const heartbeatHandler = defineHandler({
  api: HeartbeatApi,
  minVersion: 0,
  maxVersion: 4,
  async handle(req, ctx) {
    if (!groupAllowed(ctx, Op.READ, req.groupId))
      return createHeartbeatResponse({ errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED });
    if (req.groupId === "")
      return createHeartbeatResponse({ errorCode: ErrorCode.INVALID_GROUP_ID });
    const access = ctx.broker.groups.access();
    if (!access.ok) return createHeartbeatResponse({ errorCode: access.errorCode });
    const r = await access.coordinator.heartbeat({
      groupId: req.groupId,
      generationId: req.generationId,
      memberId: req.memberId,
      groupInstanceId: ctx.version >= 3 ? req.groupInstanceId : null,
    });
    return createHeartbeatResponse({ errorCode: r.errorCode });
  },
});
