import { randomUUID } from "node:crypto";
import type { CoordinatorConfig } from "./config.js";
import type { ConsumerTopicView } from "./consumer-api.js";
import {
  currentRecord,
  epochRecord,
  memberRecord,
  removeMemberRecords,
  sameCurrent,
  targetEpochRecord,
  targetRecord,
  topicsRecord,
} from "./consumer-changes.js";
import {
  type Assignment,
  type ClassicMemberMetadata,
  type ConsumerGroup,
  type ConsumerMember,
  type CurrentAssignment,
  emptyCurrent,
  hasPartition,
  type MemberSubscription,
  sameAssignment,
} from "./consumer-group.js";
import { updateRegexes } from "./consumer-regex.js";
import { reconcile } from "./reconciliation.js";
import type { CoordinatorRecord } from "./records.js";
import { computeTargets, sameTopics, subscribedTopics } from "./target-assignment.js";

/** A member id as Kafka makes them: a random UUID in URL-safe base64. */
export function newMemberId(): string {
  return Buffer.from(randomUUID().replaceAll("-", ""), "hex").toString("base64url");
}

export interface HeartbeatContext {
  config: CoordinatorConfig;
  topics: ConsumerTopicView;
  /** The clock's time: when subscription expressions were resolved. */
  now: number;
}

/** One member's request, as both protocols (ConsumerGroupHeartbeat, JoinGroup) put it. */
export interface MemberChange {
  group: ConsumerGroup;
  memberId: string;
  /** The member as the group knows it; undefined for a new one. */
  member: ConsumerMember | undefined;
  /** The departed static member this one takes over, if any. */
  replaced: ConsumerMember | undefined;
  /** What `current` was read from: the member, the replaced one or a blank. */
  base: MemberSubscription & CurrentAssignment;
  subscription: MemberSubscription;
  current: CurrentAssignment;
  /** What the member reports owning; null when it did not say. */
  owned: Assignment | null;
}

export interface MemberUpdate {
  records: CoordinatorRecord[];
  /** The group as the records leave it: epoch, members (the updated one included), targets. */
  groupEpoch: number;
  members: ReadonlyMap<string, ConsumerMember>;
  targets: ReadonlyMap<string, Assignment>;
  next: CurrentAssignment;
  /** Whether the member's current assignment (or its id, on a takeover) changed. */
  changed: boolean;
}

/**
 * The shared core of a member's request to a consumer group, whatever protocol it speaks:
 * store the subscription, move the group epoch when the subscriptions or the subscribed
 * topics moved, recompute the target assignment for a new group epoch, then reconcile the
 * member towards its target. Pure: returns the records (applied once durable).
 */
export function updateMember(ctx: HeartbeatContext, change: MemberChange): MemberUpdate {
  const { config } = ctx;
  const { group, memberId, member, replaced, base, subscription, current, owned } = change;
  const records: CoordinatorRecord[] = [];
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
    owned,
    ownedIsExact: subscription.classic !== null,
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

  members.set(memberId, { ...subscription, ...next });
  return { records, next, changed, groupEpoch, members, targets };
}

/** Who is asking, as both protocols name it: the fields a member starts from. */
export interface MemberIdentity {
  memberId: string;
  instanceId: string | null;
  clientId: string;
  clientHost: string;
}

/**
 * The member a request starts from: the departed static member it takes over, the member
 * the group knows, or a blank one with nothing subscribed or owned.
 */
export function memberBase(
  replaced: ConsumerMember | undefined,
  member: ConsumerMember | undefined,
  who: MemberIdentity,
): MemberSubscription & CurrentAssignment {
  return (
    replaced ??
    member ?? {
      ...who,
      rackId: null,
      subscribedTopicNames: [],
      subscribedTopicRegex: null,
      serverAssignor: null,
      rebalanceTimeoutMs: -1,
      classic: null,
      ...emptyCurrent(),
    }
  );
}

export function pickCurrent(m: CurrentAssignment): CurrentAssignment {
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
    a.rebalanceTimeoutMs === b.rebalanceTimeoutMs &&
    sameClassic(a.classic, b.classic)
  );
}

/** Whether the change needs a new target assignment (a group epoch bump). */
export function subscriptionMoved(a: MemberSubscription, b: MemberSubscription): boolean {
  return (
    a.subscribedTopicRegex !== b.subscribedTopicRegex ||
    a.serverAssignor !== b.serverAssignor ||
    a.rackId !== b.rackId ||
    a.subscribedTopicNames.length !== b.subscribedTopicNames.length ||
    a.subscribedTopicNames.some((t) => !b.subscribedTopicNames.includes(t))
  );
}

function sameClassic(a: ClassicMemberMetadata | null, b: ClassicMemberMetadata | null): boolean {
  if (a === null || b === null) return a === b;
  return (
    a.sessionTimeoutMs === b.sessionTimeoutMs &&
    a.protocols.length === b.protocols.length &&
    a.protocols.every((p, i) => {
      const q = b.protocols[i];
      return q !== undefined && p.name === q.name && p.metadata.equals(q.metadata);
    })
  );
}
