import { ErrorCode } from "@logbook/protocol";
import type { CoordinatorConfig } from "./config.js";
import type { ConsumerHeartbeatInput, ConsumerHeartbeatResult } from "./consumer-api.js";
import {
  type ConsumerGroup,
  type ConsumerMember,
  hasPartition,
  LEAVE_EPOCH,
  LEAVE_STATIC_EPOCH,
} from "./consumer-group.js";
import type { Groups } from "./group-shard.js";
import { compileSubscriptionRegex } from "./subscription-regex.js";

/**
 * The checks a ConsumerGroupHeartbeat goes through before it changes anything, in
 * Kafka's order and with Kafka's error codes; each failure is a HeartbeatError.
 */

export class HeartbeatError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

export function heartbeatError(code: number, message: string | null): ConsumerHeartbeatResult {
  return {
    errorCode: code,
    errorMessage: message,
    memberId: null,
    memberEpoch: 0,
    heartbeatIntervalMs: 0,
    assignment: null,
  };
}

export function invalid(message: string): HeartbeatError {
  return new HeartbeatError(ErrorCode.INVALID_REQUEST, message);
}

export function validate(config: CoordinatorConfig, input: ConsumerHeartbeatInput): void {
  if (input.groupId === "") throw invalid("GroupId can't be empty.");
  if (input.instanceId === "") throw invalid("InstanceId can't be empty.");
  if (input.rackId === "") throw invalid("RackId can't be empty.");
  if (input.version >= 1 && input.memberId === "") throw invalid("MemberId can't be empty.");
  const epoch = input.memberEpoch;
  if (epoch > 0 || epoch === LEAVE_EPOCH) {
    if (input.memberId === "") throw invalid("MemberId can't be empty.");
  } else if (epoch === 0) {
    if (input.rebalanceTimeoutMs === -1) {
      throw invalid("RebalanceTimeoutMs must be provided in first request.");
    }
    if (input.ownedTopicPartitions === null || input.ownedTopicPartitions.length > 0) {
      throw invalid("TopicPartitions must be empty when (re-)joining.");
    }
    if (input.subscribedTopicNames === null && input.subscribedTopicRegex === null) {
      throw invalid("SubscribedTopicNames or SubscribedTopicRegex must be set in first request.");
    }
  } else if (epoch === LEAVE_STATIC_EPOCH) {
    if (input.memberId === "") throw invalid("MemberId can't be empty.");
    if (input.instanceId === null) throw invalid("InstanceId can't be null.");
  } else {
    throw invalid("MemberEpoch is invalid.");
  }
  // librdkafka sends "" beside topic names: no expression, as Kafka reads it.
  if (input.subscribedTopicRegex !== null && input.subscribedTopicRegex !== "") {
    const compiled = compileSubscriptionRegex(input.subscribedTopicRegex);
    if (!compiled.ok) {
      throw new HeartbeatError(
        ErrorCode.INVALID_REGULAR_EXPRESSION,
        `SubscribedTopicRegex \`${input.subscribedTopicRegex}\` is not a valid regular expression: ${compiled.description}.`,
      );
    }
  }
  if (input.serverAssignor !== null && !config.consumerAssignors.includes(input.serverAssignor)) {
    throw new HeartbeatError(
      ErrorCode.UNSUPPORTED_ASSIGNOR,
      `ServerAssignor ${input.serverAssignor} is not supported. Supported assignors: ${config.consumerAssignors.join(", ")}.`,
    );
  }
}

export function existingGroup(groups: Groups, groupId: string): ConsumerGroup {
  const entry = groups.get(groupId);
  if (entry?.consumer == null) {
    throw new HeartbeatError(
      ErrorCode.GROUP_ID_NOT_FOUND,
      entry === undefined || entry.isVacant
        ? `Group ${groupId} not found.`
        : `Group ${groupId} is not a consumer group.`,
    );
  }
  return entry.consumer;
}

/** The member a leave or heartbeat names, checked as Kafka checks it. */
export function knownMember(group: ConsumerGroup, input: ConsumerHeartbeatInput): ConsumerMember {
  if (input.instanceId !== null) {
    const m = group.staticMember(input.instanceId);
    if (m === undefined) {
      throw new HeartbeatError(
        ErrorCode.UNKNOWN_MEMBER_ID,
        `Instance id ${input.instanceId} is unknown.`,
      );
    }
    if (m.memberId !== input.memberId) {
      throw new HeartbeatError(
        ErrorCode.FENCED_INSTANCE_ID,
        `Static member ${input.memberId} with instance id ${input.instanceId} was fenced by member ${m.memberId}.`,
      );
    }
    return m;
  }
  const m = group.members.get(input.memberId);
  if (m === undefined) {
    throw new HeartbeatError(
      ErrorCode.UNKNOWN_MEMBER_ID,
      `Member ${input.memberId} is not a member of group ${group.groupId}.`,
    );
  }
  return m;
}

/**
 * Kafka's member epoch rules: a newer epoch than the member's, or an older one that is
 * not the previous epoch with a subset of the current partitions (a lost response), is
 * fenced; the member must rejoin with epoch 0.
 */
export function checkMemberEpoch(member: ConsumerMember, input: ConsumerHeartbeatInput): void {
  const received = input.memberEpoch;
  if (received > member.memberEpoch) {
    throw new HeartbeatError(
      ErrorCode.FENCED_MEMBER_EPOCH,
      `The consumer group member has a greater member epoch (${received}) than the one known by the group coordinator (${member.memberEpoch}). The member must abandon all its partitions and rejoin.`,
    );
  }
  if (received < member.memberEpoch) {
    const owned = input.ownedTopicPartitions;
    const lostResponse =
      received === member.previousMemberEpoch &&
      owned !== null &&
      owned.every((t) =>
        t.partitions.every((p) => hasPartition(member.assigned, t.topicId.toString("hex"), p)),
      );
    if (!lostResponse) {
      throw new HeartbeatError(
        ErrorCode.FENCED_MEMBER_EPOCH,
        `The consumer group member has a smaller member epoch (${received}) than the one known by the group coordinator (${member.memberEpoch}). The member must abandon all its partitions and rejoin.`,
      );
    }
  }
}
