import { randomUUID } from "node:crypto";
import { ErrorCode } from "@logbook/protocol";
import type { CoordinatorConfig } from "./config.js";
import type {
  ConsumerHeartbeatInput,
  ConsumerHeartbeatResult,
  ConsumerTopicView,
} from "./consumer-api.js";
import {
  currentRecord,
  epochRecord,
  fenceMemberRecords,
  memberRecord,
  removeMemberRecords,
  sameCurrent,
  targetEpochRecord,
  targetRecord,
  topicsRecord,
} from "./consumer-changes.js";
import {
  assignmentFromWire,
  assignmentToWire,
  ConsumerGroup,
  type ConsumerMember,
  type CurrentAssignment,
  emptyCurrent,
  hasPartition,
  LEAVE_EPOCH,
  LEAVE_STATIC_EPOCH,
  type MemberSubscription,
  sameAssignment,
} from "./consumer-group.js";
import {
  checkMemberEpoch,
  existingGroup,
  HeartbeatError,
  heartbeatError,
  knownMember,
  validate,
} from "./consumer-heartbeat-checks.js";
import { refuseOnlineUpgrade } from "./consumer-migration.js";
import { updateRegexes } from "./consumer-regex.js";
import type { Groups } from "./group-shard.js";
import { reconcile } from "./reconciliation.js";
import type { CoordinatorRecord } from "./records.js";
import { computeTargets, sameTopics, subscribedTopics } from "./target-assignment.js";

export interface HeartbeatContext {
  config: CoordinatorConfig;
  topics: ConsumerTopicView;
  /** The clock's time: when subscription expressions were resolved. */
  now: number;
}

/** What the runtime must do with a member's timers once the records are durable. */
export interface MemberTimers {
  group: string;
  memberId: string;
  /** Session: restart (with this timeout) or stop. */
  sessionMs: number | null;
  /** Start the revocation deadline (the member's rebalance timeout) or stop it. */
  revocation: { epoch: number; timeoutMs: number } | null;
}

export interface HeartbeatPlan {
  records: CoordinatorRecord[];
  response: ConsumerHeartbeatResult;
  timers: MemberTimers | null;
}

/**
 * ConsumerGroupHeartbeat as a pure planner over the shard's groups: validates the
 * request as Kafka does, then joins, heartbeats or leaves; returns the records (applied
 * only once durable) and the answer. Nothing here mutates state.
 */
export function planConsumerHeartbeat(
  groups: Groups,
  ctx: HeartbeatContext,
  input: ConsumerHeartbeatInput,
): HeartbeatPlan {
  try {
    validate(ctx.config, input);
    if (input.memberEpoch === LEAVE_EPOCH || input.memberEpoch === LEAVE_STATIC_EPOCH) {
      return leave(groups, ctx.config, input);
    }
    return joinOrHeartbeat(groups, ctx, input);
  } catch (e) {
    if (!(e instanceof HeartbeatError)) throw e;
    return { records: [], response: heartbeatError(e.code, e.message), timers: null };
  }
}

function leave(
  groups: Groups,
  config: CoordinatorConfig,
  input: ConsumerHeartbeatInput,
): HeartbeatPlan {
  const group = existingGroup(groups, input.groupId);
  const m = knownMember(group, input);
  const response = {
    errorCode: ErrorCode.NONE,
    errorMessage: null,
    memberId: m.memberId,
    memberEpoch: input.memberEpoch,
    heartbeatIntervalMs: 0,
    assignment: null,
  };
  if (input.memberEpoch === LEAVE_STATIC_EPOCH) {
    // The static member keeps its partitions until it returns or its session ends.
    return {
      records: [
        currentRecord(group.groupId, m.memberId, { ...m, memberEpoch: LEAVE_STATIC_EPOCH }),
      ],
      response,
      timers: {
        group: group.groupId,
        memberId: m.memberId,
        sessionMs: config.consumerSessionTimeoutMs,
        revocation: null,
      },
    };
  }
  return {
    records: fenceMemberRecords(group, m.memberId),
    response,
    timers: { group: group.groupId, memberId: m.memberId, sessionMs: null, revocation: null },
  };
}

function newMemberId(): string {
  return Buffer.from(randomUUID().replaceAll("-", ""), "hex").toString("base64url");
}

function joinOrHeartbeat(
  groups: Groups,
  ctx: HeartbeatContext,
  input: ConsumerHeartbeatInput,
): HeartbeatPlan {
  const { config } = ctx;
  const records: CoordinatorRecord[] = [];
  const entry = groups.get(input.groupId);
  let group: ConsumerGroup;
  if (entry?.consumer != null) {
    group = entry.consumer;
  } else if (input.memberEpoch !== 0) {
    group = existingGroup(groups, input.groupId);
  } else if (entry !== undefined && (entry.members.size > 0 || entry.state !== "Empty")) {
    refuseOnlineUpgrade(entry, config);
  } else {
    // A new group, or the online upgrade of an empty classic group: its offsets stay.
    if (entry?.hasMetadata) records.push({ kind: "group", group: input.groupId, value: null });
    group = new ConsumerGroup(input.groupId);
  }

  const memberId = input.memberId === "" ? newMemberId() : input.memberId;
  let member: ConsumerMember | undefined;
  let replaced: ConsumerMember | undefined;
  if (input.memberEpoch === 0) {
    const sameInstance =
      input.instanceId === null ? undefined : group.staticMember(input.instanceId);
    if (sameInstance !== undefined && sameInstance.memberId !== memberId) {
      if (sameInstance.memberEpoch !== LEAVE_STATIC_EPOCH) {
        throw new HeartbeatError(
          ErrorCode.UNRELEASED_INSTANCE_ID,
          `Static member ${memberId} with instance id ${input.instanceId} cannot join the group because the instance id is owned by member ${sameInstance.memberId}.`,
        );
      }
      replaced = sameInstance;
    }
    member = group.members.get(memberId);
    if (member === undefined && replaced === undefined) {
      if (group.members.size >= config.consumerMaxGroupSize) {
        throw new HeartbeatError(
          ErrorCode.GROUP_MAX_SIZE_REACHED,
          `The consumer group has reached its maximum capacity of ${config.consumerMaxGroupSize} members.`,
        );
      }
    }
  } else {
    member = knownMember(group, input);
    checkMemberEpoch(member, input);
  }

  // The member as it stands after this request.
  const base: MemberSubscription & CurrentAssignment = replaced ??
    member ?? {
      memberId,
      instanceId: input.instanceId,
      rackId: null,
      clientId: input.clientId,
      clientHost: input.clientHost,
      subscribedTopicNames: [],
      subscribedTopicRegex: null,
      serverAssignor: null,
      rebalanceTimeoutMs: -1,
      ...emptyCurrent(),
    };
  const subscription: MemberSubscription = {
    memberId,
    // Null in a heartbeat means "unchanged" for every subscription field.
    instanceId: input.instanceId ?? base.instanceId,
    rackId: input.rackId ?? base.rackId,
    clientId: input.clientId,
    clientHost: input.clientHost,
    subscribedTopicNames: input.subscribedTopicNames ?? base.subscribedTopicNames,
    subscribedTopicRegex:
      input.subscribedTopicRegex === ""
        ? null
        : (input.subscribedTopicRegex ?? base.subscribedTopicRegex),
    serverAssignor: input.serverAssignor ?? base.serverAssignor,
    rebalanceTimeoutMs:
      input.rebalanceTimeoutMs === -1 ? base.rebalanceTimeoutMs : input.rebalanceTimeoutMs,
  };
  // A dynamic member rejoining with epoch 0 has let go of everything it owned.
  const current: CurrentAssignment =
    replaced === undefined && member !== undefined && input.memberEpoch === 0
      ? emptyCurrent()
      : pickCurrent(base);
  const isNew = member === undefined;
  let bump = replaced === undefined && isNew;
  if (replaced !== undefined) {
    const target = group.targets.get(replaced.memberId);
    records.push(...removeMemberRecords(group.groupId, replaced.memberId));
    records.push(memberRecord(group.groupId, subscription));
    if (target !== undefined) records.push(targetRecord(group.groupId, memberId, target));
    bump ||= subscriptionMoved(replaced, subscription);
  } else if (isNew || !sameSubscription(base, subscription)) {
    records.push(memberRecord(group.groupId, subscription));
    bump ||= subscriptionMoved(base, subscription);
  }

  const members = new Map(group.members);
  if (replaced !== undefined) members.delete(replaced.memberId);
  members.set(memberId, { ...subscription, ...current });

  const regexes = updateRegexes(group, members, ctx.topics, ctx.now);
  records.push(...regexes.records);
  bump ||= regexes.changed;
  const topics = subscribedTopics(members, regexes.resolved, ctx.topics);
  if (!sameTopics(topics, group.topics)) {
    records.push(topicsRecord(group.groupId, topics));
    bump = true;
  }
  const groupEpoch = bump ? group.groupEpoch + 1 : group.groupEpoch;
  if (bump) records.push(epochRecord(group.groupId, groupEpoch));

  const targets = new Map(group.targets);
  if (replaced !== undefined) {
    const t = targets.get(replaced.memberId);
    targets.delete(replaced.memberId);
    if (t !== undefined) targets.set(memberId, t);
  }
  let assignmentEpoch = group.assignmentEpoch;
  if (groupEpoch > assignmentEpoch) {
    const computed = computeTargets(config, members, regexes.resolved, targets, topics);
    for (const [id, t] of computed) {
      const before = targets.get(id);
      if (before === undefined || !sameAssignment(before, t)) {
        records.push(targetRecord(group.groupId, id, t));
      }
      targets.set(id, t);
    }
    assignmentEpoch = groupEpoch;
    records.push(targetEpochRecord(group.groupId, assignmentEpoch));
  }

  const next = reconcile({
    current,
    target: targets.get(memberId) ?? new Map(),
    targetEpoch: assignmentEpoch,
    owned:
      input.ownedTopicPartitions === null ? null : assignmentFromWire(input.ownedTopicPartitions),
    ownedByOther: (t, p) => {
      for (const other of members.values()) {
        if (other.memberId === memberId) continue;
        if (hasPartition(other.assigned, t, p) || hasPartition(other.pendingRevocation, t, p)) {
          return true;
        }
      }
      return false;
    },
  });
  // A static takeover always writes the new member id's current assignment.
  const changed = replaced !== undefined || !sameCurrent(next, pickCurrent(base));
  if (changed) records.push(currentRecord(group.groupId, memberId, next));

  // As Kafka: the assignment goes out when it changed, or to a full request (a join, or
  // one carrying the whole subscription and what the member owns, as after an error).
  const fullRequest =
    input.memberEpoch === 0 ||
    (input.rebalanceTimeoutMs !== -1 &&
      (input.subscribedTopicNames !== null || input.subscribedTopicRegex !== null) &&
      input.ownedTopicPartitions !== null);
  const sendAssignment = changed || fullRequest;
  return {
    records,
    response: {
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      memberId,
      memberEpoch: next.memberEpoch,
      heartbeatIntervalMs: config.consumerHeartbeatIntervalMs,
      assignment: sendAssignment ? assignmentToWire(next.assigned) : null,
    },
    timers: {
      group: group.groupId,
      memberId,
      sessionMs: config.consumerSessionTimeoutMs,
      revocation:
        next.state === "unrevoked"
          ? { epoch: next.memberEpoch, timeoutMs: subscription.rebalanceTimeoutMs }
          : null,
    },
  };
}

function pickCurrent(m: CurrentAssignment): CurrentAssignment {
  return {
    memberEpoch: m.memberEpoch,
    previousMemberEpoch: m.previousMemberEpoch,
    state: m.state,
    assigned: m.assigned,
    pendingRevocation: m.pendingRevocation,
    assignedEpochs: m.assignedEpochs,
  };
}

function sameSubscription(a: MemberSubscription, b: MemberSubscription): boolean {
  return (
    a.instanceId === b.instanceId &&
    a.rackId === b.rackId &&
    a.clientId === b.clientId &&
    a.clientHost === b.clientHost &&
    !subscriptionMoved(a, b) &&
    a.rebalanceTimeoutMs === b.rebalanceTimeoutMs
  );
}

/** Whether the change needs a new target assignment (a group epoch bump). */
function subscriptionMoved(a: MemberSubscription, b: MemberSubscription): boolean {
  return (
    a.subscribedTopicRegex !== b.subscribedTopicRegex ||
    a.serverAssignor !== b.serverAssignor ||
    a.rackId !== b.rackId ||
    a.subscribedTopicNames.length !== b.subscribedTopicNames.length ||
    a.subscribedTopicNames.some((t) => !b.subscribedTopicNames.includes(t))
  );
}

/** The subscribed topics that exist now, by name. */
