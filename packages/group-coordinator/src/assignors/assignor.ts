/**
 * The contract of a KIP-848 server-side assignor (`group.consumer.assignors`): given the
 * members' subscriptions and current assignments and the subscribed topics' partition
 * counts, return every member's target assignment. Assignors are pure functions of their
 * input (the coordinator persists the result and reconciles members towards it).
 */

/** Partitions of one topic, by topic key (the coordinator uses topic ids as keys). */
export type TopicPartitions = ReadonlyMap<string, readonly number[]>;

export interface AssignorMember {
  memberId: string;
  /** group.instance.id of a static member, else null. */
  instanceId: string | null;
  /** client.rack, else null. */
  rackId: string | null;
  /** Topic keys the member subscribes to (after resolving any regular expression). */
  subscribedTopics: ReadonlySet<string>;
  /** What the member is assigned now (owned or being reconciled), for stickiness. */
  current: TopicPartitions;
}

export interface AssignmentInput {
  members: readonly AssignorMember[];
  /** Partition count of every topic some member subscribes to, by topic key. */
  topics: ReadonlyMap<string, number>;
}

/** Member id -> topic key -> sorted partitions. Every member of the input has an entry. */
export type TargetAssignment = Map<string, Map<string, number[]>>;

export interface ServerAssignor {
  /** The name clients pass in ConsumerGroupHeartbeat's ServerAssignor field. */
  readonly name: string;
  assign(input: AssignmentInput): TargetAssignment;
}
