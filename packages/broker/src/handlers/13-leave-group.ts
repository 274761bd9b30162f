/**
 * LeaveGroup (key 13), v0-v5.
 *
 * v0-v2 name one member by member_id and answer one error code: the group's error, or
 * else that member's. v3+ (KIP-345) batch members, each by member_id and/or
 * group_instance_id (a static member may leave with member_id ""), and answer a
 * group-level error plus one result per member, in request order; v5 adds a reason per
 * member (KIP-800, logged by the coordinator). An empty group id is INVALID_GROUP_ID;
 * while the coordinator replays its log the answer is COORDINATOR_LOAD_IN_PROGRESS.
 * ACLs: READ on the group, else GROUP_AUTHORIZATION_FAILED.
 */
import {
  createLeaveGroupResponse,
  createLeaveGroupResponseMemberResponse,
  ErrorCode,
  LeaveGroupApi,
} from "@logbook/protocol";
import { groupAllowed, Op } from "../acl/check.js";
import { defineHandler } from "../handler.js";

export const leaveGroupHandler = defineHandler({
  api: LeaveGroupApi,
  minVersion: 0,
  maxVersion: 5,
  async handle(req, ctx) {
    const { version } = ctx;
    const batched = version >= 3;
    const members = batched
      ? req.members.map((m) => ({
          memberId: m.memberId,
          groupInstanceId: m.groupInstanceId,
          reason: version >= 5 ? m.reason : null,
        }))
      : [{ memberId: req.memberId, groupInstanceId: null, reason: null }];
    // v0-v2 have no member results; errors before the coordinator answer have none either.
    const only = (errorCode: number) => createLeaveGroupResponse({ errorCode, members: [] });
    if (!groupAllowed(ctx, Op.READ, req.groupId)) return only(ErrorCode.GROUP_AUTHORIZATION_FAILED);
    if (req.groupId === "") return only(ErrorCode.INVALID_GROUP_ID);
    const access = ctx.broker.groups.access();
    if (!access.ok) return only(access.errorCode);
    const r = await access.coordinator.leave({ groupId: req.groupId, members });
    if (!batched) {
      const memberError = r.members[0]?.errorCode ?? ErrorCode.NONE;
      return only(r.errorCode !== ErrorCode.NONE ? r.errorCode : memberError);
    }
    return createLeaveGroupResponse({
      errorCode: r.errorCode,
      members: r.members.map((m) =>
        createLeaveGroupResponseMemberResponse({
          memberId: m.memberId,
          groupInstanceId: m.groupInstanceId,
          errorCode: m.errorCode,
        }),
      ),
    });
  },
});
