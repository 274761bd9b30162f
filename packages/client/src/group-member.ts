/**
 * A member of a classic consumer group (JoinGroup, SyncGroup, Heartbeat, LeaveGroup) with
 * the "range" assignment the leader computes, as Kafka's consumer does; offsets are
 * committed under the member's generation.
 */
import {
  CONSUMER_PROTOCOL_TYPE,
  createHeartbeatRequest,
  createJoinGroupRequest,
  createLeaveGroupRequest,
  createOffsetCommitRequest,
  createSyncGroupRequest,
  ErrorCode,
  HeartbeatApi,
  JoinGroupApi,
  LeaveGroupApi,
  type NamedPartitions,
  OffsetCommitApi,
  readAssignment,
  readSubscription,
  SyncGroupApi,
  writeAssignment,
  writeSubscription,
} from "@logbook/protocol";
import type { Connection } from "./connection.js";
import { CoordinatorType, type KafkaClient } from "./kafka-client.js";
import { check, KafkaError } from "./kafka-error.js";
import { rangeAssign } from "./range-assignor.js";
import { retrying } from "./retry.js";

export interface GroupMemberOptions {
  readonly sessionTimeoutMs: number;
  readonly rebalanceTimeoutMs: number;
  readonly heartbeatIntervalMs: number;
}

const DEFAULTS: GroupMemberOptions = {
  sessionTimeoutMs: 45_000,
  rebalanceTimeoutMs: 60_000,
  heartbeatIntervalMs: 3_000,
};
const ASSIGNOR = "range";

export class GroupMember {
  private memberId = "";
  private generation = -1;
  private coordinator: Connection | null = null;
  private heartbeats: NodeJS.Timeout | undefined;
  /** Set when the coordinator asks for a rejoin; the owner calls `rejoin()`. */
  rebalanceNeeded = false;
  assignment: NamedPartitions[] = [];

  constructor(
    private readonly client: KafkaClient,
    readonly groupId: string,
    private readonly topics: readonly string[],
    private readonly options: GroupMemberOptions = DEFAULTS,
  ) {}

  /** Joins (or rejoins) the group and learns this member's partitions. */
  async rejoin(): Promise<NamedPartitions[]> {
    clearInterval(this.heartbeats);
    this.rebalanceNeeded = false;
    for (;;) {
      this.coordinator = await this.client.coordinator(this.groupId, CoordinatorType.GROUP);
      const join = await this.join(this.coordinator);
      if (join === "retry") continue;
      const assignments = join.leader ? await this.assign(join.members) : [];
      const { body } = await this.coordinator.send(SyncGroupApi, () =>
        createSyncGroupRequest({
          groupId: this.groupId,
          generationId: this.generation,
          memberId: this.memberId,
          groupInstanceId: null,
          protocolType: CONSUMER_PROTOCOL_TYPE,
          protocolName: ASSIGNOR,
          assignments,
        }),
      );
      if (body.errorCode === ErrorCode.REBALANCE_IN_PROGRESS) continue;
      check(body.errorCode, null, `SyncGroup ${this.groupId}`);
      this.assignment = readAssignment(body.assignment) ?? [];
      break;
    }
    this.heartbeats = setInterval(() => void this.heartbeat(), this.options.heartbeatIntervalMs);
    this.heartbeats.unref();
    return this.assignment;
  }

  private async join(
    coordinator: Connection,
  ): Promise<"retry" | { leader: boolean; members: { memberId: string; metadata: Buffer }[] }> {
    const { body } = await coordinator.send(JoinGroupApi, () =>
      createJoinGroupRequest({
        groupId: this.groupId,
        sessionTimeoutMs: this.options.sessionTimeoutMs,
        rebalanceTimeoutMs: this.options.rebalanceTimeoutMs,
        memberId: this.memberId,
        groupInstanceId: null,
        protocolType: CONSUMER_PROTOCOL_TYPE,
        protocols: [{ name: ASSIGNOR, metadata: writeSubscription(this.topics) }],
        reason: null,
      }),
    );
    // KIP-394: the first join only learns the member id to join with.
    if (body.errorCode === ErrorCode.MEMBER_ID_REQUIRED) {
      this.memberId = body.memberId;
      return "retry";
    }
    if (body.errorCode === ErrorCode.UNKNOWN_MEMBER_ID) {
      this.memberId = "";
      return "retry";
    }
    if (new KafkaError(body.errorCode).retriable && body.errorCode !== 0) return "retry";
    check(body.errorCode, null, `JoinGroup ${this.groupId}`);
    this.memberId = body.memberId;
    this.generation = body.generationId;
    return { leader: body.leader === body.memberId, members: body.members };
  }

  private async assign(members: { memberId: string; metadata: Buffer }[]) {
    const subscriptions = new Map<string, string[]>();
    const versions = new Map<string, number>();
    for (const m of members) {
      const s = readSubscription(m.metadata);
      subscriptions.set(m.memberId, s?.topics ?? []);
      versions.set(m.memberId, s?.version ?? 0);
    }
    const topics = [...new Set([...subscriptions.values()].flat())];
    const md = await this.client.metadata(topics);
    const counts = new Map(
      md.topics.map((t) => [t.name ?? "", t.errorCode === 0 ? t.partitions.length : 0]),
    );
    return [...rangeAssign(subscriptions, counts)].map(([memberId, named]) => ({
      memberId,
      assignment: writeAssignment(named, versions.get(memberId) ?? 0),
    }));
  }

  private async heartbeat(): Promise<void> {
    const c = this.coordinator;
    if (c === null || this.rebalanceNeeded) return;
    try {
      const { body } = await c.send(HeartbeatApi, () =>
        createHeartbeatRequest({
          groupId: this.groupId,
          generationId: this.generation,
          memberId: this.memberId,
          groupInstanceId: null,
        }),
      );
      if (body.errorCode !== 0) this.rebalanceNeeded = true;
    } catch {
      this.rebalanceNeeded = true;
    }
  }

  /** Commits `offsets` (the next offset to read, per partition) under this generation. */
  async commit(
    offsets: readonly { topic: string; partition: number; offset: bigint }[],
  ): Promise<void> {
    if (offsets.length === 0 || this.coordinator === null) return;
    const topics = [...new Set(offsets.map((o) => o.topic))];
    const c = this.coordinator;
    const { body } = await c.send(OffsetCommitApi, () =>
      createOffsetCommitRequest({
        groupId: this.groupId,
        generationIdOrMemberEpoch: this.generation,
        memberId: this.memberId,
        groupInstanceId: null,
        retentionTimeMs: -1n,
        topics: topics.map((name) => ({
          name,
          partitions: offsets
            .filter((o) => o.topic === name)
            .map((o) => ({
              partitionIndex: o.partition,
              committedOffset: o.offset,
              committedLeaderEpoch: -1,
              commitTimestamp: -1n,
              committedMetadata: "",
            })),
        })),
      }),
    );
    for (const t of body.topics)
      for (const p of t.partitions) {
        if (
          p.errorCode === ErrorCode.REBALANCE_IN_PROGRESS ||
          p.errorCode === ErrorCode.ILLEGAL_GENERATION
        )
          this.rebalanceNeeded = true;
        else check(p.errorCode, null, `commit ${t.name}-${p.partitionIndex}`);
      }
  }

  async leave(): Promise<void> {
    clearInterval(this.heartbeats);
    const c = this.coordinator;
    if (c === null) return;
    await retrying(async () => {
      const { body } = await c.send(LeaveGroupApi, (version) =>
        createLeaveGroupRequest(
          version >= 3
            ? {
                groupId: this.groupId,
                members: [
                  {
                    memberId: this.memberId,
                    groupInstanceId: null,
                    reason: "logbook consume ended",
                  },
                ],
              }
            : { groupId: this.groupId, memberId: this.memberId },
        ),
      );
      check(body.errorCode, null, `LeaveGroup ${this.groupId}`);
    }, 3);
  }
}
