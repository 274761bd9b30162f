/**
 * DescribeGroups (key 15), v0-v5.
 *
 * Per group: state (Empty, PreparingRebalance, CompletingRebalance, Stable, Dead),
 * protocol type, the chosen protocol (protocol_data) and the members with client id,
 * client host, subscription metadata and assignment (the coordinator fills metadata and
 * assignment only in the states where Kafka does). An unknown group is answered as Kafka
 * answers it before v6: no error, state "Dead", no members. v4+ carry each member's
 * group_instance_id. While the coordinator replays its log every group gets
 * COORDINATOR_LOAD_IN_PROGRESS. authorized_operations (v3+), when asked for, are the
 * group operations the caller may do (for every group answered without an error, as
 * Kafka); otherwise "not provided".
 * ACLs: DESCRIBE on each group, else GROUP_AUTHORIZATION_FAILED for it.
 */
import {
  createDescribeGroupsResponse,
  createDescribeGroupsResponseDescribedGroup,
  createDescribeGroupsResponseDescribedGroupMember,
  DescribeGroupsApi,
  ErrorCode,
} from "@logbook/protocol";
import { AclResourceType } from "../acl/acl-types.js";
import { authorizedOperations, groupAllowed, Op } from "../acl/check.js";
import { defineHandler } from "../handler.js";
import { GROUP_OPERATIONS, NOT_PROVIDED } from "../metadata/authorized-operations.js";

export const describeGroupsHandler = defineHandler({
  api: DescribeGroupsApi,
  minVersion: 0,
  maxVersion: 5,
  async handle(req, ctx) {
    const failed = (groupId: string, errorCode: number) =>
      createDescribeGroupsResponseDescribedGroup({
        errorCode,
        groupId,
        groupState: "",
        protocolType: "",
        protocolData: "",
        members: [],
        authorizedOperations: NOT_PROVIDED,
      });
    const access = ctx.broker.groups.access();
    if (!access.ok) {
      return createDescribeGroupsResponse({
        groups: req.groups.map((groupId) => failed(groupId, access.errorCode)),
      });
    }
    const permitted = req.groups.map((g) => groupAllowed(ctx, Op.DESCRIBE, g));
    const described = await access.coordinator.describeGroups(
      req.groups.filter((_, i) => permitted[i]),
    );
    let next = 0;
    const inOrder = req.groups.map((groupId, i) =>
      permitted[i]
        ? (described[next++] ?? failed(groupId, ErrorCode.UNKNOWN_SERVER_ERROR))
        : failed(groupId, ErrorCode.GROUP_AUTHORIZATION_FAILED),
    );
    return createDescribeGroupsResponse({
      groups: inOrder.map((g) =>
        createDescribeGroupsResponseDescribedGroup({
          errorCode: g.errorCode,
          groupId: g.groupId,
          groupState: g.groupState,
          protocolType: g.protocolType,
          protocolData: g.protocolData,
          members: g.members.map((m) =>
            createDescribeGroupsResponseDescribedGroupMember({
              memberId: m.memberId,
              groupInstanceId: m.groupInstanceId,
              clientId: m.clientId,
              clientHost: m.clientHost,
              memberMetadata: m.memberMetadata,
              memberAssignment: m.memberAssignment,
            }),
          ),
          authorizedOperations:
            req.includeAuthorizedOperations && g.errorCode === ErrorCode.NONE
              ? authorizedOperations(ctx, AclResourceType.GROUP, g.groupId, GROUP_OPERATIONS)
              : NOT_PROVIDED,
        }),
      ),
    });
  },
});
