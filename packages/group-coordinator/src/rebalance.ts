import { createGroupMetadataValue, ErrorCode } from "@logbook/protocol";
import type { Logger } from "@logbook/storage";
import type { CoordinatorConfig } from "./config.js";
import type { ClassicGroup, Member } from "./group.js";
import type { GroupResult, GroupRuntime } from "./group-shard.js";
import { timerKeys } from "./group-shard.js";
import { answerSyncs, EMPTY, joinError, syncError } from "./member-answers.js";
import type { CoordinatorRecord } from "./records.js";
import { restoreMembers } from "./restore-members.js";
import { answer } from "./runtime/index.js";

const NOTHING = answer(undefined);

/**
 * The live side of classic groups: session timers, the rebalance from
 * PreparingRebalance to CompletingRebalance, and member removal. Every method runs
 * inside a runtime operation (or at start-up before any); timers are the runtime's
 * keyed timers, so a rescheduled one never fires stale.
 */
export class Rebalance {
  constructor(
    private readonly rt: GroupRuntime,
    private readonly config: CoordinatorConfig,
    private readonly logger: Logger,
  ) {}

  private now(): number {
    return this.rt.clock.now();
  }

  /** Start-up: the stored members come back with fresh sessions. */
  resumeGroup(group: ClassicGroup): void {
    const { restored, assigned } = restoreMembers(group);
    if (restored.length === 0) return;
    group.sm.loadedWithMembers();
    for (const m of restored) this.resetSession(group, m);
    // Stored between join and sync: nobody has an assignment yet, so rebalance again.
    if (!assigned) this.prepareRebalance(group, "restored before its assignments were stored");
  }

  resetSession(group: ClassicGroup, m: Member): void {
    this.rt.schedule(timerKeys.session(group.groupId, m.memberId), m.sessionTimeoutMs, () => {
      if (group.members.get(m.memberId) !== m) return NOTHING;
      // A member waiting in a join or sync is alive (Kafka's shouldKeepAlive).
      if (m.joinWaiter !== null || m.syncWaiter !== null) {
        this.resetSession(group, m);
        return NOTHING;
      }
      this.logger.info("member session expired", { group: group.groupId, member: m.memberId });
      this.removeMembers(group, [m], ErrorCode.UNKNOWN_MEMBER_ID);
      return NOTHING;
    });
  }

  /** KIP-394: the id is reserved until the member rejoins with it or its session ends. */
  reserve(group: ClassicGroup, memberId: string, timeoutMs: number): void {
    group.pending.add(memberId);
    this.rt.schedule(timerKeys.pending(group.groupId, memberId), timeoutMs, () => {
      if (!group.pending.delete(memberId)) return NOTHING;
      this.maybeCompleteJoin(group);
      this.forgetIfVacant(group);
      return NOTHING;
    });
  }

  /** Ends a reservation; false when the id was not reserved. */
  release(group: ClassicGroup, memberId: string): boolean {
    if (!group.pending.delete(memberId)) return false;
    this.rt.cancel(timerKeys.pending(group.groupId, memberId));
    return true;
  }

  /** A group that only a failed or pending first join created leaves no trace. */
  forgetIfVacant(group: ClassicGroup): void {
    if (group.state === "Empty" && group.isVacant && group.pending.size === 0) {
      this.rt.state.delete(group.groupId);
    }
  }

  /** Answers a member's pending join with the current generation. */
  answerJoin(group: ClassicGroup, m: Member, skipAssignment: boolean): void {
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

  prepareRebalance(group: ClassicGroup, reason: string): void {
    if (group.state === "CompletingRebalance") {
      answerSyncs(group, () => syncError(ErrorCode.REBALANCE_IN_PROGRESS));
    }
    const fromEmpty = group.state === "Empty";
    group.sm.transition("PreparingRebalance");
    this.logger.info("preparing rebalance", { group: group.groupId, reason });
    const now = this.now();
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

  extendInitialDelay(group: ClassicGroup): void {
    if (group.initialDelayUntil === null) return;
    const until = Math.min(
      this.now() + this.config.initialRebalanceDelayMs,
      group.rebalanceDeadline,
    );
    if (until <= group.initialDelayUntil) return;
    group.initialDelayUntil = until;
    this.setRebalanceTimer(group, until - this.now());
  }

  private setRebalanceTimer(group: ClassicGroup, ms: number): void {
    this.rt.schedule(timerKeys.rebalance(group.groupId), ms, () => {
      if (group.state !== "PreparingRebalance") return NOTHING;
      if (group.initialDelayUntil !== null) {
        group.initialDelayUntil = null;
        // The delay is over: wait for known members like any rebalance, until the deadline.
        if (!group.allMembersJoined()) {
          this.setRebalanceTimer(group, Math.max(0, group.rebalanceDeadline - this.now()));
          return NOTHING;
        }
      }
      return this.completeJoin(group);
    });
  }

  maybeCompleteJoin(group: ClassicGroup): void {
    if (group.state !== "PreparingRebalance" || group.initialDelayUntil !== null) return;
    if (!group.allMembersJoined()) return;
    // Queued so the caller's answer and records come first; rechecked when it runs.
    this.rt.runLater("completing a join", () =>
      group.state === "PreparingRebalance" &&
      group.initialDelayUntil === null &&
      group.allMembersJoined()
        ? this.completeJoin(group)
        : NOTHING,
    );
  }

  /**
   * Ends PreparingRebalance: members that did not rejoin are removed, the generation
   * is bumped and stored, then everyone's join is answered (the leader gets all
   * members' metadata). With no members left the group becomes Empty.
   */
  private completeJoin(group: ClassicGroup): GroupResult<undefined> {
    this.rt.cancel(timerKeys.rebalance(group.groupId));
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
      return {
        records: [this.groupRecord(group, generation, null, null, false)],
        response: undefined,
        appended: () => group.sm.transition("Empty"),
      };
    }
    const protocol = group.selectProtocol();
    const first = group.members.keys().next().value ?? null;
    const leader =
      group.leaderId !== null && group.members.has(group.leaderId) ? group.leaderId : first;
    return {
      records: [this.groupRecord(group, generation, protocol, leader, false)],
      response: undefined,
      appended: () => {
        group.sm.transition("CompletingRebalance");
        for (const m of group.members.values()) {
          this.answerJoin(group, m, false);
          this.resetSession(group, m);
        }
      },
      failed: (errorCode) => {
        for (const m of group.members.values()) {
          const waiter = m.joinWaiter;
          m.joinWaiter = null;
          waiter?.(joinError(errorCode, m.memberId));
        }
        this.setRebalanceTimer(group, group.maxRebalanceTimeoutMs());
        return undefined;
      },
    };
  }

  /** The GroupMetadata record of the group's live members. */
  groupRecord(
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
        currentStateTimestamp: BigInt(this.now()),
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

  /** Removes one member: its session ends and its waiters are answered with `code`. */
  dropMember(group: ClassicGroup, m: Member, code: number): void {
    this.rt.cancel(timerKeys.session(group.groupId, m.memberId));
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

  /**
   * The group became a consumer group (online upgrade): every live member is dropped,
   * waiters told REBALANCE_IN_PROGRESS (as Kafka answers them, so they rejoin the
   * consumer group), reservations and the rebalance deadline end, the state goes Empty.
   */
  endLiveSide(group: ClassicGroup): void {
    for (const m of [...group.members.values()]) {
      this.dropMember(group, m, ErrorCode.REBALANCE_IN_PROGRESS);
    }
    for (const id of group.pending) this.rt.cancel(timerKeys.pending(group.groupId, id));
    group.pending.clear();
    this.rt.cancel(timerKeys.rebalance(group.groupId));
    group.initialDelayUntil = null;
    if (group.sm.is("Stable", "CompletingRebalance")) group.sm.transition("PreparingRebalance");
    if (group.sm.is("PreparingRebalance")) group.sm.transition("Empty");
  }

  /**
   * A consumer group became this classic group again (online downgrade): its members
   * come back from the record just written and, unless `rebalance` is false (a static
   * takeover that changed no subscription), rebalance so each rejoins.
   */
  resumeDowngraded(group: ClassicGroup, rebalance: boolean): void {
    this.resumeGroup(group);
    if (rebalance && group.state === "Stable") {
      this.prepareRebalance(group, "downgraded from a consumer group");
    }
  }

  /** Removes members (leave or expiry) and rebalances the rest. */
  removeMembers(group: ClassicGroup, members: Member[], code: number): void {
    if (members.length === 0) return;
    for (const m of members) this.dropMember(group, m, code);
    if (group.state === "Stable" || group.state === "CompletingRebalance") {
      this.prepareRebalance(group, `${members.length} member(s) left`);
    } else {
      this.maybeCompleteJoin(group);
    }
  }
}
