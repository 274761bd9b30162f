/**
 * JoinGroup (key 11), v0-v9.
 *
 * Maps each version onto the coordinator's join, which long-polls until the rebalance
 * completes. v0 has no rebalance_timeout_ms: the session timeout stands in, as in
 * Kafka. v4+ (KIP-394) a first join without member id is answered MEMBER_ID_REQUIRED
 * with the id to rejoin with; older versions get a member id at once. v5+ carry
 * group_instance_id (static membership, KIP-345); v7+ answer protocol_type (KIP-559);
 * v8+ send a reason (logged by the coordinator); v9 answers skip_assignment (KIP-814).
 * Before v7 protocol_name is not nullable, so an error answers "" as Kafka does. An
 * empty group id is INVALID_GROUP_ID; while the coordinator replays its log the answer
 * is COORDINATOR_LOAD_IN_PROGRESS. Client id and host are kept for DescribeGroups. A
 * join into a KIP-848 consumer group with members makes a classic member of it, answered
 * at once with its member epoch as generation and no leader (the broker assigns).
 * ACLs: READ on the group, else GROUP_AUTHORIZATION_FAILED (member id "").
 */
import {
  createJoinGroupResponse,
  createJoinGroupResponseMember,
  ErrorCode,
  JoinGroupApi,
} from "@logbook/protocol";
import { groupAllowed, Op } from "../acl/check.js";
import { clientHost, clientId } from "../groups/request-info.js";
import { defineHandler } from "../handler.js";

export const joinGroupHandler = defineHandler({
  api: JoinGroupApi,
  minVersion: 0,
  maxVersion: 9,
  async handle(req, ctx) {
    const { version } = ctx;
    const failed = (errorCode: number) =>
      createJoinGroupResponse({
        errorCode,
        generationId: -1,
        protocolType: null,
        protocolName: version >= 7 ? null : "",
        leader: "",
        memberId: req.memberId,
        members: [],
      });
    if (!groupAllowed(ctx, Op.READ, req.groupId))
      return { ...failed(ErrorCode.GROUP_AUTHORIZATION_FAILED), memberId: "" };
    if (req.groupId === "") return failed(ErrorCode.INVALID_GROUP_ID);
    const access = ctx.broker.groups.access();
    if (!access.ok) return failed(access.errorCode);
    const r = await access.coordinator.join({
      groupId: req.groupId,
      memberId: req.memberId,
      groupInstanceId: version >= 5 ? req.groupInstanceId : null,
      clientId: clientId(ctx),
      clientHost: clientHost(ctx),
      sessionTimeoutMs: req.sessionTimeoutMs,
      rebalanceTimeoutMs: version >= 1 ? req.rebalanceTimeoutMs : req.sessionTimeoutMs,
      protocolType: req.protocolType,
      protocols: req.protocols.map((p) => ({ name: p.name, metadata: p.metadata })),
      requireKnownMemberId: version >= 4,
      reason: version >= 8 ? req.reason : null,
    });
    return createJoinGroupResponse({
      errorCode: r.errorCode,
      generationId: r.generationId,
      protocolType: r.protocolType,
      protocolName: version >= 7 ? r.protocolName : (r.protocolName ?? ""),
      leader: r.leader,
      skipAssignment: r.skipAssignment,
      memberId: r.memberId,
      members: r.members.map((m) =>
        createJoinGroupResponseMember({
          memberId: m.memberId,
          groupInstanceId: m.groupInstanceId,
          metadata: m.metadata,
        }),
      ),
    });
  },
});
