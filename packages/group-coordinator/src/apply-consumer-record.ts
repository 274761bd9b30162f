import {
  type Assignment,
  assignmentFromWire,
  ConsumerGroup,
  type ConsumerMember,
  emptyCurrent,
  MEMBER_STATES,
  tpEpochKey,
} from "./consumer-group.js";
import type { ConsumerGroupRecord } from "./consumer-records.js";
import type { ClassicGroup } from "./group.js";

/**
 * Replays one consumer-group record into the group id's entry (the entry that also holds
 * the id's committed offsets); live operations and start-up both come through here.
 * A tombstone of the group epoch ends the consumer group (deletion, or a downgrade of an
 * empty one to a classic group).
 */
export function applyConsumerGroupRecord(entry: ClassicGroup, rec: ConsumerGroupRecord): void {
  if (rec.kind === "cg-epoch" && rec.value === null) {
    entry.consumer = null;
    return;
  }
  if (entry.consumer === null) {
    if (rec.value === null) return;
    entry.consumer = new ConsumerGroup(entry.groupId);
  }
  const group = entry.consumer;
  switch (rec.kind) {
    case "cg-epoch":
      if (rec.value !== null) group.groupEpoch = rec.value.epoch;
      return;
    case "cg-topics":
      group.topics = new Map(
        (rec.value?.topics ?? []).map((t) => [
          t.topicName,
          { id: t.topicId.toString("hex"), name: t.topicName, partitions: t.numPartitions },
        ]),
      );
      return;
    case "cg-member": {
      if (rec.value === null) {
        group.members.delete(rec.memberId);
        return;
      }
      const v = rec.value;
      const current = group.members.get(rec.memberId) ?? { ...emptyCurrent() };
      const member: ConsumerMember = {
        ...current,
        memberId: rec.memberId,
        instanceId: v.instanceId,
        rackId: v.rackId,
        clientId: v.clientId,
        clientHost: v.clientHost,
        subscribedTopicNames: v.subscribedTopicNames,
        subscribedTopicRegex: v.subscribedTopicRegex,
        serverAssignor: v.serverAssignor,
        rebalanceTimeoutMs: v.rebalanceTimeoutMs,
        classic:
          v.classicMemberMetadata === null
            ? null
            : {
                sessionTimeoutMs: v.classicMemberMetadata.sessionTimeoutMs,
                protocols: v.classicMemberMetadata.supportedProtocols.map((p) => ({
                  name: p.name,
                  metadata: p.metadata,
                })),
              },
      };
      group.members.set(rec.memberId, member);
      return;
    }
    case "cg-target-epoch":
      group.assignmentEpoch = rec.value?.assignmentEpoch ?? 0;
      return;
    case "cg-target":
      if (rec.value === null) group.targets.delete(rec.memberId);
      else group.targets.set(rec.memberId, assignmentFromWire(rec.value.topicPartitions));
      return;
    case "cg-current": {
      const member = group.members.get(rec.memberId);
      // Written after the member's subscription and before its removal: nothing to do alone.
      if (member === undefined) return;
      const v = rec.value;
      const next =
        v === null
          ? emptyCurrent()
          : {
              memberEpoch: v.memberEpoch,
              previousMemberEpoch: v.previousMemberEpoch,
              state: MEMBER_STATES[v.state] ?? "stable",
              assigned: assignmentFromWire(v.assignedPartitions) as Assignment,
              pendingRevocation: assignmentFromWire(v.partitionsPendingRevocation),
              assignedEpochs: new Map(
                v.assignmentEpochs.flatMap((t) =>
                  t.partitions.map((p, i): [string, number] => [
                    tpEpochKey(t.topicId.toString("hex"), p),
                    t.epochs[i] ?? v.memberEpoch,
                  ]),
                ),
              ),
            };
      Object.assign(member, next);
      return;
    }
    case "cg-regex":
      if (rec.value === null) group.regexes.delete(rec.regex);
      else group.regexes.set(rec.regex, rec.value.topics);
      return;
  }
}
