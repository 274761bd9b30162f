import { createGroupMetadataValue, ErrorCode } from "@logbook/protocol";
import { applyConsumerGroupRecord } from "./apply-consumer-record.js";
import { type CoordinatorConfig, downgradeEnabled, upgradeEnabled } from "./config.js";
import type { ConsumerTopicView } from "./consumer-api.js";
import {
  currentRecord,
  epochRecord,
  fenceMemberRecords,
  groupTombstones,
  memberRecord,
  targetEpochRecord,
  targetRecord,
  topicsRecord,
} from "./consumer-changes.js";
import { ConsumerGroup, type ConsumerMember, partitionsOf, tpEpochKey } from "./consumer-group.js";
import { HeartbeatError } from "./consumer-heartbeat-checks.js";
import type { MemberUpdate } from "./consumer-member-update.js";
import {
  byTopicId,
  byTopicName,
  CONSUMER_PROTOCOL_TYPE,
  readAssignment,
  readSubscription,
  writeAssignment,
} from "./embedded-consumer-protocol.js";
import { ClassicGroup } from "./group.js";
import { type CoordinatorRecord, isConsumerGroupRecord } from "./records.js";
import { subscribedTopics } from "./target-assignment.js";

/**
 * The live migration between classic and consumer groups (KIP-848): an empty classic
 * group becomes a consumer group whatever the policy (its offsets stay); a
 * ConsumerGroupHeartbeat joining a classic group with members goes through Kafka's
 * upgrade checks, in Kafka's order, each answering GROUP_ID_NOT_FOUND, then converts
 * it: every classic member becomes a classic member of the consumer group at the
 * classic generation (the group and assignment epoch), keeping the partitions its
 * SyncGroup assignment gave it and the topics its subscription named. The conversion is
 * records only (the classic group's tombstone, then the consumer group's), so replay
 * rebuilds the same group.
 *
 * Back again: when the members that leave (or are fenced) leave only classic members
 * behind, the policy allows downgrades and they fit group.max.size, the consumer group's
 * records are tombstoned and a classic GroupMetadata record written instead (generation =
 * the group epoch; each member keeping the partitions it holds, in its subscription's
 * version); the classic group then resumes from that record and rebalances, so every
 * member rejoins.
 */

/** The classic group's protocol type: the stored one, or its live members' while it forms. */
function protocolTypeOf(entry: ClassicGroup): string | null {
  return entry.protocolType ?? entry.members.values().next().value?.protocolType ?? null;
}

/** Kafka's checks before a live classic group is upgraded; throws a HeartbeatError. */
function checkOnlineUpgrade(entry: ClassicGroup, config: CoordinatorConfig): void {
  const why = (reason: string) =>
    new HeartbeatError(
      ErrorCode.GROUP_ID_NOT_FOUND,
      `Cannot upgrade classic group ${entry.groupId} to consumer group because ${reason}.`,
    );
  if (!upgradeEnabled(config.consumerMigrationPolicy)) throw why("online upgrade is disabled");
  if (protocolTypeOf(entry) !== CONSUMER_PROTOCOL_TYPE) {
    throw why("the group does not use the consumer embedded protocol");
  }
  if (entry.members.size > config.consumerMaxGroupSize) {
    throw why("the group size exceeds the consumer group maximum size");
  }
}

export interface Upgrade {
  records: CoordinatorRecord[];
  /** The consumer group the records make, for the joining member's request to continue on. */
  group: ConsumerGroup;
}

/** The records converting a live classic group into a consumer group; throws when refused. */
export function upgrade(
  entry: ClassicGroup,
  config: CoordinatorConfig,
  topics: ConsumerTopicView,
): Upgrade {
  checkOnlineUpgrade(entry, config);
  const malformed = () =>
    new HeartbeatError(
      ErrorCode.GROUP_ID_NOT_FOUND,
      `Cannot upgrade classic group ${entry.groupId} to consumer group because the embedded consumer protocol is malformed.`,
    );
  const epoch = entry.generationId;
  const members = new Map<string, ConsumerMember>();
  for (const m of entry.members.values()) {
    const chosen = m.protocols.find((p) => p.name === entry.protocolName) ?? m.protocols[0];
    const subscription = chosen === undefined ? null : readSubscription(chosen.metadata);
    const assigned = readAssignment(m.assignment);
    if (subscription === null || assigned === null) throw malformed();
    const owned = byTopicId(assigned, topics);
    members.set(m.memberId, {
      memberId: m.memberId,
      instanceId: m.groupInstanceId,
      rackId: subscription.rackId,
      clientId: m.clientId,
      clientHost: m.clientHost,
      subscribedTopicNames: subscription.topics,
      subscribedTopicRegex: null,
      serverAssignor: null,
      rebalanceTimeoutMs: m.rebalanceTimeoutMs,
      classic: { sessionTimeoutMs: m.sessionTimeoutMs, protocols: m.protocols },
      memberEpoch: epoch,
      previousMemberEpoch: epoch,
      state: "stable",
      assigned: owned,
      pendingRevocation: new Map(),
      assignedEpochs: new Map(
        [...partitionsOf(owned)].map(([t, p]): [string, number] => [tpEpochKey(t, p), epoch]),
      ),
    });
  }
  const id = entry.groupId;
  const records: CoordinatorRecord[] = [{ kind: "group", group: id, value: null }];
  for (const m of members.values()) records.push(memberRecord(id, m));
  records.push(epochRecord(id, epoch));
  records.push(topicsRecord(id, subscribedTopics(members, new Map(), topics)));
  for (const m of members.values()) records.push(targetRecord(id, m.memberId, m.assigned));
  records.push(targetEpochRecord(id, epoch));
  for (const m of members.values()) records.push(currentRecord(id, m.memberId, m));
  // The group as replay will see it: the same records through the same path.
  const scratch = new ClassicGroup(id);
  for (const r of records) if (isConsumerGroupRecord(r)) applyConsumerGroupRecord(scratch, r);
  if (scratch.consumer === null) throw malformed();
  return { records, group: scratch.consumer };
}

export interface Fencing {
  records: CoordinatorRecord[];
  /** Set when the group became a classic group: every member id it had (their timers stop). */
  downgraded: string[] | null;
}

/** Removes members, downgrading the group when only classic members remain (see above). */
export function fenceOrDowngrade(
  g: ConsumerGroup,
  leaving: readonly string[],
  config: CoordinatorConfig,
  topics: ConsumerTopicView,
  now: number,
): Fencing {
  const remaining = [...g.members.values()].filter((m) => !leaving.includes(m.memberId));
  if (remaining.length === 0 || !canDowngrade(remaining, config)) {
    return { records: fenceMemberRecords(g, leaving), downgraded: null };
  }
  return {
    records: [...groupTombstones(g), classicRecord(g, remaining, topics, now)],
    downgraded: [...g.members.keys()],
  };
}

/**
 * Kafka's other downgrade: a classic static member takes over the instance of the last
 * consumer-protocol member. `update` is the takeover as the records leave the group;
 * null when the group stays a consumer group.
 */
export function downgradeOnTakeover(
  group: ConsumerGroup,
  update: MemberUpdate,
  config: CoordinatorConfig,
  topics: ConsumerTopicView,
  now: number,
): Fencing | null {
  const members = [...update.members.values()];
  if (!canDowngrade(members, config)) return null;
  const after = new ConsumerGroup(group.groupId);
  after.groupEpoch = update.groupEpoch;
  for (const m of members) after.members.set(m.memberId, m);
  for (const [id, t] of update.targets) after.targets.set(id, t);
  for (const [regex, names] of group.regexes) after.regexes.set(regex, names);
  return {
    records: [
      ...update.records,
      ...groupTombstones(after),
      classicRecord(after, members, topics, now),
    ],
    downgraded: [...new Set([...group.members.keys(), ...after.members.keys()])],
  };
}

/** Kafka's conditions: only classic members, the policy allows it, the classic size fits. */
function canDowngrade(members: readonly ConsumerMember[], config: CoordinatorConfig): boolean {
  return (
    members.every((m) => m.classic !== null) &&
    downgradeEnabled(config.consumerMigrationPolicy) &&
    members.length <= config.maxGroupSize
  );
}

/** The classic group's GroupMetadata record: generation = the group epoch. */
function classicRecord(
  g: ConsumerGroup,
  members: readonly ConsumerMember[],
  topics: ConsumerTopicView,
  now: number,
): CoordinatorRecord {
  const protocol = selectProtocol(members);
  return {
    kind: "group",
    group: g.groupId,
    value: createGroupMetadataValue({
      protocolType: CONSUMER_PROTOCOL_TYPE,
      generation: g.groupEpoch,
      protocol,
      leader: members[0]?.memberId ?? null,
      currentStateTimestamp: BigInt(now),
      members: members.map((m) => {
        const metadata =
          m.classic?.protocols.find((p) => p.name === protocol)?.metadata ?? Buffer.alloc(0);
        return {
          memberId: m.memberId,
          groupInstanceId: m.instanceId,
          clientId: m.clientId,
          clientHost: m.clientHost,
          rebalanceTimeoutMs: m.rebalanceTimeoutMs,
          sessionTimeoutMs: m.classic?.sessionTimeoutMs ?? 0,
          subscription: metadata,
          assignment: writeAssignment(
            byTopicName(m.assigned, topics),
            readSubscription(metadata)?.version ?? 0,
          ),
        };
      }),
    }),
  };
}

/** The classic vote: each member's first protocol every member supports; most votes win. */
function selectProtocol(members: readonly ConsumerMember[]): string {
  const all = members.map((m) => new Set(m.classic?.protocols.map((p) => p.name)));
  const votes = new Map<string, number>();
  for (const m of members) {
    const choice = m.classic?.protocols.find((p) => all.every((names) => names.has(p.name)));
    if (choice !== undefined) votes.set(choice.name, (votes.get(choice.name) ?? 0) + 1);
  }
  let best = "";
  for (const [name, n] of votes) if (best === "" || n > (votes.get(best) ?? 0)) best = name;
  return best;
}
