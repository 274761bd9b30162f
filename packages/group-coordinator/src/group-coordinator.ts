import { randomUUID } from "node:crypto";
import { createGroupMetadataValue, ErrorCode } from "@logbook/protocol";
import type { Logger } from "@logbook/storage";
import { type Clock, realClock, type TimerHandle } from "@logbook/storage";
import { applyRecord } from "./apply-record.js";
import { type CoordinatorConfig, coordinatorConfig } from "./config.js";
import type {
  CommitOffsetsInput,
  CommitOffsetsResult,
  DeleteGroupResult,
  DeleteOffsetsResult,
  DescribedGroup,
  EndOffsets,
  FetchOffsetsInput,
  FetchOffsetsResult,
  GroupCoordinatorApi,
  GroupLag,
  HeartbeatInput,
  HeartbeatResult,
  JoinGroupInput,
  JoinGroupResult,
  LeaveGroupInput,
  LeaveGroupResult,
  ListGroupsInput,
  ListGroupsResult,
  SyncGroupInput,
  SyncGroupResult,
  TxnCommitOffsetsInput,
} from "./coordinator-api.js";
import { ClassicGroup, type Member, sameProtocols } from "./group.js";
import { ANSWERS } from "./group-state.js";
import { lag } from "./lag.js";
import {
  fetchOffsets,
  planCommit,
  planDeleteGroups,
  planDeleteOffsets,
  planExpireOffsets,
  planTopicDeleted,
} from "./offset-operations.js";
import type { RecordLog } from "./record-log.js";
import { type CoordinatorRecord, decodeRecord, encodeRecord } from "./records.js";
import { restoreMembers } from "./restore-members.js";
import { planCompleteTransaction, planTxnCommit } from "./txn-offset-operations.js";

const EMPTY = Buffer.alloc(0);

export interface GroupCoordinatorOptions {
  log: RecordLog;
  logger: Logger;
  clock?: Clock;
  config?: Partial<CoordinatorConfig>;
}

function joinError(errorCode: number, memberId = ""): JoinGroupResult {
  return {
    errorCode,
    generationId: -1,
    protocolType: null,
    protocolName: null,
    leader: "",
    skipAssignment: false,
    memberId,
    members: [],
  };
}

function syncError(errorCode: number): SyncGroupResult {
  return { errorCode, protocolType: null, protocolName: null, assignment: EMPTY };
}

/** A result that is answered later (a long-polling join or sync), kept off the queue. */
interface Deferred<T> {
  wait: Promise<T>;
}

/**
 * The classic group coordinator. Every operation runs on one serial queue: it checks
 * the request against the state table, appends the records it produces, applies them
 * through `applyRecord` (the start-up replay path) and only then answers. Joins and
 * syncs that must wait hand back a promise resolved when the rebalance step completes.
 */
export class GroupCoordinator implements GroupCoordinatorApi {
  private readonly groups = new Map<string, ClassicGroup>();
  private queue: Promise<unknown> = Promise.resolve();
  private sweepTimer: TimerHandle | null = null;
  private closed = false;

  private constructor(
    private readonly log: RecordLog,
    private readonly logger: Logger,
    private readonly clock: Clock,
    readonly config: CoordinatorConfig,
  ) {}

  /**
   * Replays the log, brings back each group's stored members (Stable, with fresh
   * session timers) and starts the sweep.
   */
  static async open(options: GroupCoordinatorOptions): Promise<GroupCoordinator> {
    const c = new GroupCoordinator(
      options.log,
      options.logger.child({ component: "group-coordinator" }),
      options.clock ?? realClock(),
      coordinatorConfig(options.config),
    );
    let skipped = 0;
    await options.log.replay((raw) => {
      const rec = decodeRecord(raw);
      if (rec === undefined) skipped++;
      else applyRecord(c.groups, rec);
    });
    if (skipped > 0) c.logger.warn("skipped unknown __consumer_offsets records", { skipped });
    for (const group of c.groups.values()) c.resumeGroup(group);
    c.scheduleSweep();
    return c;
  }

  // ---- plumbing -------------------------------------------------------------------

  private run<T>(op: () => Promise<T> | T): Promise<T> {
    const next = this.queue.then(op);
    this.queue = next.catch(() => {});
    return next;
  }

  /** Resolves once every queued operation (including timer work) has finished. */
  async idle(): Promise<void> {
    for (;;) {
      const q = this.queue;
      await q;
      if (q === this.queue) return;
    }
  }

  /** Appends, then applies: the only path by which durable state changes. */
  private async persist(records: CoordinatorRecord[]): Promise<void> {
    if (records.length === 0) return;
    await this.log.append(records.map(encodeRecord));
    for (const r of records) applyRecord(this.groups, r);
  }

  private schedule(ms: number, op: () => Promise<void> | void): TimerHandle {
    return this.clock.setTimeout(() => {
      if (this.closed) return;
      this.run(op).catch((err: unknown) =>
        this.logger.error("group timer failed", { error: String(err) }),
      );
    }, ms);
  }

  private scheduleSweep(): void {
    this.sweepTimer = this.schedule(this.config.offsetsRetentionCheckIntervalMs, async () => {
      await this.expireOffsets();
      this.scheduleSweep();
    });
  }

  /** One retention sweep (also run by the periodic timer). */
  async expireOffsets(): Promise<number> {
    const records = planExpireOffsets(this.groups, this.config, this.clock.now());
    await this.persist(records);
    if (records.length > 0) this.logger.info("expired offsets", { records: records.length });
    return records.length;
  }

  private resetSession(group: ClassicGroup, m: Member): void {
    if (m.sessionTimer !== null) this.clock.clearTimeout(m.sessionTimer);
    const timer = this.schedule(m.sessionTimeoutMs, () => {
      if (group.members.get(m.memberId) !== m || m.sessionTimer !== timer) return;
      // A member waiting in a join or sync is alive (Kafka's shouldKeepAlive).
      if (m.joinWaiter !== null || m.syncWaiter !== null) {
        this.resetSession(group, m);
        return;
      }
      this.logger.info("member session expired", { group: group.groupId, member: m.memberId });
      this.removeMembers(group, [m], ErrorCode.UNKNOWN_MEMBER_ID);
    });
    m.sessionTimer = timer;
  }

  private resumeGroup(group: ClassicGroup): void {
    const { restored, assigned } = restoreMembers(group);
    if (restored.length === 0) return;
    group.sm.loadedWithMembers();
    for (const m of restored) this.resetSession(group, m);
    // Stored between join and sync: nobody has an assignment yet, so rebalance again.
    if (!assigned) this.prepareRebalance(group, "restored before its assignments were stored");
  }

  // ---- membership -------------------------------------------------------------------

  join(input: JoinGroupInput): Promise<JoinGroupResult> {
    return this.run(async () => {
      const d = await this.joinNow(input);
      const group = this.groups.get(input.groupId);
      if (group !== undefined) this.forgetIfVacant(group);
      return d;
    }).then((d) => d.wait);
  }

  /** A group that only a failed or pending first join created leaves no trace. */
  private forgetIfVacant(group: ClassicGroup): void {
    if (group.state === "Empty" && group.isVacant && group.pending.size === 0) {
      this.groups.delete(group.groupId);
    }
  }

  private async joinNow(input: JoinGroupInput): Promise<Deferred<JoinGroupResult>> {
    const now = (r: JoinGroupResult): Deferred<JoinGroupResult> => ({ wait: Promise.resolve(r) });
    if (input.groupId === "") return now(joinError(ErrorCode.INVALID_GROUP_ID, input.memberId));
    if (
      input.sessionTimeoutMs < this.config.minSessionTimeoutMs ||
      input.sessionTimeoutMs > this.config.maxSessionTimeoutMs
    ) {
      return now(joinError(ErrorCode.INVALID_SESSION_TIMEOUT, input.memberId));
    }
    let group = this.groups.get(input.groupId);
    if (group === undefined) {
      if (input.memberId !== "") return now(joinError(ErrorCode.UNKNOWN_MEMBER_ID, input.memberId));
      group = new ClassicGroup(input.groupId);
      this.groups.set(input.groupId, group);
    }
    const answer = ANSWERS[group.state].join;
    if (typeof answer === "number") return now(joinError(answer, input.memberId));
    if (!group.supportsProtocols(input.protocolType, input.protocols)) {
      return now(joinError(ErrorCode.INCONSISTENT_GROUP_PROTOCOL, input.memberId));
    }
    if (input.reason) {
      this.logger.debug("join", {
        group: group.groupId,
        member: input.memberId,
        reason: input.reason,
      });
    }
    return input.memberId === "" ? this.joinUnknown(group, input) : this.joinKnown(group, input);
  }

  private async joinUnknown(
    group: ClassicGroup,
    input: JoinGroupInput,
  ): Promise<Deferred<JoinGroupResult>> {
    const instance = input.groupInstanceId;
    if (instance !== null) {
      const existing = group.staticMembers.get(instance);
      const memberId = `${instance}-${randomUUID()}`;
      if (existing !== undefined) {
        return await this.replaceStaticMember(group, input, existing, memberId);
      }
      if (group.members.size >= this.config.maxGroupSize) {
        return { wait: Promise.resolve(joinError(ErrorCode.GROUP_MAX_SIZE_REACHED)) };
      }
      return this.addMemberAndRebalance(group, input, memberId);
    }
    if (group.members.size + group.pending.size >= this.config.maxGroupSize) {
      return { wait: Promise.resolve(joinError(ErrorCode.GROUP_MAX_SIZE_REACHED)) };
    }
    const memberId = `${input.clientId}-${randomUUID()}`;
    if (input.requireKnownMemberId) {
      // KIP-394: the id is reserved until the member rejoins with it or its session ends.
      const timer = this.schedule(input.sessionTimeoutMs, () => {
        if (group.pending.get(memberId) !== timer) return;
        group.pending.delete(memberId);
        this.maybeCompleteJoin(group);
        this.forgetIfVacant(group);
      });
      group.pending.set(memberId, timer);
      return { wait: Promise.resolve(joinError(ErrorCode.MEMBER_ID_REQUIRED, memberId)) };
    }
    return this.addMemberAndRebalance(group, input, memberId);
  }

  private joinKnown(group: ClassicGroup, input: JoinGroupInput): Deferred<JoinGroupResult> {
    const fail = (code: number) => ({ wait: Promise.resolve(joinError(code, input.memberId)) });
    const pendingTimer = group.pending.get(input.memberId);
    if (pendingTimer !== undefined) {
      this.clock.clearTimeout(pendingTimer);
      group.pending.delete(input.memberId);
      return this.addMemberAndRebalance(group, input, input.memberId);
    }
    if (input.groupInstanceId !== null) {
      const current = group.staticMembers.get(input.groupInstanceId);
      if (current !== undefined && current !== input.memberId) {
        return fail(ErrorCode.FENCED_INSTANCE_ID);
      }
    }
    const m = group.members.get(input.memberId);
    if (m === undefined) return fail(ErrorCode.UNKNOWN_MEMBER_ID);
    const unchanged =
      m.protocolType === input.protocolType && sameProtocols(m.protocols, input.protocols);
    const wait = this.waitForJoin(m);
    this.updateMember(m, input);
    this.resetSession(group, m);
    if (group.state === "PreparingRebalance") {
      this.maybeCompleteJoin(group);
    } else if (
      group.state === "CompletingRebalance" ||
      (group.state === "Stable" && group.leaderId !== m.memberId)
    ) {
      if (unchanged) {
        // A lost join response, or a follower rejoining as is: answer the current generation.
        this.answerJoin(group, m, false);
      } else {
        this.prepareRebalance(group, `member ${m.memberId} changed its protocols`);
      }
    } else {
      this.prepareRebalance(group, `leader ${m.memberId} rejoined`);
    }
    return { wait };
  }

  private waitForJoin(m: Member): Promise<JoinGroupResult> {
    // A second join from the same member supersedes the first one.
    m.joinWaiter?.(joinError(ErrorCode.REBALANCE_IN_PROGRESS, m.memberId));
    return new Promise((resolve) => {
      m.joinWaiter = resolve;
    });
  }

  private updateMember(m: Member, input: JoinGroupInput): void {
    m.clientId = input.clientId;
    m.clientHost = input.clientHost;
    m.sessionTimeoutMs = input.sessionTimeoutMs;
    m.rebalanceTimeoutMs = input.rebalanceTimeoutMs;
    m.protocolType = input.protocolType;
    m.protocols = input.protocols;
  }

  private newMember(input: JoinGroupInput, memberId: string): Member {
    return {
      memberId,
      groupInstanceId: input.groupInstanceId,
      clientId: input.clientId,
      clientHost: input.clientHost,
      sessionTimeoutMs: input.sessionTimeoutMs,
      rebalanceTimeoutMs: input.rebalanceTimeoutMs,
      protocolType: input.protocolType,
      protocols: input.protocols,
      assignment: EMPTY,
      joinWaiter: null,
      syncWaiter: null,
      sessionTimer: null,
    };
  }

  private addMemberAndRebalance(
    group: ClassicGroup,
    input: JoinGroupInput,
    memberId: string,
  ): Deferred<JoinGroupResult> {
    const m = this.newMember(input, memberId);
    const wait = this.waitForJoin(m);
    group.members.set(memberId, m);
    if (m.groupInstanceId !== null) group.staticMembers.set(m.groupInstanceId, memberId);
    this.resetSession(group, m);
    if (group.state === "PreparingRebalance") {
      this.extendInitialDelay(group);
      this.maybeCompleteJoin(group);
    } else {
      this.prepareRebalance(group, `member ${memberId} joined`);
    }
    return { wait };
  }

  /**
   * KIP-345: a known group.instance.id joining without its member id is the same
   * consumer restarted. It takes over the old member (whose id is now fenced); a Stable
   * group whose selected protocol stays the same keeps its assignment without a rebalance.
   */
  private async replaceStaticMember(
    group: ClassicGroup,
    input: JoinGroupInput,
    oldId: string,
    newId: string,
  ): Promise<Deferred<JoinGroupResult>> {
    const old = group.members.get(oldId);
    if (old === undefined) return { wait: Promise.resolve(joinError(ErrorCode.UNKNOWN_MEMBER_ID)) };
    old.joinWaiter?.(joinError(ErrorCode.FENCED_INSTANCE_ID, oldId));
    old.syncWaiter?.(syncError(ErrorCode.FENCED_INSTANCE_ID));
    old.joinWaiter = null;
    old.syncWaiter = null;
    if (old.sessionTimer !== null) this.clock.clearTimeout(old.sessionTimer);
    const m = this.newMember(input, newId);
    m.assignment = old.assignment;
    group.members.delete(oldId);
    group.members.set(newId, m);
    group.staticMembers.set(m.groupInstanceId ?? "", newId);
    // As Kafka decides: only a change of the protocol the group would select next needs a
    // rebalance. The metadata bytes differ on nearly every restart (the Java client puts
    // its generation, -1 after a restart, in its subscription), so they are not compared;
    // a member whose subscription really changed rejoins by itself once it has its
    // assignment.
    const keepsProtocol = group.selectProtocol() === group.protocolName;
    const wait = this.waitForJoin(m);
    this.resetSession(group, m);
    if (group.state === "Stable" && keepsProtocol) {
      await this.persistStaticReplacement(group, m, oldId);
    } else if (group.state === "PreparingRebalance") {
      this.maybeCompleteJoin(group);
    } else {
      this.prepareRebalance(group, `static member ${input.groupInstanceId} rejoined`);
    }
    return { wait };
  }

  private async persistStaticReplacement(
    group: ClassicGroup,
    m: Member,
    oldId: string,
  ): Promise<void> {
    const leader = group.leaderId === oldId ? m.memberId : group.leaderId;
    const record = this.groupRecord(group, group.generationId, group.protocolName, leader, true);
    try {
      await this.persist([record]);
    } catch (err) {
      // Not stored: the new member goes too (the old id stays fenced) and the rest rebalance.
      this.logger.warn("could not store static member replacement", { error: String(err) });
      this.removeMembers(group, [m], ErrorCode.COORDINATOR_NOT_AVAILABLE);
      return;
    }
    // KIP-814: a static leader back without a rebalance gets the members but must not reassign.
    this.answerJoin(group, m, group.leaderId === m.memberId);
  }

  /** Answers a member's pending join with the current generation. */
  private answerJoin(group: ClassicGroup, m: Member, skipAssignment: boolean): void {
    const isLeader = group.leaderId === m.memberId;
    const members = isLeader
      ? [...group.members.values()].map((x) => ({
          memberId: x.memberId,
          groupInstanceId: x.groupInstanceId,
          metadata: group.metadataFor(x, group.protocolName),
        }))
      : [];
    const waiter = m.joinWaiter;
    m.joinWaiter = null;
    waiter?.({
      errorCode: ErrorCode.NONE,
      generationId: group.generationId,
      protocolType: group.protocolType,
      protocolName: group.protocolName,
      leader: group.leaderId ?? "",
      skipAssignment,
      memberId: m.memberId,
      members,
    });
  }

  private prepareRebalance(group: ClassicGroup, reason: string): void {
    if (group.state === "CompletingRebalance") {
      for (const m of group.members.values()) {
        const waiter = m.syncWaiter;
        m.syncWaiter = null;
        waiter?.(syncError(ErrorCode.REBALANCE_IN_PROGRESS));
      }
    }
    const fromEmpty = group.state === "Empty";
    group.sm.transition("PreparingRebalance");
    this.logger.info("preparing rebalance", { group: group.groupId, reason });
    const now = this.clock.now();
    const timeout = group.maxRebalanceTimeoutMs();
    group.rebalanceDeadline = now + timeout;
    const delay = this.config.initialRebalanceDelayMs;
    if (fromEmpty && delay > 0) {
      // A new group waits a little for the other consumers starting with this one.
      group.initialDelayUntil = Math.min(now + delay, group.rebalanceDeadline);
      this.setRebalanceTimer(group, group.initialDelayUntil - now);
    } else {
      group.initialDelayUntil = null;
      this.setRebalanceTimer(group, timeout);
      this.maybeCompleteJoin(group);
    }
  }

  private extendInitialDelay(group: ClassicGroup): void {
    if (group.initialDelayUntil === null) return;
    const until = Math.min(
      this.clock.now() + this.config.initialRebalanceDelayMs,
      group.rebalanceDeadline,
    );
    if (until <= group.initialDelayUntil) return;
    group.initialDelayUntil = until;
    this.setRebalanceTimer(group, until - this.clock.now());
  }

  private setRebalanceTimer(group: ClassicGroup, ms: number): void {
    if (group.rebalanceTimer !== null) this.clock.clearTimeout(group.rebalanceTimer);
    const timer = this.schedule(ms, async () => {
      if (group.rebalanceTimer !== timer || group.state !== "PreparingRebalance") return;
      group.rebalanceTimer = null;
      if (group.initialDelayUntil !== null) {
        group.initialDelayUntil = null;
        // The delay is over: wait for known members like any rebalance, until the deadline.
        if (!group.allMembersJoined()) {
          this.setRebalanceTimer(group, Math.max(0, group.rebalanceDeadline - this.clock.now()));
          return;
        }
      }
      await this.completeJoin(group);
    });
    group.rebalanceTimer = timer;
  }

  private maybeCompleteJoin(group: ClassicGroup): void {
    if (group.state !== "PreparingRebalance" || group.initialDelayUntil !== null) return;
    if (!group.allMembersJoined()) return;
    // Queued so the caller's answer and records come first; completeJoin rechecks.
    this.run(async () => {
      if (
        group.state === "PreparingRebalance" &&
        group.initialDelayUntil === null &&
        group.allMembersJoined()
      ) {
        await this.completeJoin(group);
      }
    }).catch((err: unknown) => this.logger.error("completing join failed", { error: String(err) }));
  }

  /**
   * Ends PreparingRebalance: members that did not rejoin are removed, the generation
   * is bumped and stored, then everyone's join is answered (the leader gets all
   * members' metadata). With no members left the group becomes Empty.
   */
  private async completeJoin(group: ClassicGroup): Promise<void> {
    if (group.rebalanceTimer !== null) this.clock.clearTimeout(group.rebalanceTimer);
    group.rebalanceTimer = null;
    const missing = [...group.members.values()].filter((m) => m.joinWaiter === null);
    for (const m of missing) {
      this.logger.info("member did not rejoin in time", {
        group: group.groupId,
        member: m.memberId,
      });
      this.dropMember(group, m, ErrorCode.UNKNOWN_MEMBER_ID);
    }
    const generation = group.generationId + 1;
    if (group.members.size === 0) {
      await this.persist([this.groupRecord(group, generation, null, null, false)]);
      group.sm.transition("Empty");
      return;
    }
    const protocol = group.selectProtocol();
    const first = group.members.keys().next().value ?? null;
    const leader =
      group.leaderId !== null && group.members.has(group.leaderId) ? group.leaderId : first;
    try {
      await this.persist([this.groupRecord(group, generation, protocol, leader, false)]);
    } catch (err) {
      this.logger.warn("could not store the new generation", { error: String(err) });
      for (const m of group.members.values()) {
        const waiter = m.joinWaiter;
        m.joinWaiter = null;
        waiter?.(joinError(ErrorCode.COORDINATOR_NOT_AVAILABLE, m.memberId));
      }
      this.setRebalanceTimer(group, group.maxRebalanceTimeoutMs());
      return;
    }
    group.sm.transition("CompletingRebalance");
    for (const m of group.members.values()) {
      this.answerJoin(group, m, false);
      this.resetSession(group, m);
    }
  }

  /** The GroupMetadata record of the group's live members. */
  private groupRecord(
    group: ClassicGroup,
    generation: number,
    protocol: string | null,
    leader: string | null,
    withAssignments: boolean,
  ): CoordinatorRecord {
    const members = [...group.members.values()];
    return {
      kind: "group",
      group: group.groupId,
      value: createGroupMetadataValue({
        protocolType: members[0]?.protocolType ?? group.protocolType ?? "",
        generation,
        protocol,
        leader,
        currentStateTimestamp: BigInt(this.clock.now()),
        members: members.map((m) => ({
          memberId: m.memberId,
          groupInstanceId: m.groupInstanceId,
          clientId: m.clientId,
          clientHost: m.clientHost,
          rebalanceTimeoutMs: m.rebalanceTimeoutMs,
          sessionTimeoutMs: m.sessionTimeoutMs,
          subscription: group.metadataFor(m, protocol),
          assignment: withAssignments ? m.assignment : EMPTY,
        })),
      }),
    };
  }

  /** Removes one member: its timers and waiters end with `code`. */
  private dropMember(group: ClassicGroup, m: Member, code: number): void {
    if (m.sessionTimer !== null) this.clock.clearTimeout(m.sessionTimer);
    m.sessionTimer = null;
    const jw = m.joinWaiter;
    const sw = m.syncWaiter;
    m.joinWaiter = null;
    m.syncWaiter = null;
    jw?.(joinError(code, m.memberId));
    sw?.(syncError(code));
    group.members.delete(m.memberId);
    if (m.groupInstanceId !== null && group.staticMembers.get(m.groupInstanceId) === m.memberId) {
      group.staticMembers.delete(m.groupInstanceId);
    }
  }

  /** Removes members (leave or expiry) and rebalances the rest. */
  private removeMembers(group: ClassicGroup, members: Member[], code: number): void {
    if (members.length === 0) return;
    for (const m of members) this.dropMember(group, m, code);
    if (group.state === "Stable" || group.state === "CompletingRebalance") {
      this.prepareRebalance(group, `${members.length} member(s) left`);
    } else {
      this.maybeCompleteJoin(group);
    }
  }

  sync(input: SyncGroupInput): Promise<SyncGroupResult> {
    return this.run(() => this.syncNow(input)).then((d) => d.wait);
  }

  private async syncNow(input: SyncGroupInput): Promise<Deferred<SyncGroupResult>> {
    const now = (code: number) => ({ wait: Promise.resolve(syncError(code)) });
    const group = this.groups.get(input.groupId);
    if (group === undefined) return now(ErrorCode.UNKNOWN_MEMBER_ID);
    const check = this.memberCheck(group, input);
    if (check !== ErrorCode.NONE) return now(check);
    if (
      (input.protocolType !== null && input.protocolType !== group.protocolType) ||
      (input.protocolName !== null && input.protocolName !== group.protocolName)
    ) {
      return now(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    }
    const m = group.members.get(input.memberId);
    if (m === undefined) return now(ErrorCode.UNKNOWN_MEMBER_ID);
    const answer = ANSWERS[group.state].sync;
    if (typeof answer === "number") return now(answer);
    this.resetSession(group, m);
    if (answer === "current-assignment") {
      return { wait: Promise.resolve(this.syncAnswer(group, m)) };
    }
    m.syncWaiter?.(syncError(ErrorCode.REBALANCE_IN_PROGRESS));
    const wait = new Promise<SyncGroupResult>((resolve) => {
      m.syncWaiter = resolve;
    });
    if (group.leaderId === m.memberId) {
      await this.storeAssignments(group, input);
    }
    return { wait };
  }

  private syncAnswer(group: ClassicGroup, m: Member): SyncGroupResult {
    return {
      errorCode: ErrorCode.NONE,
      protocolType: group.protocolType,
      protocolName: group.protocolName,
      assignment: m.assignment,
    };
  }

  /** The leader's SyncGroup: store every member's assignment, then answer all syncs. */
  private async storeAssignments(group: ClassicGroup, input: SyncGroupInput): Promise<void> {
    const given = new Map(input.assignments.map((a) => [a.memberId, a.assignment]));
    const record = this.groupRecord(
      group,
      group.generationId,
      group.protocolName,
      group.leaderId,
      true,
    );
    if (record.kind === "group" && record.value !== null) {
      for (const sm of record.value.members) sm.assignment = given.get(sm.memberId) ?? EMPTY;
    }
    try {
      await this.persist([record]);
    } catch (err) {
      this.logger.warn("could not store assignments", { error: String(err) });
      for (const m of group.members.values()) {
        const waiter = m.syncWaiter;
        m.syncWaiter = null;
        waiter?.(syncError(ErrorCode.COORDINATOR_NOT_AVAILABLE));
      }
      if (group.state === "CompletingRebalance")
        this.prepareRebalance(group, "assignments not stored");
      return;
    }
    group.sm.transition("Stable");
    for (const m of group.members.values()) {
      const waiter = m.syncWaiter;
      m.syncWaiter = null;
      waiter?.(this.syncAnswer(group, m));
    }
  }

  /** The checks every member request shares: Dead, fencing, unknown member, generation. */
  private memberCheck(
    group: ClassicGroup,
    input: { memberId: string; groupInstanceId: string | null; generationId: number },
  ): number {
    if (group.state === "Dead") return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    if (input.groupInstanceId !== null) {
      const current = group.staticMembers.get(input.groupInstanceId);
      if (current !== undefined && current !== input.memberId) return ErrorCode.FENCED_INSTANCE_ID;
    }
    if (!group.members.has(input.memberId)) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (input.generationId !== group.generationId) return ErrorCode.ILLEGAL_GENERATION;
    return ErrorCode.NONE;
  }

  heartbeat(input: HeartbeatInput): Promise<HeartbeatResult> {
    return this.run(() => {
      const group = this.groups.get(input.groupId);
      if (group === undefined) return { errorCode: ErrorCode.UNKNOWN_MEMBER_ID };
      const check = this.memberCheck(group, input);
      if (check !== ErrorCode.NONE) return { errorCode: check };
      const m = group.members.get(input.memberId);
      if (m !== undefined) this.resetSession(group, m);
      return { errorCode: ANSWERS[group.state].heartbeat };
    });
  }

  leave(input: LeaveGroupInput): Promise<LeaveGroupResult> {
    return this.run(() => {
      const group = this.groups.get(input.groupId);
      if (group === undefined) {
        // As Kafka answers: the request is fine, each member is unknown (v0-v2 callers
        // report the member's error).
        return {
          errorCode: ErrorCode.NONE,
          members: input.members.map((m) => ({ ...m, errorCode: ErrorCode.UNKNOWN_MEMBER_ID })),
        };
      }
      if (group.state === "Dead") {
        const errorCode = ErrorCode.COORDINATOR_NOT_AVAILABLE;
        return { errorCode, members: input.members.map((m) => ({ ...m, errorCode })) };
      }
      const leaving: Member[] = [];
      const members = input.members.map((req) => {
        const out = (errorCode: number) => ({
          memberId: req.memberId,
          groupInstanceId: req.groupInstanceId,
          errorCode,
        });
        let id = req.memberId;
        if (req.groupInstanceId !== null) {
          const current = group.staticMembers.get(req.groupInstanceId);
          if (current === undefined) return out(ErrorCode.UNKNOWN_MEMBER_ID);
          if (id !== "" && id !== current) return out(ErrorCode.FENCED_INSTANCE_ID);
          id = current;
        }
        const pendingTimer = group.pending.get(id);
        if (pendingTimer !== undefined) {
          this.clock.clearTimeout(pendingTimer);
          group.pending.delete(id);
          return out(ErrorCode.NONE);
        }
        const m = group.members.get(id);
        if (m === undefined) return out(ErrorCode.UNKNOWN_MEMBER_ID);
        if (!leaving.includes(m)) leaving.push(m);
        if (req.reason)
          this.logger.debug("leave", { group: group.groupId, member: id, reason: req.reason });
        return out(ErrorCode.NONE);
      });
      this.removeMembers(group, leaving, ErrorCode.UNKNOWN_MEMBER_ID);
      if (leaving.length === 0) this.maybeCompleteJoin(group);
      return { errorCode: ErrorCode.NONE, members };
    });
  }

  // ---- offsets and administration ----------------------------------------------------

  commitOffsets(input: CommitOffsetsInput): Promise<CommitOffsetsResult> {
    return this.run(() =>
      this.storeCommit(
        input,
        planCommit(this.groups, this.config, this.clock.now(), input),
        "offset commit not stored",
      ),
    );
  }

  commitTxnOffsets(input: TxnCommitOffsetsInput): Promise<CommitOffsetsResult> {
    return this.run(() =>
      this.storeCommit(
        input,
        planTxnCommit(this.groups, this.config, this.clock.now(), input),
        "transactional offset commit not stored",
      ),
    );
  }

  /** A commit's records: a member committing is alive; a failed append fails every partition. */
  private async storeCommit(
    input: CommitOffsetsInput | TxnCommitOffsetsInput,
    plan: { records: CoordinatorRecord[]; result: CommitOffsetsResult },
    failure: string,
  ): Promise<CommitOffsetsResult> {
    const group = this.groups.get(input.groupId);
    const m = group?.members.get(input.memberId);
    if (group !== undefined && m !== undefined && plan.records.length > 0)
      this.resetSession(group, m);
    try {
      await this.persist(plan.records);
    } catch (err) {
      this.logger.warn(failure, { group: input.groupId, error: String(err) });
      return {
        partitions: input.offsets.map((o) => ({
          topic: o.topic,
          partition: o.partition,
          errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE,
        })),
      };
    }
    return plan.result;
  }

  completeTransaction(producerId: bigint, producerEpoch: number, commit: boolean): Promise<void> {
    return this.run(async () => {
      const records = planCompleteTransaction(this.groups, producerId, commit);
      // A failed append throws to the transaction coordinator, which retries the marker.
      await this.persist(records);
      if (records.length > 0) {
        this.logger.debug("completed transactional offsets", {
          producerId: String(producerId),
          producerEpoch,
          commit,
          records: records.length,
        });
      }
    });
  }

  fetchOffsets(input: FetchOffsetsInput): Promise<FetchOffsetsResult> {
    return this.run(() => fetchOffsets(this.groups, input));
  }

  listGroups(input: ListGroupsInput): Promise<ListGroupsResult> {
    return this.run(() => {
      const states = (input.states ?? []).map((s) => s.toLowerCase());
      const types = (input.types ?? []).map((t) => t.toLowerCase());
      if (types.length > 0 && !types.includes("classic"))
        return { errorCode: ErrorCode.NONE, groups: [] };
      const groups = [...this.groups.values()]
        .filter((g) => states.length === 0 || states.includes(g.state.toLowerCase()))
        .map((g) => ({
          groupId: g.groupId,
          protocolType: g.members.values().next().value?.protocolType ?? g.protocolType ?? "",
          groupState: g.state,
          groupType: "classic" as const,
        }));
      return { errorCode: ErrorCode.NONE, groups };
    });
  }

  describeGroups(groupIds: string[]): Promise<DescribedGroup[]> {
    return this.run(() => groupIds.map((id) => this.describe(id)));
  }

  private describe(groupId: string): DescribedGroup {
    const group = this.groups.get(groupId);
    if (group === undefined) {
      return {
        groupId,
        errorCode: groupId === "" ? ErrorCode.INVALID_GROUP_ID : ErrorCode.NONE,
        exists: false,
        groupState: "Dead",
        protocolType: "",
        protocolData: "",
        members: [],
      };
    }
    const settled = group.state === "Stable" || group.state === "CompletingRebalance";
    return {
      groupId,
      errorCode: ErrorCode.NONE,
      exists: true,
      groupState: group.state,
      protocolType: group.members.values().next().value?.protocolType ?? group.protocolType ?? "",
      protocolData: settled ? (group.protocolName ?? "") : "",
      members: [...group.members.values()].map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        memberMetadata: settled ? group.metadataFor(m, group.protocolName) : EMPTY,
        // While a rebalance gathers members, the last assignment still shows (as Kafka).
        memberAssignment:
          group.state === "Stable" || group.state === "PreparingRebalance" ? m.assignment : EMPTY,
      })),
    };
  }

  deleteGroups(groupIds: string[]): Promise<DeleteGroupResult[]> {
    return this.run(async () => {
      const plan = planDeleteGroups(this.groups, groupIds);
      try {
        await this.persist(plan.records);
      } catch (err) {
        this.logger.warn("group deletion not stored", { error: String(err) });
        return plan.result.map((r) =>
          r.errorCode === ErrorCode.NONE
            ? { ...r, errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE }
            : r,
        );
      }
      return plan.result;
    });
  }

  deleteOffsets(
    groupId: string,
    partitions: { topic: string; partition: number }[],
  ): Promise<DeleteOffsetsResult> {
    return this.run(async () => {
      const plan = planDeleteOffsets(this.groups, groupId, partitions);
      await this.persist(plan.records);
      return plan.result;
    });
  }

  onTopicDeleted(topic: string): Promise<void> {
    return this.run(async () => {
      const records = planTopicDeleted(this.groups, topic);
      await this.persist(records);
      if (records.length > 0)
        this.logger.info("dropped offsets of deleted topic", { topic, records: records.length });
    });
  }

  lag(groupId: string, endOffsets: EndOffsets): Promise<GroupLag> {
    return lag(this, groupId, endOffsets);
  }

  async close(): Promise<void> {
    await this.run(() => {
      this.closed = true;
      if (this.sweepTimer !== null) this.clock.clearTimeout(this.sweepTimer);
      for (const g of this.groups.values()) {
        if (g.rebalanceTimer !== null) this.clock.clearTimeout(g.rebalanceTimer);
        for (const t of g.pending.values()) this.clock.clearTimeout(t);
        for (const m of g.members.values()) {
          if (m.sessionTimer !== null) this.clock.clearTimeout(m.sessionTimer);
          m.joinWaiter?.(joinError(ErrorCode.NOT_COORDINATOR, m.memberId));
          m.syncWaiter?.(syncError(ErrorCode.NOT_COORDINATOR));
          m.joinWaiter = null;
          m.syncWaiter = null;
        }
      }
    });
  }

  /** The durable state (what replay rebuilds), for tests and diagnostics. */
  durableSnapshot(): unknown {
    return [...this.groups.values()]
      .map((g) => ({
        groupId: g.groupId,
        hasMetadata: g.hasMetadata,
        generationId: g.generationId,
        protocolType: g.protocolType,
        protocolName: g.protocolName,
        leaderId: g.leaderId,
        storedMembers: g.storedMembers.map((m) => ({
          memberId: m.memberId,
          groupInstanceId: m.groupInstanceId,
          subscription: m.subscription.toString("hex"),
          assignment: m.assignment.toString("hex"),
        })),
        offsets: [...g.offsets.values()]
          .map((o) => ({
            topic: o.topic,
            partition: o.partition,
            offset: o.offset.toString(),
            leaderEpoch: o.leaderEpoch,
            metadata: o.metadata,
            commitTimestamp: o.commitTimestamp.toString(),
          }))
          .sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition),
        pendingTxnOffsets: [...g.pendingTxnOffsets]
          .flatMap(([producerId, byPartition]) =>
            [...byPartition.values()].map((o) => ({
              producerId: producerId.toString(),
              producerEpoch: o.producerEpoch,
              topic: o.topic,
              partition: o.partition,
              offset: o.offset.toString(),
              metadata: o.metadata,
            })),
          )
          .sort(
            (a, b) =>
              a.producerId.localeCompare(b.producerId) ||
              a.topic.localeCompare(b.topic) ||
              a.partition - b.partition,
          ),
      }))
      .filter((g) => g.hasMetadata || g.offsets.length > 0 || g.pendingTxnOffsets.length > 0)
      .sort((a, b) => a.groupId.localeCompare(b.groupId));
  }
}
