/**
 * The typed surface the broker's group handlers call (JoinGroup, SyncGroup, Heartbeat,
 * LeaveGroup, OffsetCommit, OffsetFetch, ListGroups, DescribeGroups, DeleteGroups,
 * OffsetDelete). Close to the wire but version-independent: handlers map each request
 * version onto these inputs and the results back onto the response. Error codes are the
 * numbers of `ErrorCode` from @logbook/protocol. Every result is answered only after the
 * records it produced are durable in `__consumer_offsets`.
 */

/** One protocol (assignor) a member supports, with its opaque subscription bytes. */
export interface JoinProtocol {
  name: string;
  metadata: Buffer;
}

export interface JoinGroupInput {
  groupId: string;
  /** "" on a member's first join. */
  memberId: string;
  /** group.instance.id (KIP-345, v5+); null for dynamic members. */
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  sessionTimeoutMs: number;
  /** v0 has none: pass sessionTimeoutMs, as Kafka does. */
  rebalanceTimeoutMs: number;
  protocolType: string;
  /** In the member's order of preference. */
  protocols: JoinProtocol[];
  /** v4+ (KIP-394): a first join without member id answers MEMBER_ID_REQUIRED. */
  requireKnownMemberId: boolean;
  /** v8+ (KIP-800), only logged. */
  reason?: string | null;
}

export interface JoinGroupMember {
  memberId: string;
  groupInstanceId: string | null;
  /** The member's metadata for the chosen protocol. */
  metadata: Buffer;
}

export interface JoinGroupResult {
  errorCode: number;
  /** -1 on error. */
  generationId: number;
  /** v7+ (KIP-559). */
  protocolType: string | null;
  protocolName: string | null;
  /** "" on error. */
  leader: string;
  /** v9+ (KIP-814): a static leader rejoining without a rebalance must not reassign. */
  skipAssignment: boolean;
  /** The member's id: the assigned one with MEMBER_ID_REQUIRED, "" on other errors of a first join. */
  memberId: string;
  /** Every member's metadata for the leader; empty for followers. */
  members: JoinGroupMember[];
}

export interface SyncGroupAssignment {
  memberId: string;
  assignment: Buffer;
}

export interface SyncGroupInput {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
  /** v5+ (KIP-559): checked against the group's when not null. */
  protocolType: string | null;
  protocolName: string | null;
  /** The leader's assignments; empty from followers. */
  assignments: SyncGroupAssignment[];
}

export interface SyncGroupResult {
  errorCode: number;
  protocolType: string | null;
  protocolName: string | null;
  /** Empty bytes on error and for members the leader left out. */
  assignment: Buffer;
}

export interface HeartbeatInput {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
}

export interface HeartbeatResult {
  errorCode: number;
}

export interface LeaveMember {
  /** "" allowed for a static member identified by groupInstanceId. */
  memberId: string;
  groupInstanceId: string | null;
  reason?: string | null;
}

export interface LeaveGroupInput {
  groupId: string;
  /** v0-2: exactly one member (its member id); v3+: the batch. */
  members: LeaveMember[];
}

export interface LeaveGroupResult {
  /**
   * Group-level error. For v0-2 a handler answers
   * `errorCode !== NONE ? errorCode : members[0].errorCode`.
   */
  errorCode: number;
  members: { memberId: string; groupInstanceId: string | null; errorCode: number }[];
}

export interface CommitOffset {
  topic: string;
  partition: number;
  offset: bigint;
  /** -1 when unknown (v0-5). */
  leaderEpoch: number;
  metadata: string | null;
}

export interface CommitOffsetsInput {
  groupId: string;
  /** -1 with memberId "": a simple (admin/standalone) commit, valid on an Empty group. */
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
  /** v2-4 retention_time_ms; -1 = offsets.retention.minutes. */
  retentionTimeMs: number;
  offsets: CommitOffset[];
  /**
   * v9+ (KIP-848): generationId may be a consumer group member's epoch. Members of
   * consumer groups committing with older versions get UNSUPPORTED_VERSION, as in Kafka.
   */
  allowsMemberEpoch?: boolean;
}

export interface CommitOffsetsResult {
  partitions: { topic: string; partition: number; errorCode: number }[];
}

export interface TxnCommitOffsetsInput {
  groupId: string;
  transactionalId: string;
  producerId: bigint;
  producerEpoch: number;
  /** v3+ (KIP-447); -1 with memberId "" and no instance id skips the member checks. */
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
  offsets: CommitOffset[];
  /**
   * The transaction coordinator's check (producer epoch, group added to the ongoing
   * transaction); non-NONE fails every partition. Run on the coordinator's queue just
   * before the write: a transaction end decided after the check queues its
   * `completeTransaction` behind the write, so no pending offset can outlive its
   * transaction.
   */
  verifyTransaction?: () => number;
}

export interface FetchOffsetsInput {
  groupId: string;
  /** null = every committed partition of the group (v2+). */
  partitions: { topic: string; partition: number }[] | null;
  /**
   * v7+ (KIP-447): partitions with TxnOffsetCommit offsets still pending answer
   * UNSTABLE_OFFSET_COMMIT instead of the last committed offset.
   */
  requireStable: boolean;
  /**
   * v9+ (KIP-848): the fetching member of a consumer group, checked (UNKNOWN_MEMBER_ID,
   * STALE_MEMBER_EPOCH) unless memberId is null and memberEpoch < 0 (admin fetches).
   */
  member?: { memberId: string | null; memberEpoch: number };
}

export interface FetchedOffset {
  topic: string;
  partition: number;
  /** -1 when nothing is committed. */
  offset: bigint;
  /** -1 when unknown. */
  leaderEpoch: number;
  metadata: string | null;
  errorCode: number;
}

export interface FetchOffsetsResult {
  errorCode: number;
  offsets: FetchedOffset[];
}

/** The state names as Kafka spells them on the wire (classic groups). */
export type GroupStateName =
  | "Empty"
  | "PreparingRebalance"
  | "CompletingRebalance"
  | "Stable"
  | "Dead";

/** A classic or a KIP-848 consumer group's state, as ListGroups spells them. */
export type AnyGroupStateName = GroupStateName | "Assigning" | "Reconciling";

export interface ListGroupsInput {
  /** v4+ (KIP-518), matched case-insensitively; empty or absent = all. */
  states?: string[];
  /** v5+ (KIP-848): "classic" / "consumer", matched case-insensitively. */
  types?: string[];
}

export interface ListedGroup {
  groupId: string;
  protocolType: string;
  groupState: AnyGroupStateName;
  groupType: "classic" | "consumer";
}

export interface ListGroupsResult {
  errorCode: number;
  groups: ListedGroup[];
}

export interface DescribedMember {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  /** Metadata for the chosen protocol (empty unless Stable/CompletingRebalance). */
  memberMetadata: Buffer;
  /** Empty unless the group is Stable. */
  memberAssignment: Buffer;
}

export interface DescribedGroup {
  groupId: string;
  /** NONE for an unknown group (state "Dead"), INVALID_GROUP_ID for "". */
  errorCode: number;
  /** False for an unknown group: DescribeGroups v6+ answers GROUP_ID_NOT_FOUND then. */
  exists: boolean;
  groupState: GroupStateName;
  protocolType: string;
  /** The chosen protocol name; "" unless Stable/CompletingRebalance. */
  protocolData: string;
  members: DescribedMember[];
}

export interface DeleteGroupResult {
  groupId: string;
  /** NONE, GROUP_ID_NOT_FOUND, NON_EMPTY_GROUP, INVALID_GROUP_ID. */
  errorCode: number;
}

export interface DeleteOffsetsResult {
  /** GROUP_ID_NOT_FOUND, INVALID_GROUP_ID, NON_EMPTY_GROUP (non-consumer group with members). */
  errorCode: number;
  /** Per partition NONE or GROUP_SUBSCRIBED_TO_TOPIC. */
  partitions: { topic: string; partition: number; errorCode: number }[];
}

/** The end offsets of one partition, from the partition's log. */
export interface PartitionEnd {
  logEndOffset: number;
  highWatermark: number;
}

/** Looks up a partition's end offsets; null when the partition does not exist. */
export type EndOffsets = (topic: string, partition: number) => Promise<PartitionEnd | null>;

export interface PartitionLag {
  topic: string;
  partition: number;
  committedOffset: number;
  /** -1 when the partition no longer exists. */
  logEndOffset: number;
  highWatermark: number;
  /** highWatermark - committedOffset, never below 0; -1 when the partition is gone. */
  lag: number;
}

export interface GroupLag {
  groupId: string;
  /** Null when the group is unknown. */
  groupState: AnyGroupStateName | null;
  partitions: PartitionLag[];
  /** Sum of the partitions' lag (unknown partitions count 0). */
  totalLag: number;
}

import type {
  ConsumerHeartbeatInput,
  ConsumerHeartbeatResult,
  DescribedConsumerGroup,
} from "./consumer-api.js";

/**
 * The group coordinator as the broker sees it. Created (after replaying the log) with
 * `await GroupCoordinator.open({ log: await openConsumerOffsetsLog(storage, logger), logger,
 * clock?, config? })`.
 */
export interface GroupCoordinatorApi {
  /** JoinGroup: resolves when the rebalance completes (long poll), or at once on error. */
  join(input: JoinGroupInput): Promise<JoinGroupResult>;
  /** SyncGroup: a follower's call resolves when the leader's assignments are stored. */
  sync(input: SyncGroupInput): Promise<SyncGroupResult>;
  heartbeat(input: HeartbeatInput): Promise<HeartbeatResult>;
  /** ConsumerGroupHeartbeat (KIP-848): join, heartbeat and leave of consumer groups. */
  consumerHeartbeat(input: ConsumerHeartbeatInput): Promise<ConsumerHeartbeatResult>;
  consumerGroupDescribe(groupIds: string[]): Promise<DescribedConsumerGroup[]>;
  leave(input: LeaveGroupInput): Promise<LeaveGroupResult>;
  /** OffsetCommit: per-partition errors; the whole request fails alike on a group error. */
  commitOffsets(input: CommitOffsetsInput): Promise<CommitOffsetsResult>;
  /**
   * TxnOffsetCommit: stores the offsets as pending for (group, producer id), invisible to
   * OffsetFetch until `completeTransaction`. The caller has checked the producer's
   * transaction (epoch, group added with AddOffsetsToTxn).
   */
  commitTxnOffsets(input: TxnCommitOffsetsInput): Promise<CommitOffsetsResult>;
  /**
   * The transaction's end (EndTxn or its timeout): commit makes the producer's pending
   * offsets in every group the committed ones, abort drops them. Durable on return.
   */
  completeTransaction(producerId: bigint, producerEpoch: number, commit: boolean): Promise<void>;
  /** OffsetFetch for one group (v8+ handlers call it once per group). */
  fetchOffsets(input: FetchOffsetsInput): Promise<FetchOffsetsResult>;
  listGroups(input: ListGroupsInput): Promise<ListGroupsResult>;
  describeGroups(groupIds: string[]): Promise<DescribedGroup[]>;
  deleteGroups(groupIds: string[]): Promise<DeleteGroupResult[]>;
  /** OffsetDelete. */
  deleteOffsets(
    groupId: string,
    partitions: { topic: string; partition: number }[],
  ): Promise<DeleteOffsetsResult>;
  /** Drops every group's committed offsets of a deleted topic (tombstones). */
  onTopicDeleted(topic: string): Promise<void>;
  /** Committed offset, log end offset, high watermark and lag per committed partition. */
  lag(groupId: string, endOffsets: EndOffsets): Promise<GroupLag>;
  /** Stops timers; pending joins and syncs are answered NOT_COORDINATOR. */
  close(): Promise<void>;
}
