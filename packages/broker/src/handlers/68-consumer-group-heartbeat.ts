/**
 * ConsumerGroupHeartbeat (key 68), v0-v1: the KIP-848 consumer group protocol
 * (`group.protocol=consumer`).
 *
 * One request joins (member epoch 0), heartbeats, acknowledges revocations (through
 * TopicPartitions, what the member owns) and leaves (-1; -2 for a static member keeping
 * its assignment for its session). The coordinator answers the member's epoch, the
 * heartbeat interval (group.consumer.heartbeat.interval.ms) and its assignment when it
 * changed. v0 members get their member id from the broker; v1 members generate it
 * (KIP-1082). SubscribedTopicRegex subscribes to the topics whose whole name matches
 * (RE2/J syntax; see the group-coordinator README). A join into a classic group with
 * members upgrades it when group.consumer.migration.policy allows (KIP-848 live
 * migration); refusals answer GROUP_ID_NOT_FOUND with Kafka's reason.
 * ACLs: READ on the group, else GROUP_AUTHORIZATION_FAILED; DESCRIBE on every subscribed
 * topic, else TOPIC_AUTHORIZATION_FAILED.
 */
import {
  ConsumerGroupHeartbeatApi,
  createConsumerGroupHeartbeatResponse,
  createConsumerGroupHeartbeatResponseAssignment,
  createConsumerGroupHeartbeatResponseTopicPartitions,
  ErrorCode,
} from "@logbook/protocol";
import { groupAllowed, Op, undescribableTopics } from "../acl/check.js";
import { clientHost, clientId } from "../groups/request-info.js";
import { defineHandler } from "../handler.js";

export const consumerGroupHeartbeatHandler = defineHandler({
  api: ConsumerGroupHeartbeatApi,
  minVersion: 0,
  maxVersion: 1,
  async handle(req, ctx) {
    if (!groupAllowed(ctx, Op.READ, req.groupId))
      return createConsumerGroupHeartbeatResponse({
        errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED,
        errorMessage: "Group authorization failed.",
      });
    // A subscription may name only topics the member may DESCRIBE, as Kafka checks.
    if (undescribableTopics(ctx, req.subscribedTopicNames).length > 0)
      return createConsumerGroupHeartbeatResponse({
        errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED,
      });
    const access = ctx.broker.groups.access();
    if (!access.ok) {
      return createConsumerGroupHeartbeatResponse({
        errorCode: access.errorCode,
        errorMessage: access.message,
      });
    }
    const r = await access.coordinator.consumerHeartbeat({
      version: ctx.version,
      groupId: req.groupId,
      memberId: req.memberId,
      memberEpoch: req.memberEpoch,
      instanceId: req.instanceId,
      rackId: req.rackId,
      rebalanceTimeoutMs: req.rebalanceTimeoutMs,
      subscribedTopicNames: req.subscribedTopicNames,
      subscribedTopicRegex: ctx.version >= 1 ? req.subscribedTopicRegex : null,
      serverAssignor: req.serverAssignor,
      ownedTopicPartitions: req.topicPartitions,
      clientId: clientId(ctx),
      clientHost: clientHost(ctx),
    });
    return createConsumerGroupHeartbeatResponse({
      errorCode: r.errorCode,
      errorMessage: r.errorMessage,
      memberId: r.memberId,
      memberEpoch: r.memberEpoch,
      heartbeatIntervalMs: r.heartbeatIntervalMs,
      assignment:
        r.assignment === null
          ? null
          : createConsumerGroupHeartbeatResponseAssignment({
              topicPartitions: r.assignment.map((t) =>
                createConsumerGroupHeartbeatResponseTopicPartitions(t),
              ),
            }),
    });
  },
});
