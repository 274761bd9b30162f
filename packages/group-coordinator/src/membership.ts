import { randomUUID } from "node:crypto";
import { ErrorCode } from "@logbook/protocol";
import type { Logger } from "@logbook/storage";
import type { CoordinatorConfig } from "./config.js";
import { groupTombstones as consumerGroupTombstones } from "./consumer-changes.js";
import type { ConsumerGroup } from "./consumer-group.js";
import type { ConsumerMembership } from "./consumer-membership.js";
import type {
  HeartbeatInput,
  HeartbeatResult,
  JoinGroupInput,
  JoinGroupResult,
  LeaveGroupInput,
  LeaveGroupResult,
  SyncGroupInput,
  SyncGroupResult,
} from "./coordinator-api.js";
import { ClassicGroup, type Member, memberIdentityError, sameProtocols } from "./group.js";
import type { GroupResult, GroupRuntime, Groups } from "./group-shard.js";
import { timerKeys } from "./group-shard.js";
import { ANSWERS } from "./group-state.js";
import { answerSyncs, EMPTY, joinError, syncAnswer, syncError } from "./member-answers.js";
import type { Rebalance } from "./rebalance.js";
import { answer, type Deferred, settled } from "./runtime/index.js";

type JoinResult = GroupResult<Deferred<JoinGroupResult>>;
type SyncResult = GroupResult<Deferred<SyncGroupResult>>;

const joinNow = (r: JoinGroupResult): JoinResult => answer(settled(r));
const syncNow = (code: number): SyncResult => answer(settled(syncError(code)));

/**
 * JoinGroup, SyncGroup, Heartbeat and LeaveGroup of classic groups, each one runtime
 * operation. Joins and syncs that must wait answer a deferred response, resolved when
 * the rebalance step completes (see Rebalance).
 */
export class Membership {
  constructor(
    private readonly rt: GroupRuntime,
    private readonly rebalance: Rebalance,
    private readonly config: CoordinatorConfig,
    private readonly logger: Logger,
    /** Serves the classic members of consumer groups that have members. */
    private readonly consumer: ConsumerMembership,
  ) {}

  join(input: JoinGroupInput): Promise<JoinGroupResult> {
    return this.rt
      .run((groups) => {
        const consumer = groups.get(input.groupId)?.consumer ?? null;
        // A KIP-848 group with members takes the member in as a classic member (after the
        // checks every join goes through); an empty one becomes a classic group, keeping
        // its offsets.
        const refused = this.requestError(input);
        if (refused !== null) return joinNow(joinError(refused, input.memberId));
        if (consumer !== null && consumer.members.size > 0) {
          const r = this.consumer.classicJoin(consumer, input);
          return {
            ...r,
            response: settled(r.response),
            failed: (code) => settled(r.failed?.(code) ?? joinError(code)),
          };
        }
        const result = this.joinOp(groups, input);
        const group = groups.get(input.groupId);
        if (group !== undefined) this.rebalance.forgetIfVacant(group);
        if (consumer === null) return result;
        return { ...result, records: [...consumerGroupTombstones(consumer), ...result.records] };
      })
      .then((d) => d.wait);
  }

  /** The checks of the request alone, before any group is looked at. */
  private requestError(input: JoinGroupInput): number | null {
    if (input.groupId === "") return ErrorCode.INVALID_GROUP_ID;
    if (
      input.sessionTimeoutMs < this.config.minSessionTimeoutMs ||
      input.sessionTimeoutMs > this.config.maxSessionTimeoutMs
    ) {
      return ErrorCode.INVALID_SESSION_TIMEOUT;
    }
    return null;
  }

  private joinOp(groups: Groups, input: JoinGroupInput): JoinResult {
    let group = groups.get(input.groupId);
    if (group === undefined) {
      if (input.memberId !== "") {
        return joinNow(joinError(ErrorCode.UNKNOWN_MEMBER_ID, input.memberId));
      }
      group = new ClassicGroup(input.groupId);
      groups.set(input.groupId, group);
    }
    const refusal = ANSWERS[group.state].join;
    if (typeof refusal === "number") return joinNow(joinError(refusal, input.memberId));
    if (!group.supportsProtocols(input.protocolType, input.protocols)) {
      return joinNow(joinError(ErrorCode.INCONSISTENT_GROUP_PROTOCOL, input.memberId));
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

  private joinUnknown(group: ClassicGroup, input: JoinGroupInput): JoinResult {
    const instance = input.groupInstanceId;
    if (instance !== null) {
      const existing = group.staticMembers.get(instance);
      const memberId = `${instance}-${randomUUID()}`;
      if (existing !== undefined) return this.replaceStaticMember(group, input, existing, memberId);
      if (group.members.size >= this.config.maxGroupSize) {
        return joinNow(joinError(ErrorCode.GROUP_MAX_SIZE_REACHED));
      }
      return this.addMemberAndRebalance(group, input, memberId);
    }
    if (group.members.size + group.pending.size >= this.config.maxGroupSize) {
      return joinNow(joinError(ErrorCode.GROUP_MAX_SIZE_REACHED));
    }
    const memberId = `${input.clientId}-${randomUUID()}`;
    if (input.requireKnownMemberId) {
      this.rebalance.reserve(group, memberId, input.sessionTimeoutMs);
      return joinNow(joinError(ErrorCode.MEMBER_ID_REQUIRED, memberId));
    }
    return this.addMemberAndRebalance(group, input, memberId);
  }

  private joinKnown(group: ClassicGroup, input: JoinGroupInput): JoinResult {
    const fail = (code: number) => joinNow(joinError(code, input.memberId));
    if (this.rebalance.release(group, input.memberId)) {
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
    updateMember(m, input);
    this.rebalance.resetSession(group, m);
    if (group.state === "PreparingRebalance") {
      this.rebalance.maybeCompleteJoin(group);
    } else if (
      group.state === "CompletingRebalance" ||
      (group.state === "Stable" && group.leaderId !== m.memberId)
    ) {
      if (unchanged) {
        // A lost join response, or a follower rejoining as is: answer the current generation.
        this.rebalance.answerJoin(group, m, false);
      } else {
        this.rebalance.prepareRebalance(group, `member ${m.memberId} changed its protocols`);
      }
    } else {
      this.rebalance.prepareRebalance(group, `leader ${m.memberId} rejoined`);
    }
    return answer({ wait });
  }

  private waitForJoin(m: Member): Promise<JoinGroupResult> {
    // A second join from the same member supersedes the first one.
    m.joinWaiter?.(joinError(ErrorCode.REBALANCE_IN_PROGRESS, m.memberId));
    return new Promise((resolve) => {
      m.joinWaiter = resolve;
    });
  }

  private addMemberAndRebalance(
    group: ClassicGroup,
    input: JoinGroupInput,
    memberId: string,
  ): JoinResult {
    const m = newMember(input, memberId);
    const wait = this.waitForJoin(m);
    group.members.set(memberId, m);
    if (m.groupInstanceId !== null) group.staticMembers.set(m.groupInstanceId, memberId);
    this.rebalance.resetSession(group, m);
    if (group.state === "PreparingRebalance") {
      this.rebalance.extendInitialDelay(group);
      this.rebalance.maybeCompleteJoin(group);
    } else {
      this.rebalance.prepareRebalance(group, `member ${memberId} joined`);
    }
    return answer({ wait });
  }

  /**
   * KIP-345: a known group.instance.id joining without its member id is the same
   * consumer restarted. It takes over the old member (whose id is now fenced); a Stable
   * group whose selected protocol stays the same keeps its assignment without a rebalance.
   */
  private replaceStaticMember(
    group: ClassicGroup,
    input: JoinGroupInput,
    oldId: string,
    newId: string,
  ): JoinResult {
    const old = group.members.get(oldId);
    if (old === undefined) return joinNow(joinError(ErrorCode.UNKNOWN_MEMBER_ID));
    old.joinWaiter?.(joinError(ErrorCode.FENCED_INSTANCE_ID, oldId));
    old.syncWaiter?.(syncError(ErrorCode.FENCED_INSTANCE_ID));
    old.joinWaiter = null;
    old.syncWaiter = null;
    this.rt.cancel(timerKeys.session(group.groupId, oldId));
    const m = newMember(input, newId);
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
    this.rebalance.resetSession(group, m);
    if (group.state === "Stable" && keepsProtocol) {
      const leader = group.leaderId === oldId ? m.memberId : group.leaderId;
      return {
        records: [
          this.rebalance.groupRecord(group, group.generationId, group.protocolName, leader, true),
        ],
        response: { wait },
        // KIP-814: a static leader back without a rebalance gets the members but must not reassign.
        appended: () => this.rebalance.answerJoin(group, m, group.leaderId === m.memberId),
        failed: (errorCode) => {
          // Not stored: the new member goes too (the old id stays fenced) and the rest rebalance.
          this.rebalance.removeMembers(group, [m], errorCode);
          return { wait };
        },
      };
    }
    if (group.state === "PreparingRebalance") {
      this.rebalance.maybeCompleteJoin(group);
    } else {
      this.rebalance.prepareRebalance(group, `static member ${input.groupInstanceId} rejoined`);
    }
    return answer({ wait });
  }

  sync(input: SyncGroupInput): Promise<SyncGroupResult> {
    return this.rt.run((groups) => this.syncOp(groups, input)).then((d) => d.wait);
  }

  private syncOp(groups: Groups, input: SyncGroupInput): SyncResult {
    const group = groups.get(input.groupId);
    const consumer = liveConsumerGroup(group);
    if (consumer !== null) {
      const r = this.consumer.classicSync(consumer, input);
      return { ...r, response: settled(r.response), failed: (code) => settled(syncError(code)) };
    }
    if (group === undefined) return syncNow(ErrorCode.UNKNOWN_MEMBER_ID);
    const check = memberCheck(group, input);
    if (check !== ErrorCode.NONE) return syncNow(check);
    if (
      (input.protocolType !== null && input.protocolType !== group.protocolType) ||
      (input.protocolName !== null && input.protocolName !== group.protocolName)
    ) {
      return syncNow(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    }
    const m = group.members.get(input.memberId);
    if (m === undefined) return syncNow(ErrorCode.UNKNOWN_MEMBER_ID);
    const what = ANSWERS[group.state].sync;
    if (typeof what === "number") return syncNow(what);
    this.rebalance.resetSession(group, m);
    if (what === "current-assignment") return answer(settled(syncAnswer(group, m)));
    m.syncWaiter?.(syncError(ErrorCode.REBALANCE_IN_PROGRESS));
    const wait = new Promise<SyncGroupResult>((resolve) => {
      m.syncWaiter = resolve;
    });
    if (group.leaderId !== m.memberId) return answer({ wait });
    return this.storeAssignments(group, input, wait);
  }

  /** The leader's SyncGroup: store every member's assignment, then answer all syncs. */
  private storeAssignments(
    group: ClassicGroup,
    input: SyncGroupInput,
    wait: Promise<SyncGroupResult>,
  ): SyncResult {
    const given = new Map(input.assignments.map((a) => [a.memberId, a.assignment]));
    const record = this.rebalance.groupRecord(
      group,
      group.generationId,
      group.protocolName,
      group.leaderId,
      true,
    );
    if (record.kind === "group" && record.value !== null) {
      for (const sm of record.value.members) sm.assignment = given.get(sm.memberId) ?? EMPTY;
    }
    return {
      records: [record],
      response: { wait },
      appended: () => {
        group.sm.transition("Stable");
        answerSyncs(group, (m) => syncAnswer(group, m));
      },
      failed: (errorCode) => {
        answerSyncs(group, () => syncError(errorCode));
        if (group.state === "CompletingRebalance") {
          this.rebalance.prepareRebalance(group, "assignments not stored");
        }
        return { wait };
      },
    };
  }

  heartbeat(input: HeartbeatInput): Promise<HeartbeatResult> {
    return this.rt.run((groups) => {
      const group = groups.get(input.groupId);
      const consumer = liveConsumerGroup(group);
      if (consumer !== null) return this.consumer.classicHeartbeat(consumer, input);
      if (group === undefined) return answer({ errorCode: ErrorCode.UNKNOWN_MEMBER_ID });
      const check = memberCheck(group, input);
      if (check !== ErrorCode.NONE) return answer({ errorCode: check });
      const m = group.members.get(input.memberId);
      if (m !== undefined) this.rebalance.resetSession(group, m);
      return answer({ errorCode: ANSWERS[group.state].heartbeat });
    });
  }

  leave(input: LeaveGroupInput): Promise<LeaveGroupResult> {
    return this.rt.run((groups) => {
      const consumer = liveConsumerGroup(groups.get(input.groupId));
      if (consumer !== null) return this.consumer.classicLeave(consumer, input);
      return answer(this.leaveNow(groups, input));
    });
  }

  private leaveNow(groups: Groups, input: LeaveGroupInput): LeaveGroupResult {
    const group = groups.get(input.groupId);
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
      if (this.rebalance.release(group, id)) return out(ErrorCode.NONE);
      const m = group.members.get(id);
      if (m === undefined) return out(ErrorCode.UNKNOWN_MEMBER_ID);
      if (!leaving.includes(m)) leaving.push(m);
      if (req.reason) {
        this.logger.debug("leave", { group: group.groupId, member: id, reason: req.reason });
      }
      return out(ErrorCode.NONE);
    });
    this.rebalance.removeMembers(group, leaving, ErrorCode.UNKNOWN_MEMBER_ID);
    if (leaving.length === 0) this.rebalance.maybeCompleteJoin(group);
    return { errorCode: ErrorCode.NONE, members };
  }

  /** Closing: every waiting join and sync is told to find the coordinator again. */
  answerAllWaiting(groups: Groups): void {
    for (const g of groups.values()) {
      for (const m of g.members.values()) {
        m.joinWaiter?.(joinError(ErrorCode.NOT_COORDINATOR, m.memberId));
        m.syncWaiter?.(syncError(ErrorCode.NOT_COORDINATOR));
        m.joinWaiter = null;
        m.syncWaiter = null;
      }
    }
  }
}

/** The checks every member request shares: Dead, fencing, unknown member, generation. */
function memberCheck(
  group: ClassicGroup,
  input: { memberId: string; groupInstanceId: string | null; generationId: number },
): number {
  if (group.state === "Dead") return ErrorCode.COORDINATOR_NOT_AVAILABLE;
  return memberIdentityError(group, input);
}

function updateMember(m: Member, input: JoinGroupInput): void {
  m.clientId = input.clientId;
  m.clientHost = input.clientHost;
  m.sessionTimeoutMs = input.sessionTimeoutMs;
  m.rebalanceTimeoutMs = input.rebalanceTimeoutMs;
  m.protocolType = input.protocolType;
  m.protocols = input.protocols;
}

function newMember(input: JoinGroupInput, memberId: string): Member {
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
  };
}

/** The consumer group behind the id when it has members: classic requests go to it. */
function liveConsumerGroup(group: ClassicGroup | undefined): ConsumerGroup | null {
  const consumer = group?.consumer ?? null;
  return consumer !== null && consumer.members.size > 0 ? consumer : null;
}
