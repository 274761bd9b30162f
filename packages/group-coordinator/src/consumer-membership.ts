import { ErrorCode } from "@logbook/protocol";
import type { Logger } from "@logbook/storage";
import type { CoordinatorConfig } from "./config.js";
import type {
  ConsumerHeartbeatInput,
  ConsumerHeartbeatResult,
  ConsumerTopicView,
  DescribedConsumerGroup,
  DescribedTopicPartitions,
} from "./consumer-api.js";
import {
  type ClassicPlan,
  planClassicHeartbeat,
  planClassicJoin,
  planClassicLeave,
  planClassicSync,
} from "./consumer-classic-members.js";
import {
  type Assignment,
  assignmentToWire,
  type ConsumerGroup,
  ownedPartitions,
} from "./consumer-group.js";
import { type MemberTimers, planConsumerHeartbeat } from "./consumer-heartbeat.js";
import { heartbeatError } from "./consumer-heartbeat-checks.js";
import type { HeartbeatContext } from "./consumer-member-update.js";
import { fenceOrDowngrade } from "./consumer-migration.js";
import type {
  HeartbeatInput,
  JoinGroupInput,
  LeaveGroupInput,
  LeaveGroupResult,
  SyncGroupInput,
} from "./coordinator-api.js";
import type { ClassicGroup } from "./group.js";
import type { GroupResult, GroupRuntime, Groups } from "./group-shard.js";
import type { GroupTimeoutsOf } from "./group-timeouts.js";
import { joinError, syncError } from "./member-answers.js";
import { answer } from "./runtime/index.js";
import { preferredAssignor } from "./target-assignment.js";

const timerKey = {
  session: (group: string, member: string) => `cg-session:${group}:${member}`,
  revocation: (group: string, member: string) => `cg-revocation:${group}:${member}`,
  classicSync: (group: string, member: string) => `cg-classic-sync:${group}:${member}`,
  classicJoin: (group: string, member: string) => `cg-classic-join:${group}:${member}`,
};

/**
 * ConsumerGroupHeartbeat and ConsumerGroupDescribe as runtime operations, with each
 * member's session timer (group.consumer.session.timeout.ms, or the group's own
 * through `timeouts`) and revocation deadline
 * (its rebalance timeout): a member that misses either is removed and the group epoch
 * moves, so the others are given its partitions. Also the classic members of consumer
 * groups (JoinGroup, SyncGroup, Heartbeat, LeaveGroup, routed here by Membership): their
 * session is the one they joined with, and a SyncGroup after a join, or a rejoin after
 * REBALANCE_IN_PROGRESS, is due within their rebalance timeout. Removals that leave only
 * classic members may downgrade the group (consumer-migration.ts).
 */
export class ConsumerMembership {
  /** The member epoch each running revocation deadline was started for. */
  private readonly revocationEpochs = new Map<string, number>();

  constructor(
    private readonly rt: GroupRuntime,
    private readonly config: CoordinatorConfig,
    private readonly timeouts: GroupTimeoutsOf,
    private readonly topics: ConsumerTopicView,
    private readonly logger: Logger,
    /** Ends a classic group's live side (members, waiters, timers) once it was upgraded. */
    private readonly endClassic: (group: ClassicGroup) => void,
    /** Brings a downgraded group's classic side back from its record (and rebalances). */
    private readonly resumeClassic: (groupId: string, rebalance: boolean) => void,
  ) {}

  heartbeat(input: ConsumerHeartbeatInput): Promise<ConsumerHeartbeatResult> {
    return this.rt.run((groups) => {
      const plan = planConsumerHeartbeat(
        groups,
        { config: this.configOf(input.groupId), topics: this.topics, now: this.rt.clock.now() },
        input,
      );
      return {
        records: plan.records,
        response: plan.response,
        appended: () => {
          if (plan.upgraded !== undefined) this.takeOver(plan.upgraded);
          if (plan.timers !== null) this.applyTimers(plan.timers);
          if (plan.downgraded !== undefined) this.handBack(input.groupId, plan.downgraded);
        },
        failed: (code) => heartbeatError(code, null),
      };
    });
  }

  /** JoinGroup of a classic member into this (non-empty) consumer group. */
  classicJoin(group: ConsumerGroup, input: JoinGroupInput) {
    const plan = planClassicJoin(group, this.contextOf(input.groupId), input);
    return this.classicResult(group.groupId, plan, (code) => joinError(code, input.memberId));
  }

  classicSync(group: ConsumerGroup, input: SyncGroupInput) {
    const plan = planClassicSync(group, this.contextOf(input.groupId), input);
    return this.classicResult(group.groupId, plan, syncError);
  }

  classicHeartbeat(group: ConsumerGroup, input: HeartbeatInput) {
    const plan = planClassicHeartbeat(group, input);
    return this.classicResult(group.groupId, plan, (errorCode) => ({ errorCode }));
  }

  classicLeave(group: ConsumerGroup, input: LeaveGroupInput): GroupResult<LeaveGroupResult> {
    const plan = planClassicLeave(group, this.contextOf(group.groupId), input);
    return {
      records: plan.records,
      response: plan.response,
      appended: () => {
        for (const id of plan.left) this.cancelAll(group.groupId, id);
        if (plan.downgraded !== null) this.handBack(group.groupId, plan.downgraded);
      },
      failed: (errorCode) => ({ errorCode, members: [] }),
    };
  }

  private classicResult<R>(
    groupId: string,
    plan: ClassicPlan<R>,
    failed: (code: number) => R,
  ): GroupResult<R> {
    return {
      records: plan.records,
      response: plan.response,
      appended: () => {
        if (plan.downgraded !== undefined) {
          this.handBack(groupId, plan.downgraded.memberIds, plan.downgraded.rebalance);
        } else if (plan.timers !== null) this.applyClassicTimers(groupId, plan.timers);
      },
      failed,
    };
  }

  private applyClassicTimers(groupId: string, t: NonNullable<ClassicPlan<unknown>["timers"]>) {
    this.applyTimers({
      group: groupId,
      memberId: t.memberId,
      sessionMs: t.sessionMs,
      revocation: null,
    });
    const deadline = (key: string, ms: number | null | undefined, onlyIfAbsent: boolean) => {
      if (ms === undefined) return;
      if (ms === null) this.rt.cancel(key);
      else if (!onlyIfAbsent || !this.rt.isScheduled(key)) {
        this.rt.schedule(key, ms, (groups) =>
          this.remove(groups, groupId, t.memberId, "it did not rejoin or sync in time"),
        );
      }
    };
    deadline(timerKey.classicSync(groupId, t.memberId), t.deadlines.sync, false);
    deadline(timerKey.classicJoin(groupId, t.memberId), t.deadlines.join, true);
  }

  private cancelAll(groupId: string, memberId: string): void {
    for (const key of Object.values(timerKey)) this.rt.cancel(key(groupId, memberId));
    this.revocationEpochs.delete(timerKey.revocation(groupId, memberId));
  }

  /**
   * After an online upgrade: the classic side's waiters are told to rejoin and its timers
   * stop (`endClassic`); the converted members' sessions run from here, each with the
   * session timeout it joined with.
   */
  private takeOver(entry: ClassicGroup): void {
    this.endClassic(entry);
    for (const m of entry.consumer?.members.values() ?? []) {
      if (m.classic === null) continue;
      this.applyTimers({
        group: entry.groupId,
        memberId: m.memberId,
        sessionMs: m.classic.sessionTimeoutMs,
        revocation: null,
      });
    }
  }

  describe(groupIds: string[]): Promise<DescribedConsumerGroup[]> {
    // Kafka answers the empty (invalid) ids first, then the groups in request order.
    const ordered = [...groupIds.filter((id) => id === ""), ...groupIds.filter((id) => id !== "")];
    return this.rt.run((groups) => answer(ordered.map((id) => this.describeOne(groups, id))));
  }

  /** After a restart: every member's session starts afresh, deadlines are re-armed. */
  resume(groups: Groups): void {
    for (const entry of groups.values()) {
      const g = entry.consumer;
      if (g === null) continue;
      for (const m of g.members.values()) {
        this.applyTimers({
          group: g.groupId,
          memberId: m.memberId,
          sessionMs: m.classic?.sessionTimeoutMs ?? this.timeouts(g.groupId).sessionTimeoutMs,
          revocation:
            m.state === "unrevoked"
              ? { epoch: m.memberEpoch, timeoutMs: m.rebalanceTimeoutMs }
              : null,
        });
      }
    }
  }

  private contextOf(groupId: string): HeartbeatContext {
    return { config: this.configOf(groupId), topics: this.topics, now: this.rt.clock.now() };
  }

  /** The config with the group's own timeouts in place of the broker's. */
  private configOf(groupId: string): CoordinatorConfig {
    const t = this.timeouts(groupId);
    return {
      ...this.config,
      consumerSessionTimeoutMs: t.sessionTimeoutMs,
      consumerHeartbeatIntervalMs: t.heartbeatIntervalMs,
    };
  }

  private applyTimers(t: MemberTimers): void {
    const session = timerKey.session(t.group, t.memberId);
    if (t.sessionMs === null) this.rt.cancel(session);
    else {
      this.rt.schedule(session, t.sessionMs, (groups) =>
        this.remove(groups, t.group, t.memberId, "its session timed out"),
      );
    }
    const revocation = timerKey.revocation(t.group, t.memberId);
    if (t.revocation === null) {
      this.rt.cancel(revocation);
      this.revocationEpochs.delete(revocation);
    } else if (
      !this.rt.isScheduled(revocation) ||
      this.revocationEpochs.get(revocation) !== t.revocation.epoch
    ) {
      const epoch = t.revocation.epoch;
      this.revocationEpochs.set(revocation, epoch);
      this.rt.schedule(revocation, t.revocation.timeoutMs, (groups) => {
        const m = groups.get(t.group)?.consumer?.members.get(t.memberId);
        if (m === undefined || m.state !== "unrevoked" || m.memberEpoch !== epoch) {
          return answer(undefined);
        }
        return this.remove(groups, t.group, t.memberId, "it did not revoke in time");
      });
    }
  }

  private remove(groups: Groups, groupId: string, memberId: string, why: string) {
    const g = groups.get(groupId)?.consumer;
    if (g == null || !g.members.has(memberId)) return answer(undefined);
    this.logger.info("removing consumer group member", { group: groupId, member: memberId, why });
    const ctx = this.contextOf(groupId);
    const fenced = fenceOrDowngrade(g, [memberId], ctx.config, ctx.topics, ctx.now);
    return {
      records: fenced.records,
      response: undefined,
      appended: () => {
        this.cancelAll(groupId, memberId);
        if (fenced.downgraded !== null) this.handBack(groupId, fenced.downgraded);
      },
    };
  }

  /**
   * After a downgrade: the consumer-side timers of the members stop and the classic
   * group resumes from its record, then rebalances (`resumeClassic`) unless a static
   * takeover kept every subscription as it was.
   */
  private handBack(groupId: string, memberIds: readonly string[], rebalance = true): void {
    for (const id of memberIds) this.cancelAll(groupId, id);
    this.logger.info("downgraded consumer group to a classic group", { group: groupId });
    this.resumeClassic(groupId, rebalance);
  }

  private describeOne(groups: Groups, groupId: string): DescribedConsumerGroup {
    const failed = (errorCode: number, errorMessage: string): DescribedConsumerGroup => ({
      groupId,
      errorCode,
      errorMessage,
      groupState: "",
      groupEpoch: 0,
      assignmentEpoch: 0,
      assignorName: "",
      members: [],
    });
    if (groupId === "") return failed(ErrorCode.INVALID_GROUP_ID, "Group ID can't be empty.");
    const entry = groups.get(groupId);
    const g = entry?.consumer;
    if (entry === undefined || g == null) {
      return failed(
        ErrorCode.GROUP_ID_NOT_FOUND,
        entry === undefined
          ? `Group ${groupId} not found.`
          : `Group ${groupId} is not a consumer group.`,
      );
    }
    return {
      groupId,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      groupState: g.state,
      groupEpoch: g.groupEpoch,
      assignmentEpoch: g.assignmentEpoch,
      assignorName: preferredAssignor(this.config, g.members.values()),
      members: [...g.members.values()].map((m) => ({
        memberId: m.memberId,
        instanceId: m.instanceId,
        rackId: m.rackId,
        memberEpoch: m.memberEpoch,
        clientId: m.clientId,
        clientHost: m.clientHost,
        subscribedTopicNames: m.subscribedTopicNames,
        subscribedTopicRegex: m.subscribedTopicRegex,
        // As Kafka 4.4: partitions pending revocation are still the member's.
        assignment: this.named(g, ownedPartitions(m)),
        targetAssignment: this.named(g, g.targets.get(m.memberId) ?? new Map()),
        memberType: m.classic === null ? "consumer" : "classic",
      })),
    };
  }

  private named(g: ConsumerGroup, a: Assignment): DescribedTopicPartitions[] {
    return assignmentToWire(a).map((t) => {
      const hex = t.topicId.toString("hex");
      const known = [...g.topics.values()].find((s) => s.id === hex);
      return { ...t, topicName: this.topics.byId(t.topicId)?.name ?? known?.name ?? "" };
    });
  }
}
