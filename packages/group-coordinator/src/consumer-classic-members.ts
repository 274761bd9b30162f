import { ErrorCode } from "@logbook/protocol";
import {
  type ConsumerGroup,
  type ConsumerMember,
  hasPartition,
  type MemberSubscription,
  partitionsOf,
} from "./consumer-group.js";
import {
  type HeartbeatContext,
  memberBase,
  newMemberId,
  pickCurrent,
  subscriptionMoved,
  updateMember,
} from "./consumer-member-update.js";
import { downgradeOnTakeover, fenceOrDowngrade } from "./consumer-migration.js";
import type {
  HeartbeatInput,
  JoinGroupInput,
  JoinGroupResult,
  JoinProtocol,
  LeaveGroupInput,
  LeaveGroupResult,
  SyncGroupInput,
  SyncGroupResult,
} from "./coordinator-api.js";
import {
  byTopicId,
  byTopicName,
  CONSUMER_PROTOCOL_TYPE,
  readSubscription,
  writeAssignment,
} from "./embedded-consumer-protocol.js";
import { joinError, syncError } from "./member-answers.js";
import type { CoordinatorRecord } from "./records.js";

/**
 * Classic-protocol members (JoinGroup, SyncGroup, Heartbeat, LeaveGroup) inside a
 * consumer group, as Kafka serves them once a group is mixed: a JoinGroup is the member's
 * subscription (from its first protocol's embedded subscription, with the partitions it
 * still owns), reconciled like a ConsumerGroupHeartbeat and answered at once with its
 * member epoch as the generation; SyncGroup hands out its assigned partitions; Heartbeat
 * answers REBALANCE_IN_PROGRESS whenever it must rejoin to move towards its target (a new
 * group epoch, partitions to revoke, or freed partitions to pick up). There is no leader:
 * the group's server-side assignor assigns.
 */

/** The deadlines a classic member lives by besides its session. */
export interface ClassicDeadlines {
  /** Start (the rebalance timeout) or stop the wait for the SyncGroup after a join. */
  sync?: number | null;
  /** Start (unless running) or stop the wait for a rejoin asked by a heartbeat. */
  join?: number | null;
}

export interface ClassicPlan<R> {
  records: CoordinatorRecord[];
  response: R;
  /** The member whose timers change, with its session timeout; null on refusals. */
  timers: { memberId: string; sessionMs: number; deadlines: ClassicDeadlines } | null;
  /** The join downgraded the group: every member id it had; rebalance if subscriptions moved. */
  downgraded?: { memberIds: string[]; rebalance: boolean };
}

class ClassicError extends Error {
  constructor(readonly code: number) {
    super(`classic member refused: ${code}`);
  }
}

/** Kafka's test: every classic member supports one of these protocols (any, with none). */
export function supportsClassicProtocols(
  group: ConsumerGroup,
  protocolType: string,
  protocols: readonly JoinProtocol[],
): boolean {
  if (protocolType !== CONSUMER_PROTOCOL_TYPE || protocols.length === 0) return false;
  const classic = [...group.members.values()].filter((m) => m.classic !== null);
  return protocols.some((p) =>
    classic.every((m) => m.classic?.protocols.some((q) => q.name === p.name)),
  );
}

export function planClassicJoin(
  group: ConsumerGroup,
  ctx: HeartbeatContext,
  input: JoinGroupInput,
): ClassicPlan<JoinGroupResult> {
  const refuse = (code: number, memberId = input.memberId) => ({
    records: [],
    response: joinError(code, memberId),
    timers: null,
  });
  const unknown = input.memberId === "";
  const memberId = unknown ? newMemberId() : input.memberId;
  if (
    group.members.size >= ctx.config.consumerMaxGroupSize &&
    (unknown || !group.members.has(memberId))
  ) {
    return refuse(ErrorCode.GROUP_MAX_SIZE_REACHED);
  }
  if (!supportsClassicProtocols(group, input.protocolType, input.protocols)) {
    return refuse(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
  }
  if (unknown && input.groupInstanceId === null && input.requireKnownMemberId) {
    return refuse(ErrorCode.MEMBER_ID_REQUIRED, memberId);
  }
  const first = input.protocols[0];
  const subscription = first === undefined ? null : readSubscription(first.metadata);
  if (first === undefined || subscription === null) {
    return refuse(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
  }

  let member: ConsumerMember | undefined;
  let replaced: ConsumerMember | undefined;
  if (input.groupInstanceId === null) {
    member = group.members.get(memberId);
  } else {
    const existing = group.staticMember(input.groupInstanceId);
    if (existing !== undefined && unknown) replaced = existing;
    else if (existing !== undefined && existing.memberId !== memberId) {
      return refuse(ErrorCode.FENCED_INSTANCE_ID);
    } else member = existing;
  }
  const base = memberBase(replaced, member, {
    memberId,
    instanceId: input.groupInstanceId,
    clientId: input.clientId,
    clientHost: input.clientHost,
  });
  const next: MemberSubscription = {
    memberId,
    instanceId: input.groupInstanceId ?? base.instanceId,
    rackId: subscription.rackId ?? base.rackId,
    clientId: input.clientId,
    clientHost: input.clientHost,
    subscribedTopicNames: subscription.topics,
    subscribedTopicRegex: base.subscribedTopicRegex,
    serverAssignor: base.serverAssignor,
    rebalanceTimeoutMs: input.rebalanceTimeoutMs,
    classic: { sessionTimeoutMs: input.sessionTimeoutMs, protocols: input.protocols },
  };
  const update = updateMember(ctx, {
    group,
    memberId,
    member,
    replaced,
    base,
    subscription: next,
    current: pickCurrent(base),
    owned: byTopicId(subscription.owned, ctx.topics),
  });
  const downgrade =
    replaced === undefined
      ? null
      : downgradeOnTakeover(group, update, ctx.config, ctx.topics, ctx.now);
  return {
    records: downgrade?.records ?? update.records,
    downgraded:
      downgrade?.downgraded == null
        ? undefined
        : {
            memberIds: downgrade.downgraded,
            rebalance: replaced !== undefined && subscriptionMoved(replaced, next),
          },
    response: {
      errorCode: ErrorCode.NONE,
      generationId: update.next.memberEpoch,
      protocolType: CONSUMER_PROTOCOL_TYPE,
      protocolName: first.name,
      leader: "",
      skipAssignment: false,
      memberId,
      members: [],
    },
    timers: {
      memberId,
      sessionMs: input.sessionTimeoutMs,
      deadlines: { sync: input.rebalanceTimeoutMs, join: null },
    },
  };
}

/** The member a classic request names, checked as Kafka checks it; throws ClassicError. */
function classicMember(
  group: ConsumerGroup,
  input: { memberId: string; groupInstanceId: string | null },
): ConsumerMember {
  let m: ConsumerMember | undefined;
  if (input.groupInstanceId === null) m = group.members.get(input.memberId);
  else {
    m = group.staticMember(input.groupInstanceId);
    if (m !== undefined && m.memberId !== input.memberId) {
      throw new ClassicError(ErrorCode.FENCED_INSTANCE_ID);
    }
  }
  if (m === undefined || m.classic === null) throw new ClassicError(ErrorCode.UNKNOWN_MEMBER_ID);
  return m;
}

function checkGeneration(m: ConsumerMember, generationId: number): void {
  if (generationId !== m.memberEpoch) throw new ClassicError(ErrorCode.ILLEGAL_GENERATION);
}

function protocolOf(m: ConsumerMember): JoinProtocol | undefined {
  return m.classic?.protocols[0];
}

function versionOf(p: JoinProtocol | undefined): number {
  return p === undefined ? 0 : (readSubscription(p.metadata)?.version ?? 0);
}

export function planClassicSync(
  group: ConsumerGroup,
  ctx: HeartbeatContext,
  input: SyncGroupInput,
): ClassicPlan<SyncGroupResult> {
  try {
    const m = classicMember(group, input);
    checkGeneration(m, input.generationId);
    const protocol = protocolOf(m);
    if (
      (input.protocolType !== null && input.protocolType !== CONSUMER_PROTOCOL_TYPE) ||
      (input.protocolName !== null && input.protocolName !== protocol?.name)
    ) {
      throw new ClassicError(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    }
    // A newer group epoch means rejoin, unless the member rejoined already and has to
    // revoke first: this answer tells it what it keeps.
    if (group.groupEpoch > m.memberEpoch && m.state !== "unrevoked") {
      return {
        records: [],
        response: syncError(ErrorCode.REBALANCE_IN_PROGRESS),
        timers: {
          memberId: m.memberId,
          sessionMs: m.classic?.sessionTimeoutMs ?? 0,
          deadlines: { sync: null, join: m.rebalanceTimeoutMs },
        },
      };
    }
    return {
      records: [],
      response: {
        errorCode: ErrorCode.NONE,
        protocolType: CONSUMER_PROTOCOL_TYPE,
        protocolName: protocol?.name ?? null,
        assignment: writeAssignment(byTopicName(m.assigned, ctx.topics), versionOf(protocol)),
      },
      timers: {
        memberId: m.memberId,
        sessionMs: m.classic?.sessionTimeoutMs ?? 0,
        deadlines: { sync: null },
      },
    };
  } catch (e) {
    if (!(e instanceof ClassicError)) throw e;
    return { records: [], response: syncError(e.code), timers: null };
  }
}

/** Whether one of the member's target partitions is still owned by another member. */
function waitingOnUnreleased(group: ConsumerGroup, m: ConsumerMember): boolean {
  for (const [t, p] of partitionsOf(group.targets.get(m.memberId) ?? new Map())) {
    if (hasPartition(m.assigned, t, p)) continue;
    for (const other of group.members.values()) {
      if (other.memberId === m.memberId) continue;
      if (hasPartition(other.assigned, t, p) || hasPartition(other.pendingRevocation, t, p)) {
        return true;
      }
    }
  }
  return false;
}

export function planClassicHeartbeat(
  group: ConsumerGroup,
  input: HeartbeatInput,
): ClassicPlan<{ errorCode: number }> {
  try {
    const m = classicMember(group, input);
    checkGeneration(m, input.generationId);
    // Rejoin to catch up with a new group epoch, to revoke, or to pick up freed partitions.
    const rejoin =
      m.memberEpoch < group.groupEpoch ||
      m.state === "unrevoked" ||
      (m.state === "unreleased" && !waitingOnUnreleased(group, m));
    return {
      records: [],
      response: { errorCode: rejoin ? ErrorCode.REBALANCE_IN_PROGRESS : ErrorCode.NONE },
      timers: {
        memberId: m.memberId,
        sessionMs: m.classic?.sessionTimeoutMs ?? 0,
        deadlines: rejoin ? { join: m.rebalanceTimeoutMs } : {},
      },
    };
  } catch (e) {
    if (!(e instanceof ClassicError)) throw e;
    return { records: [], response: { errorCode: e.code }, timers: null };
  }
}

export interface ClassicLeavePlan {
  records: CoordinatorRecord[];
  response: LeaveGroupResult;
  /** Members whose timers stop. */
  left: string[];
  /** Only classic members remained: the group is a classic group again (all its member ids). */
  downgraded: string[] | null;
}

export function planClassicLeave(
  group: ConsumerGroup,
  ctx: HeartbeatContext,
  input: LeaveGroupInput,
): ClassicLeavePlan {
  const left: string[] = [];
  const members = input.members.map((req) => {
    try {
      let m: ConsumerMember | undefined;
      if (req.groupInstanceId === null) m = group.members.get(req.memberId);
      else {
        m = group.staticMember(req.groupInstanceId);
        // An administrative removal names the instance only.
        if (m !== undefined && req.memberId !== "" && m.memberId !== req.memberId) {
          throw new ClassicError(ErrorCode.FENCED_INSTANCE_ID);
        }
      }
      if (m === undefined || m.classic === null) {
        throw new ClassicError(ErrorCode.UNKNOWN_MEMBER_ID);
      }
      if (!left.includes(m.memberId)) left.push(m.memberId);
      return {
        memberId: m.memberId,
        groupInstanceId: req.groupInstanceId,
        errorCode: ErrorCode.NONE,
      };
    } catch (e) {
      if (!(e instanceof ClassicError)) throw e;
      return { memberId: req.memberId, groupInstanceId: req.groupInstanceId, errorCode: e.code };
    }
  });
  const fenced =
    left.length === 0
      ? { records: [], downgraded: null }
      : fenceOrDowngrade(group, left, ctx.config, ctx.topics, ctx.now);
  return {
    records: fenced.records,
    response: { errorCode: ErrorCode.NONE, members },
    left,
    downgraded: fenced.downgraded,
  };
}
