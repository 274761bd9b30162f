import { ErrorCode } from "@logbook/protocol";
import type { ConsumerHeartbeatInput, ConsumerHeartbeatResult } from "./consumer-api.js";
import { currentRecord } from "./consumer-changes.js";
import {
  assignmentFromWire,
  assignmentToWire,
  ConsumerGroup,
  type ConsumerMember,
  type CurrentAssignment,
  emptyCurrent,
  LEAVE_EPOCH,
  LEAVE_STATIC_EPOCH,
  type MemberSubscription,
} from "./consumer-group.js";
import {
  checkMemberEpoch,
  existingGroup,
  HeartbeatError,
  heartbeatError,
  knownMember,
  validate,
} from "./consumer-heartbeat-checks.js";
import {
  type HeartbeatContext,
  memberBase,
  newMemberId,
  pickCurrent,
  updateMember,
} from "./consumer-member-update.js";
import { fenceOrDowngrade, upgrade } from "./consumer-migration.js";
import type { ClassicGroup } from "./group.js";
import type { Groups } from "./group-shard.js";
import type { CoordinatorRecord } from "./records.js";

export type { HeartbeatContext } from "./consumer-member-update.js";

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
  /** The classic group this request upgraded: its live side ends once the records are durable. */
  upgraded?: ClassicGroup;
  /** This leave downgraded the group (its member ids): the classic side resumes once durable. */
  downgraded?: string[];
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
      return leave(groups, ctx, input);
    }
    return joinOrHeartbeat(groups, ctx, input);
  } catch (e) {
    if (!(e instanceof HeartbeatError)) throw e;
    return { records: [], response: heartbeatError(e.code, e.message), timers: null };
  }
}

function leave(
  groups: Groups,
  ctx: HeartbeatContext,
  input: ConsumerHeartbeatInput,
): HeartbeatPlan {
  const { config } = ctx;
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
  const fenced = fenceOrDowngrade(group, [m.memberId], config, ctx.topics, ctx.now);
  return {
    records: fenced.records,
    response,
    timers: { group: group.groupId, memberId: m.memberId, sessionMs: null, revocation: null },
    downgraded: fenced.downgraded ?? undefined,
  };
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
  let upgraded: ClassicGroup | undefined;
  if (entry?.consumer != null) {
    group = entry.consumer;
  } else if (input.memberEpoch !== 0) {
    group = existingGroup(groups, input.groupId);
  } else if (entry !== undefined && (entry.members.size > 0 || entry.state !== "Empty")) {
    const converted = upgrade(entry, config, ctx.topics);
    records.push(...converted.records);
    group = converted.group;
    upgraded = entry;
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
  const base = memberBase(replaced, member, {
    memberId,
    instanceId: input.instanceId,
    clientId: input.clientId,
    clientHost: input.clientHost,
  });
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
    classic: null,
  };
  // A dynamic member rejoining with epoch 0 has let go of everything it owned.
  const current: CurrentAssignment =
    replaced === undefined && member !== undefined && input.memberEpoch === 0
      ? emptyCurrent()
      : pickCurrent(base);
  const {
    records: updateRecords,
    next,
    changed,
  } = updateMember(ctx, {
    group,
    memberId,
    member,
    replaced,
    base,
    subscription,
    current,
    owned:
      input.ownedTopicPartitions === null ? null : assignmentFromWire(input.ownedTopicPartitions),
  });
  records.push(...updateRecords);

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
    upgraded,
  };
}
