import type { ShareRecord } from "./share-records.js";

/** Partitions of one topic a member holds; the id tells a re-created topic apart. */
export interface AssignedTopic {
  readonly topicId: Buffer;
  readonly topic: string;
  readonly partitions: readonly number[];
}

export interface ShareMember {
  readonly memberId: string;
  rackId: string | null;
  clientId: string;
  clientHost: string;
  subscribedTopicNames: readonly string[];
  /** The group epoch whose assignment the member holds; 0 until it has one. */
  memberEpoch: number;
  previousMemberEpoch: number;
  assignment: readonly AssignedTopic[];
}

/** Share groups have no rebalance phases: members exist or they do not (Kafka's states). */
export type ShareGroupState = "Empty" | "Stable";

/**
 * One share group: the durable part (epoch, members, their assignments) changes only by
 * replaying records; `target` is live, recomputed from the members when the epoch moved.
 */
export class ShareGroup {
  epoch = 0;
  /** Hash of the subscribed topics' ids and partition counts at `epoch`. */
  metadataHash = 0n;
  readonly members = new Map<string, ShareMember>();
  /** Live: each member's target partitions, valid for `targetEpoch`. */
  target = new Map<string, readonly AssignedTopic[]>();
  /** Live: -1 until computed, so the first heartbeat after a restart computes it. */
  targetEpoch = -1;

  constructor(readonly groupId: string) {}

  get state(): ShareGroupState {
    return this.members.size === 0 ? "Empty" : "Stable";
  }

  /** Every topic some member subscribes to, sorted. */
  subscribedTopics(): string[] {
    const names = new Set<string>();
    for (const m of this.members.values()) for (const t of m.subscribedTopicNames) names.add(t);
    return [...names].sort();
  }
}

export type ShareGroups = Map<string, ShareGroup>;

/** A member before its first record: no subscription, epoch 0, nothing assigned. */
export function blankMember(memberId: string): ShareMember {
  return {
    memberId,
    rackId: null,
    clientId: "",
    clientHost: "",
    subscribedTopicNames: [],
    memberEpoch: 0,
    previousMemberEpoch: -1,
    assignment: [],
  };
}

/** The one function that changes durable share-group state: live and at start-up alike. */
export function applyShareRecord(groups: ShareGroups, rec: ShareRecord): void {
  let group = groups.get(rec.group);
  if (rec.value === null) {
    if (group === undefined) return;
    if (rec.kind === "share-group") groups.delete(rec.group);
    else if (rec.kind === "share-member") group.members.delete(rec.memberId);
    else {
      const m = group.members.get(rec.memberId);
      if (m !== undefined) m.assignment = [];
    }
    return;
  }
  if (group === undefined) {
    group = new ShareGroup(rec.group);
    groups.set(rec.group, group);
  }
  if (rec.kind === "share-group") {
    group.epoch = rec.value.epoch;
    group.metadataHash = rec.value.metadataHash;
    return;
  }
  let member = group.members.get(rec.memberId);
  if (member === undefined) {
    member = blankMember(rec.memberId);
    group.members.set(rec.memberId, member);
  }
  if (rec.kind === "share-member") {
    member.rackId = rec.value.rackId;
    member.clientId = rec.value.clientId;
    member.clientHost = rec.value.clientHost;
    member.subscribedTopicNames = rec.value.subscribedTopicNames;
    return;
  }
  member.memberEpoch = rec.value.memberEpoch;
  member.previousMemberEpoch = rec.value.previousMemberEpoch;
  member.assignment = rec.value.topics.map((t) => ({
    topicId: t.topicId,
    topic: t.topic,
    partitions: t.partitions,
  }));
}
