/**
 * ShareGroupDescribe (key 77), v1 (KIP-932; v0 was Kafka's early-access version).
 *
 * Each requested group's state (Empty or Stable), group and assignment epochs, assignor
 * ("simple") and members with their subscriptions and assignments. An unknown id, or
 * the id of a classic group, gets GROUP_ID_NOT_FOUND; while the coordinator replays its
 * log every group gets COORDINATOR_LOAD_IN_PROGRESS. Authorized operations, when asked
 * for, are the group operations the caller may do (groups without an error, as Kafka).
 *
 * With share.version finalized at 0 share groups are off: UNSUPPORTED_VERSION, as
 * Kafka answers.
 * ACLs: DESCRIBE on each group, else GROUP_AUTHORIZATION_FAILED for it.
 */
import {
  createShareGroupDescribeResponse,
  createShareGroupDescribeResponseAssignment,
  createShareGroupDescribeResponseDescribedGroup,
  createShareGroupDescribeResponseMember,
  createShareGroupDescribeResponseTopicPartitions,
  ErrorCode,
  ShareGroupDescribeApi,
} from "@logbook/protocol";
import { AclResourceType } from "../acl/acl-types.js";
import { authorizedOperations, groupAllowed, Op } from "../acl/check.js";
import { defineHandler } from "../handler.js";
import { GROUP_OPERATIONS, NOT_PROVIDED } from "../metadata/authorized-operations.js";
import { isOtherGroupType } from "../share/membership-other-groups.js";
import { shareGroupsAccess } from "../share/share-request-checks.js";

export const shareGroupDescribeHandler = defineHandler({
  api: ShareGroupDescribeApi,
  minVersion: 1,
  maxVersion: 1,
  async handle(req, ctx) {
    const access = shareGroupsAccess(ctx);
    if (!access.ok) {
      return createShareGroupDescribeResponse({
        groups: req.groupIds.map((groupId) =>
          createShareGroupDescribeResponseDescribedGroup({
            groupId,
            errorCode: access.errorCode,
            errorMessage: access.message,
          }),
        ),
      });
    }
    const described = await access.coordinator.describe(req.groupIds);
    const groups = [];
    for (const g of described) {
      if (!groupAllowed(ctx, Op.DESCRIBE, g.groupId)) {
        groups.push(
          createShareGroupDescribeResponseDescribedGroup({
            groupId: g.groupId,
            errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED,
            errorMessage: "Group authorization failed.",
          }),
        );
        continue;
      }
      const other = g.errorCode !== ErrorCode.NONE && (await isOtherGroupType(ctx, g.groupId));
      groups.push(
        createShareGroupDescribeResponseDescribedGroup({
          groupId: g.groupId,
          errorCode: g.errorCode,
          errorMessage: other ? `Group ${g.groupId} is not a share group.` : g.errorMessage,
          groupState: g.groupState,
          groupEpoch: g.groupEpoch,
          assignmentEpoch: g.assignmentEpoch,
          assignorName: g.assignorName,
          members: g.members.map((m) =>
            createShareGroupDescribeResponseMember({
              memberId: m.memberId,
              rackId: m.rackId,
              memberEpoch: m.memberEpoch,
              clientId: m.clientId,
              clientHost: m.clientHost,
              subscribedTopicNames: [...m.subscribedTopicNames],
              assignment: createShareGroupDescribeResponseAssignment({
                topicPartitions: m.assignment.map((t) =>
                  createShareGroupDescribeResponseTopicPartitions({
                    topicId: t.topicId,
                    topicName: t.topic,
                    partitions: [...t.partitions],
                  }),
                ),
              }),
            }),
          ),
          authorizedOperations:
            req.includeAuthorizedOperations && g.errorCode === ErrorCode.NONE
              ? authorizedOperations(ctx, AclResourceType.GROUP, g.groupId, GROUP_OPERATIONS)
              : NOT_PROVIDED,
        }),
      );
    }
    return createShareGroupDescribeResponse({ groups });
  },
});
