import {
  type Assignment,
  assignmentToWire,
  type ConsumerGroup,
  type CurrentAssignment,
  MEMBER_STATES,
  type MemberSubscription,
  sameAssignment,
  type TopicSnapshot,
  tpEpochKey,
} from "./consumer-group.js";
import type { ConsumerGroupRecord } from "./consumer-records.js";
import { regexTombstone, regexTombstonesWithout } from "./consumer-regex.js";

/** Builders of the consumer-group records every operation (and deletion) writes. */

export function epochRecord(group: string, epoch: number): ConsumerGroupRecord {
  return { kind: "cg-epoch", group, value: { epoch } };
}

export function topicsRecord(
  group: string,
  topics: ReadonlyMap<string, TopicSnapshot>,
): ConsumerGroupRecord {
  return {
    kind: "cg-topics",
    group,
    value: {
      topics: [...topics.values()].map((t) => ({
        topicId: Buffer.from(t.id, "hex"),
        topicName: t.name,
        numPartitions: t.partitions,
      })),
    },
  };
}

export function memberRecord(group: string, m: MemberSubscription): ConsumerGroupRecord {
  return {
    kind: "cg-member",
    group,
    memberId: m.memberId,
    value: {
      instanceId: m.instanceId,
      rackId: m.rackId,
      clientId: m.clientId,
      clientHost: m.clientHost,
      subscribedTopicNames: m.subscribedTopicNames,
      subscribedTopicRegex: m.subscribedTopicRegex,
      serverAssignor: m.serverAssignor,
      rebalanceTimeoutMs: m.rebalanceTimeoutMs,
      classicMemberMetadata:
        m.classic === null
          ? null
          : {
              sessionTimeoutMs: m.classic.sessionTimeoutMs,
              supportedProtocols: m.classic.protocols.map((p) => ({
                name: p.name,
                metadata: p.metadata,
              })),
            },
    },
  };
}

export function targetRecord(
  group: string,
  memberId: string,
  target: Assignment,
): ConsumerGroupRecord {
  return {
    kind: "cg-target",
    group,
    memberId,
    value: { topicPartitions: assignmentToWire(target) },
  };
}

export function targetEpochRecord(group: string, assignmentEpoch: number): ConsumerGroupRecord {
  return { kind: "cg-target-epoch", group, value: { assignmentEpoch } };
}

export function currentRecord(
  group: string,
  memberId: string,
  c: CurrentAssignment,
): ConsumerGroupRecord {
  return {
    kind: "cg-current",
    group,
    memberId,
    value: {
      memberEpoch: c.memberEpoch,
      previousMemberEpoch: c.previousMemberEpoch,
      state: MEMBER_STATES.indexOf(c.state),
      assignedPartitions: assignmentToWire(c.assigned),
      partitionsPendingRevocation: assignmentToWire(c.pendingRevocation),
      assignmentEpochs: assignmentToWire(c.assigned).map((t) => {
        const topic = t.topicId.toString("hex");
        return {
          ...t,
          epochs: t.partitions.map(
            (p) => c.assignedEpochs.get(tpEpochKey(topic, p)) ?? c.memberEpoch,
          ),
        };
      }),
    },
  };
}

/** A member's records gone, in the reverse of the order they were written. */
export function removeMemberRecords(group: string, memberId: string): ConsumerGroupRecord[] {
  return [
    { kind: "cg-current", group, memberId, value: null },
    { kind: "cg-target", group, memberId, value: null },
    { kind: "cg-member", group, memberId, value: null },
  ];
}

/**
 * Members removed (left, timed out, fenced): the group epoch moves so others rebalance;
 * the expressions only they used go too.
 */
export function fenceMemberRecords(
  g: ConsumerGroup,
  memberIds: string | readonly string[],
): ConsumerGroupRecord[] {
  const ids = typeof memberIds === "string" ? [memberIds] : memberIds;
  return [
    ...ids.flatMap((id) => removeMemberRecords(g.groupId, id)),
    ...regexTombstonesWithout(g, ids),
    epochRecord(g.groupId, g.groupEpoch + 1),
  ];
}

/** Every record of the group gone, the epoch last (it ends the group on replay). */
export function groupTombstones(g: ConsumerGroup): ConsumerGroupRecord[] {
  const records: ConsumerGroupRecord[] = [];
  for (const id of g.members.keys()) records.push(...removeMemberRecords(g.groupId, id));
  for (const id of g.targets.keys()) {
    if (!g.members.has(id))
      records.push({ kind: "cg-target", group: g.groupId, memberId: id, value: null });
  }
  for (const regex of g.regexes.keys()) records.push(regexTombstone(g.groupId, regex));
  records.push(
    { kind: "cg-target-epoch", group: g.groupId, value: null },
    { kind: "cg-topics", group: g.groupId, value: null },
    { kind: "cg-epoch", group: g.groupId, value: null },
  );
  return records;
}

export function sameCurrent(a: CurrentAssignment, b: CurrentAssignment): boolean {
  return (
    a.memberEpoch === b.memberEpoch &&
    a.previousMemberEpoch === b.previousMemberEpoch &&
    a.state === b.state &&
    sameAssignment(a.assigned, b.assigned) &&
    sameAssignment(a.pendingRevocation, b.pendingRevocation) &&
    a.assignedEpochs.size === b.assignedEpochs.size &&
    [...a.assignedEpochs].every(([k, e]) => b.assignedEpochs.get(k) === e)
  );
}
