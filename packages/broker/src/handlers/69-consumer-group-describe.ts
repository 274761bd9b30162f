/**
 * ConsumerGroupDescribe (key 69), v0-v1: a KIP-848 consumer group's state (Empty,
 * Assigning, Reconciling, Stable), group and assignment epochs, assignor and members,
 * each with its epoch, subscription, current and target assignment (topics by id and
 * name). Unknown and classic groups answer GROUP_ID_NOT_FOUND, "" INVALID_GROUP_ID, as
 * Kafka does. v1 adds each member's type: 1 for a consumer-protocol member, 0 for a
 * classic member inside the group (KIP-848 migration). Authorized operations, when asked
 * for: the group operations allowed (every one without an authorizer).
 * ACLs: DESCRIBE on each group, else GROUP_AUTHORIZATION_FAILED for it; authorized
 * operations from the ACLs.
 */

import type { DescribedTopicPartitions } from "@logbook/group-coordinator";
import {
  ConsumerGroupDescribeApi,
  createConsumerGroupDescribeResponse,
  createConsumerGroupDescribeResponseAssignment,
  createConsumerGroupDescribeResponseDescribedGroup,
  createConsumerGroupDescribeResponseMember,
  createConsumerGroupDescribeResponseTopicPartitions,
  ErrorCode,
} from "@logbook/protocol";
import { AclResourceType } from "../acl/acl-types.js";
import { authorizedOperations, groupAllowed, Op } from "../acl/check.js";
import { defineHandler } from "../handler.js";
import { GROUP_OPERATIONS, NOT_PROVIDED } from "../metadata/authorized-operations.js";

const MEMBER_TYPES = { classic: 0, consumer: 1 } as const;

function assignment(parts: DescribedTopicPartitions[]) {
  return createConsumerGroupDescribeResponseAssignment({
    topicPartitions: parts.map((t) => createConsumerGroupDescribeResponseTopicPartitions(t)),
  });
}

export const consumerGroupDescribeHandler = defineHandler({
  api: ConsumerGroupDescribeApi,
  minVersion: 0,
  maxVersion: 1,
  async handle(req, ctx) {
    const operations = req.includeAuthorizedOperations ? GROUP_OPERATIONS : NOT_PROVIDED;
    const access = ctx.broker.groups.access();
    if (!access.ok) {
      return createConsumerGroupDescribeResponse({
        groups: req.groupIds.map((groupId) =>
          createConsumerGroupDescribeResponseDescribedGroup({
            groupId,
            errorCode: access.errorCode,
            errorMessage: access.message,
          }),
        ),
      });
    }
    const described = await access.coordinator.consumerGroupDescribe(req.groupIds);
    return createConsumerGroupDescribeResponse({
      groups: described.map((g) =>
        !groupAllowed(ctx, Op.DESCRIBE, g.groupId)
          ? createConsumerGroupDescribeResponseDescribedGroup({
              groupId: g.groupId,
              errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED,
              errorMessage: "Group authorization failed.",
            })
          : createConsumerGroupDescribeResponseDescribedGroup({
              errorCode: g.errorCode,
              errorMessage: g.errorMessage,
              groupId: g.groupId,
              groupState: g.groupState,
              groupEpoch: g.groupEpoch,
              assignmentEpoch: g.assignmentEpoch,
              assignorName: g.assignorName,
              members: g.members.map(({ memberType, ...m }) =>
                createConsumerGroupDescribeResponseMember({
                  ...m,
                  assignment: assignment(m.assignment),
                  targetAssignment: assignment(m.targetAssignment),
                  memberType: MEMBER_TYPES[memberType],
                }),
              ),
              authorizedOperations:
                g.errorCode === 0 && operations !== NOT_PROVIDED
                  ? authorizedOperations(ctx, AclResourceType.GROUP, g.groupId, operations)
                  : NOT_PROVIDED,
            }),
      ),
    });
  },
});
