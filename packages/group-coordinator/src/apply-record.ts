import { applyConsumerGroupRecord } from "./apply-consumer-record.js";
import { ClassicGroup, tpKey } from "./group.js";
import { type CoordinatorRecord, isConsumerGroupRecord } from "./records.js";

/**
 * The one function that changes durable group state, used both by live operations
 * (after their records are appended) and by start-up replay. Live members only pick up
 * their assignment from the record; a replayed group has no live members and stays
 * Empty.
 */
export function applyRecord(groups: Map<string, ClassicGroup>, rec: CoordinatorRecord): void {
  let group = groups.get(rec.group);
  if (isConsumerGroupRecord(rec)) {
    if (group === undefined) {
      if (rec.value === null) return;
      group = new ClassicGroup(rec.group);
      groups.set(rec.group, group);
    }
    applyConsumerGroupRecord(group, rec);
    dropIfVacant(groups, group);
    return;
  }
  if (rec.kind === "txn-offset") {
    applyTxnOffset(groups, rec);
    return;
  }
  if (rec.kind === "offset") {
    const key = tpKey(rec.topic, rec.partition);
    if (rec.value === null) {
      if (group === undefined) return;
      group.offsets.delete(key);
      dropIfVacant(groups, group);
      return;
    }
    if (group === undefined) {
      group = new ClassicGroup(rec.group);
      groups.set(rec.group, group);
    }
    group.offsets.set(key, { ...rec.value, topic: rec.topic, partition: rec.partition });
    return;
  }
  if (rec.value === null) {
    if (group === undefined) return;
    group.hasMetadata = false;
    group.generationId = 0;
    group.protocolType = null;
    group.protocolName = null;
    group.leaderId = null;
    group.storedMembers = [];
    dropIfVacant(groups, group);
    return;
  }
  if (group === undefined) {
    group = new ClassicGroup(rec.group);
    groups.set(rec.group, group);
  }
  const v = rec.value;
  group.hasMetadata = true;
  group.generationId = v.generation;
  group.protocolType = v.protocolType === "" ? null : v.protocolType;
  group.protocolName = v.protocol;
  group.leaderId = v.leader;
  group.stateTimestamp = Number(v.currentStateTimestamp);
  group.storedMembers = v.members;
  for (const stored of v.members) {
    const live = group.members.get(stored.memberId);
    if (live !== undefined) live.assignment = stored.assignment;
  }
}

/** A pending TxnOffsetCommit offset, or its removal when its transaction ended. */
function applyTxnOffset(
  groups: Map<string, ClassicGroup>,
  rec: Extract<CoordinatorRecord, { kind: "txn-offset" }>,
): void {
  const key = tpKey(rec.topic, rec.partition);
  let group = groups.get(rec.group);
  if (rec.value === null) {
    const byPartition = group?.pendingTxnOffsets.get(rec.producerId);
    if (group === undefined || byPartition === undefined) return;
    byPartition.delete(key);
    if (byPartition.size === 0) group.pendingTxnOffsets.delete(rec.producerId);
    dropIfVacant(groups, group);
    return;
  }
  if (group === undefined) {
    group = new ClassicGroup(rec.group);
    groups.set(rec.group, group);
  }
  let byPartition = group.pendingTxnOffsets.get(rec.producerId);
  if (byPartition === undefined) {
    byPartition = new Map();
    group.pendingTxnOffsets.set(rec.producerId, byPartition);
  }
  byPartition.set(key, {
    ...rec.value.offset,
    producerEpoch: rec.value.producerEpoch,
    topic: rec.topic,
    partition: rec.partition,
  });
}

/** A group with nothing left (no metadata, offsets or members) is Dead and forgotten. */
function dropIfVacant(groups: Map<string, ClassicGroup>, group: ClassicGroup): void {
  if (!group.isVacant) return;
  group.sm.transition("Dead");
  groups.delete(group.groupId);
}
