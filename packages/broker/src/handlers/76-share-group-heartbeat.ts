/**
 * ShareGroupHeartbeat (key 76), v1 (KIP-932; v0 was Kafka's early-access version).
 *
 * Joins (member epoch 0, with the topics to subscribe to), heartbeats and leaves
 * (epoch -1) a share group; the coordinator computes the assignment, which is sent on
 * joining and whenever it changes. Errors as Kafka's: INVALID_REQUEST (empty member or
 * group id, no subscription on joining, bad epoch), GROUP_ID_NOT_FOUND (unknown group
 * with a non-zero epoch, or the id of a classic group), UNKNOWN_MEMBER_ID,
 * FENCED_MEMBER_EPOCH, GROUP_MAX_SIZE_REACHED; COORDINATOR_LOAD_IN_PROGRESS while the
 * coordinator replays its log. Simplified: no per-group config overrides.
 *
 * With share.version finalized at 0 share groups are off: UNSUPPORTED_VERSION, as
 * Kafka answers.
 * ACLs: READ on the group, else GROUP_AUTHORIZATION_FAILED; DESCRIBE on every subscribed
 * topic, else TOPIC_AUTHORIZATION_FAILED.
 */
import {
  createShareGroupHeartbeatResponse,
  createShareGroupHeartbeatResponseAssignment,
  createShareGroupHeartbeatResponseTopicPartitions,
  ErrorCode,
  ShareGroupHeartbeatApi,
} from "@logbook/protocol";
import { groupAllowed, Op, undescribableTopics } from "../acl/check.js";
import { clientHost, clientId } from "../groups/request-info.js";
import { defineHandler } from "../handler.js";
import { isOtherGroupType } from "../share/membership-other-groups.js";
import { shareGroupsAccess } from "../share/share-request-checks.js";

export const shareGroupHeartbeatHandler = defineHandler({
  api: ShareGroupHeartbeatApi,
  minVersion: 1,
  maxVersion: 1,
  async handle(req, ctx) {
    const access = shareGroupsAccess(ctx);
    // share.version 0 answers before authorization, as Kafka checks in that order.
    const off = !access.ok && access.errorCode === ErrorCode.UNSUPPORTED_VERSION;
    if (!off && !groupAllowed(ctx, Op.READ, req.groupId))
      return createShareGroupHeartbeatResponse({
        errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED,
        errorMessage: "Group authorization failed.",
      });
    // A subscription may name only topics the member may DESCRIBE, as Kafka checks.
    if (!off && undescribableTopics(ctx, req.subscribedTopicNames).length > 0)
      return createShareGroupHeartbeatResponse({ errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED });
    if (!access.ok) {
      return createShareGroupHeartbeatResponse({
        errorCode: access.errorCode,
        errorMessage: access.message,
      });
    }
    const r = await access.coordinator.heartbeat({
      groupId: req.groupId,
      memberId: req.memberId,
      memberEpoch: req.memberEpoch,
      rackId: req.rackId,
      subscribedTopicNames: req.subscribedTopicNames,
      clientId: clientId(ctx),
      clientHost: clientHost(ctx),
      foreignGroup: await isOtherGroupType(ctx, req.groupId),
    });
    return createShareGroupHeartbeatResponse({
      errorCode: r.errorCode,
      errorMessage: r.errorMessage,
      memberId: r.memberId,
      memberEpoch: r.memberEpoch,
      heartbeatIntervalMs: r.heartbeatIntervalMs,
      assignment:
        r.assignment === null
          ? null
          : createShareGroupHeartbeatResponseAssignment({
              topicPartitions: r.assignment.map((t) =>
                createShareGroupHeartbeatResponseTopicPartitions({
                  topicId: t.topicId,
                  partitions: [...t.partitions],
                }),
              ),
            }),
    });
  },
});
