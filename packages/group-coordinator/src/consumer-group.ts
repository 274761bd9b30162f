/**
 * One KIP-848 consumer group (`group.protocol=consumer`): durable state only, rebuilt by
 * replaying its records (consumer-records.ts) through `applyConsumerGroupRecord`. Timers
 * (sessions, revocation deadlines) are the runtime's keyed timers.
 *
 * Epochs: the group epoch moves whenever membership, a subscription or a subscribed
 * topic's partition count changes; the target assignment is recomputed for the group
 * epoch (its assignment epoch); each member then reaches the target at its own pace
 * (member epoch), revoking before it is given partitions someone else still owns.
 */

import type { JoinProtocol } from "./coordinator-api.js";

/** Topic key (topic id as hex) -> partitions. */
export type Assignment = Map<string, Set<number>>;

/** Where a member is in reaching its target (Kafka's MemberState). */
export type MemberState = "stable" | "unrevoked" | "unreleased";
export const MEMBER_STATES: readonly MemberState[] = ["stable", "unrevoked", "unreleased"];

/** The group states as Kafka spells them on the wire. */
export type ConsumerGroupStateName = "Empty" | "Assigning" | "Reconciling" | "Stable";

/** Member epoch of a static member that left and may come back (KIP-848). */
export const LEAVE_STATIC_EPOCH = -2;
export const LEAVE_EPOCH = -1;

export interface MemberSubscription {
  memberId: string;
  instanceId: string | null;
  rackId: string | null;
  clientId: string;
  clientHost: string;
  subscribedTopicNames: string[];
  subscribedTopicRegex: string | null;
  serverAssignor: string | null;
  rebalanceTimeoutMs: number;
  /** Set for a member that joined with the classic protocol (JoinGroup) instead. */
  classic: ClassicMemberMetadata | null;
}

/** What a classic-protocol member joined with: its session timeout and protocols, in order. */
export interface ClassicMemberMetadata {
  sessionTimeoutMs: number;
  protocols: JoinProtocol[];
}

/** What a member owns now: assigned, and still to revoke (both count as owned). */
export interface CurrentAssignment {
  memberEpoch: number;
  previousMemberEpoch: number;
  state: MemberState;
  assigned: Assignment;
  pendingRevocation: Assignment;
  /** The member epoch each assigned partition was given at (KIP-1251), by `tpEpochKey`. */
  assignedEpochs: Map<string, number>;
}

export function tpEpochKey(topic: string, partition: number): string {
  return `${topic}:${partition}`;
}

export type ConsumerMember = MemberSubscription & CurrentAssignment;

/** A subscribed topic as the group last saw it. */
export interface TopicSnapshot {
  id: string;
  name: string;
  partitions: number;
}

export function emptyCurrent(): CurrentAssignment {
  return {
    memberEpoch: 0,
    previousMemberEpoch: 0,
    state: "stable",
    assigned: new Map(),
    pendingRevocation: new Map(),
    assignedEpochs: new Map(),
  };
}

export class ConsumerGroup {
  groupEpoch = 0;
  assignmentEpoch = 0;
  /** Subscribed topics by name, when the group epoch was last bumped. */
  topics = new Map<string, TopicSnapshot>();
  readonly members = new Map<string, ConsumerMember>();
  /** Member id -> target assignment. */
  readonly targets = new Map<string, Assignment>();
  /** Subscription regular expression -> the topic names it resolved to (kind-16 records). */
  readonly regexes = new Map<string, string[]>();

  constructor(readonly groupId: string) {}

  staticMember(instanceId: string): ConsumerMember | undefined {
    for (const m of this.members.values()) if (m.instanceId === instanceId) return m;
    return undefined;
  }

  get state(): ConsumerGroupStateName {
    if (this.members.size === 0) return "Empty";
    if (this.groupEpoch > this.assignmentEpoch) return "Assigning";
    for (const m of this.members.values()) {
      if (m.memberEpoch !== this.assignmentEpoch || m.state !== "stable") return "Reconciling";
    }
    return "Stable";
  }

  /** Every topic name some member subscribes to, by name or through an expression. */
  subscribedTopicNames(): Set<string> {
    const names = new Set<string>();
    for (const m of this.members.values()) {
      for (const t of m.subscribedTopicNames) names.add(t);
      if (m.subscribedTopicRegex === null) continue;
      for (const t of this.regexes.get(m.subscribedTopicRegex) ?? []) names.add(t);
    }
    return names;
  }
}

/** What a member still owns: its assigned partitions and those it has yet to revoke. */
export function ownedPartitions(m: CurrentAssignment): Assignment {
  const owned = copyAssignment(m.assigned);
  for (const [t, p] of partitionsOf(m.pendingRevocation)) addPartition(owned, t, p);
  return owned;
}

export function copyAssignment(a: Assignment): Assignment {
  return new Map([...a].map(([t, ps]) => [t, new Set(ps)]));
}

export function sameAssignment(a: Assignment, b: Assignment): boolean {
  if (countPartitions(a) !== countPartitions(b)) return false;
  for (const [t, ps] of a) {
    const other = b.get(t);
    for (const p of ps) if (other === undefined || !other.has(p)) return false;
  }
  return true;
}

export function countPartitions(a: Assignment): number {
  let n = 0;
  for (const ps of a.values()) n += ps.size;
  return n;
}

export function hasPartition(a: Assignment, topic: string, partition: number): boolean {
  return a.get(topic)?.has(partition) ?? false;
}

export function addPartition(a: Assignment, topic: string, partition: number): void {
  let ps = a.get(topic);
  if (ps === undefined) {
    ps = new Set();
    a.set(topic, ps);
  }
  ps.add(partition);
}

/** Each (topic, partition) of `a`, topics and partitions in order. */
export function* partitionsOf(a: Assignment): Generator<[string, number]> {
  for (const t of [...a.keys()].sort()) {
    for (const p of [...(a.get(t) ?? [])].sort((x, y) => x - y)) yield [t, p];
  }
}

/** The wire/record form: topic id bytes and sorted partitions, empty topics left out. */
export function assignmentToWire(a: Assignment): { topicId: Buffer; partitions: number[] }[] {
  return [...a.keys()]
    .sort()
    .map((t) => ({
      topicId: Buffer.from(t, "hex"),
      partitions: [...(a.get(t) ?? [])].sort((x, y) => x - y),
    }))
    .filter((t) => t.partitions.length > 0);
}

export function assignmentFromWire(
  wire: readonly { topicId: Buffer; partitions: readonly number[] }[],
): Assignment {
  const a: Assignment = new Map();
  for (const t of wire) for (const p of t.partitions) addPartition(a, t.topicId.toString("hex"), p);
  return a;
}
