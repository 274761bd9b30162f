import type { ConsumerGroupStateName } from "./consumer-group.js";

/**
 * The KIP-848 consumer-group surface (ConsumerGroupHeartbeat, ConsumerGroupDescribe),
 * version-independent like coordinator-api.ts. Topics are named by id on the wire.
 */

export interface TopicIdPartitions {
  topicId: Buffer;
  partitions: number[];
}

export interface ConsumerHeartbeatInput {
  /** The request version: v1+ members generate their own member ids (KIP-1082). */
  version: number;
  groupId: string;
  memberId: string;
  /** 0 joins, -1 leaves, -2 leaves keeping a static member's assignment. */
  memberEpoch: number;
  instanceId: string | null;
  rackId: string | null;
  /** -1 when unchanged. */
  rebalanceTimeoutMs: number;
  /** null when unchanged. */
  subscribedTopicNames: string[] | null;
  subscribedTopicRegex: string | null;
  serverAssignor: string | null;
  /** What the member owns now; null when unchanged since its last heartbeat. */
  ownedTopicPartitions: TopicIdPartitions[] | null;
  clientId: string;
  clientHost: string;
}

export interface ConsumerHeartbeatResult {
  errorCode: number;
  errorMessage: string | null;
  memberId: string | null;
  memberEpoch: number;
  heartbeatIntervalMs: number;
  /** The member's assignment; null when unchanged. */
  assignment: TopicIdPartitions[] | null;
}

export interface DescribedTopicPartitions extends TopicIdPartitions {
  topicName: string;
}

export interface DescribedConsumerMember {
  memberId: string;
  instanceId: string | null;
  rackId: string | null;
  memberEpoch: number;
  clientId: string;
  clientHost: string;
  subscribedTopicNames: string[];
  subscribedTopicRegex: string | null;
  assignment: DescribedTopicPartitions[];
  targetAssignment: DescribedTopicPartitions[];
  /** Which protocol the member speaks (ConsumerGroupDescribe v1's MemberType). */
  memberType: "classic" | "consumer";
}

export interface DescribedConsumerGroup {
  groupId: string;
  /** GROUP_ID_NOT_FOUND for unknown and classic groups, INVALID_GROUP_ID for "". */
  errorCode: number;
  errorMessage: string | null;
  /** "" on error. */
  groupState: ConsumerGroupStateName | "";
  groupEpoch: number;
  assignmentEpoch: number;
  assignorName: string;
  members: DescribedConsumerMember[];
}

/** The topics the coordinator resolves subscriptions against (the broker's registry). */
export interface ConsumerTopicView {
  byName(name: string): { id: Buffer; partitions: number } | undefined;
  byId(id: Buffer): { name: string; partitions: number } | undefined;
  /**
   * Every topic a subscription's regular expression may match. Kafka 4.4 leaves no topic
   * out (its own __consumer_offsets matches too); Logbook's internal logs are not topics.
   */
  names(): Iterable<string>;
}
