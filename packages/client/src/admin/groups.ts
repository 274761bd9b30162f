/** Consumer groups: list, describe with lag, reset offsets, delete. */
import {
  byTopicPartition,
  ConsumerGroupDescribeApi,
  createConsumerGroupDescribeRequest,
  createDeleteGroupsRequest,
  createDescribeGroupsRequest,
  createListGroupsRequest,
  createOffsetCommitRequest,
  createOffsetFetchRequest,
  DeleteGroupsApi,
  DescribeGroupsApi,
  ErrorCode,
  ListGroupsApi,
  OffsetCommitApi,
  OffsetFetchApi,
  readAssignment,
} from "@logbook/protocol";
import type { Connection } from "../connection.js";
import { CoordinatorType, type KafkaClient } from "../kafka-client.js";
import { check, KafkaError } from "../kafka-error.js";
import { listOffsets, OffsetSpec } from "./offsets.js";

export interface ListedGroup {
  readonly group: string;
  /** classic, consumer or share ("" from brokers before KIP-848). */
  readonly type: string;
  readonly state: string;
  readonly protocolType: string;
}

/** Every group of every broker. */
export async function listGroups(client: KafkaClient): Promise<ListedGroup[]> {
  const md = await client.metadata([]);
  const seen = new Map<string, ListedGroup>();
  for (const b of md.brokers) {
    const { body } = await (await client.broker(b.nodeId)).send(ListGroupsApi, () =>
      createListGroupsRequest({ statesFilter: [], typesFilter: [] }),
    );
    check(body.errorCode, null, "ListGroups");
    for (const g of body.groups)
      seen.set(g.groupId, {
        group: g.groupId,
        type: g.groupType.toLowerCase(),
        state: g.groupState,
        protocolType: g.protocolType,
      });
  }
  return [...seen.values()].sort((a, b) => (a.group < b.group ? -1 : 1));
}

export interface GroupMember {
  readonly memberId: string;
  readonly instanceId: string | null;
  readonly clientId: string;
  readonly host: string;
  readonly assignment: readonly { topic: string; partitions: readonly number[] }[];
}

export interface PartitionLag {
  readonly topic: string;
  readonly partition: number;
  /** -1 when the group has committed nothing for the partition. */
  readonly committed: bigint;
  readonly end: bigint;
  /** end - committed; null without a commit. */
  readonly lag: bigint | null;
  readonly memberId: string | null;
}

export interface GroupDescription {
  readonly group: string;
  readonly type: string;
  readonly state: string;
  readonly protocol: string;
  readonly coordinator: number;
  readonly members: readonly GroupMember[];
  readonly partitions: readonly PartitionLag[];
  /** Sum of the partitions' lag. */
  readonly totalLag: bigint;
}

async function membersOf(
  coordinator: Connection,
  group: string,
): Promise<{ type: string; state: string; protocol: string; members: GroupMember[] }> {
  if (coordinator.versionFor(ConsumerGroupDescribeApi) !== undefined) {
    const { body } = await coordinator.send(ConsumerGroupDescribeApi, () =>
      createConsumerGroupDescribeRequest({ groupIds: [group], includeAuthorizedOperations: false }),
    );
    const g = body.groups[0];
    if (g !== undefined && g.errorCode === 0)
      return {
        type: "consumer",
        state: g.groupState,
        protocol: g.assignorName,
        members: g.members.map((m) => ({
          memberId: m.memberId,
          instanceId: m.instanceId,
          clientId: m.clientId,
          host: m.clientHost,
          assignment: m.assignment.topicPartitions.map((t) => ({
            topic: t.topicName,
            partitions: t.partitions,
          })),
        })),
      };
    // Not a consumer-protocol group: a classic one (or none), which DescribeGroups answers.
    if (g !== undefined && g.errorCode !== ErrorCode.GROUP_ID_NOT_FOUND)
      throw new KafkaError(g.errorCode, g.errorMessage, `group ${group}`);
  }
  const { body } = await coordinator.send(DescribeGroupsApi, () =>
    createDescribeGroupsRequest({ groups: [group], includeAuthorizedOperations: false }),
  );
  const g = body.groups[0];
  if (g === undefined) throw new KafkaError(ErrorCode.GROUP_ID_NOT_FOUND, null, `group ${group}`);
  check(g.errorCode, null, `group ${group}`);
  return {
    type: "classic",
    state: g.groupState,
    protocol: g.protocolData,
    members: g.members.map((m) => ({
      memberId: m.memberId,
      instanceId: m.groupInstanceId,
      clientId: m.clientId,
      host: m.clientHost,
      assignment: g.protocolType === "consumer" ? (readAssignment(m.memberAssignment) ?? []) : [],
    })),
  };
}

/** What the group committed, by topic then partition. */
export async function committedOffsets(
  client: KafkaClient,
  group: string,
): Promise<{ topic: string; partition: number; offset: bigint }[]> {
  return offsetsAt(await client.coordinator(group, CoordinatorType.GROUP), group);
}

async function offsetsAt(
  coordinator: Connection,
  group: string,
): Promise<{ topic: string; partition: number; offset: bigint }[]> {
  const { version, body } = await coordinator.send(OffsetFetchApi, (v) =>
    createOffsetFetchRequest(
      v >= 8
        ? {
            groups: [{ groupId: group, memberId: null, memberEpoch: -1, topics: null }],
            requireStable: true,
          }
        : { groupId: group, topics: null, requireStable: true },
    ),
  );
  const out: { topic: string; partition: number; offset: bigint }[] = [];
  if (version >= 8) {
    const g = body.groups[0];
    if (g === undefined) return out;
    check(g.errorCode, null, `group ${group}`);
    for (const t of g.topics)
      for (const p of t.partitions) {
        check(p.errorCode, null, `group ${group} ${t.name}-${p.partitionIndex}`);
        if (p.committedOffset >= 0n)
          out.push({ topic: t.name, partition: p.partitionIndex, offset: p.committedOffset });
      }
  } else {
    check(body.errorCode, null, `group ${group}`);
    for (const t of body.topics)
      for (const p of t.partitions)
        if (p.committedOffset >= 0n)
          out.push({ topic: t.name, partition: p.partitionIndex, offset: p.committedOffset });
  }
  return out.sort(byTopicPartition);
}

export async function describeGroup(client: KafkaClient, group: string): Promise<GroupDescription> {
  // One FindCoordinator for the whole description.
  const coordinatorId = await client.coordinatorId(group, CoordinatorType.GROUP);
  const coordinator = await client.broker(coordinatorId);
  const [shape, committed] = await Promise.all([
    membersOf(coordinator, group),
    offsetsAt(coordinator, group),
  ]);
  const owner = new Map<string, string>();
  for (const m of shape.members)
    for (const t of m.assignment)
      for (const p of t.partitions) owner.set(`${t.topic}:${p}`, m.memberId);
  const keys = new Map<string, { topic: string; partition: number }>();
  for (const c of committed) keys.set(`${c.topic}:${c.partition}`, c);
  for (const m of shape.members)
    for (const t of m.assignment)
      for (const partition of t.partitions)
        keys.set(`${t.topic}:${partition}`, { topic: t.topic, partition });
  const topics = [...new Set([...keys.values()].map((k) => k.topic))];
  const ends = topics.length === 0 ? [] : await listOffsets(client, topics, OffsetSpec.LATEST);
  const partitions = [...keys.values()]
    .map(({ topic, partition }) => {
      const committedOffset =
        committed.find((c) => c.topic === topic && c.partition === partition)?.offset ?? -1n;
      const end = ends.find((e) => e.topic === topic && e.partition === partition)?.offset ?? -1n;
      return {
        topic,
        partition,
        committed: committedOffset,
        end,
        lag: committedOffset < 0n || end < 0n ? null : end - committedOffset,
        memberId: owner.get(`${topic}:${partition}`) ?? null,
      };
    })
    .sort(byTopicPartition);
  return {
    group,
    ...shape,
    coordinator: coordinatorId,
    partitions,
    totalLag: partitions.reduce((sum, p) => sum + (p.lag ?? 0n), 0n),
  };
}

/** Where `seekGroup` moves the group's offsets. */
export type SeekTarget =
  | { readonly to: "start" | "end" }
  | { readonly to: "offset"; readonly offset: bigint }
  /** `back` records before the end (not before the log start). */
  | { readonly to: "fromEnd"; readonly back: bigint }
  | { readonly to: "time"; readonly ms: bigint };

export interface SeekResult {
  readonly topic: string;
  readonly partition: number;
  readonly current: bigint;
  readonly target: bigint;
  /** Kafka's error name, or "OK" (or "DRY-RUN" when nothing was committed). */
  readonly status: string;
}

/**
 * Moves the group's committed offsets, for the partitions it committed (or every
 * partition of `topics`), to the target, kept between the log start and end offsets;
 * with `dryRun` only says where. As with Kafka's tool, the group must have no active
 * members (the broker refuses otherwise).
 */
export async function seekGroup(
  client: KafkaClient,
  group: string,
  target: SeekTarget,
  topics: readonly string[] | null,
  dryRun: boolean,
): Promise<SeekResult[]> {
  const committed = await committedOffsets(client, group);
  let parts: { topic: string; partition: number }[];
  if (topics === null) parts = committed.map(({ topic, partition }) => ({ topic, partition }));
  else {
    const leaders = await client.leaders(topics);
    parts = [...leaders].flatMap(([topic, ps]) =>
      [...ps.keys()].map((partition) => ({ topic, partition })),
    );
  }
  if (parts.length === 0) return [];
  const names = [...new Set(parts.map((p) => p.topic))];
  const spec =
    target.to === "start" || target.to === "fromEnd"
      ? OffsetSpec.EARLIEST
      : target.to === "end"
        ? OffsetSpec.LATEST
        : target.to === "time"
          ? target.ms
          : null;
  const [found, starts, ends] = await Promise.all([
    spec === null ? Promise.resolve([]) : listOffsets(client, names, spec),
    listOffsets(client, names, OffsetSpec.EARLIEST),
    listOffsets(client, names, OffsetSpec.LATEST),
  ]);
  const planned = parts
    .map(({ topic, partition }) => {
      const at = (list: { topic: string; partition: number; offset: bigint }[]) =>
        list.find((x) => x.topic === topic && x.partition === partition)?.offset ?? -1n;
      const first = at(starts);
      const end = at(ends);
      let t = target.to === "offset" ? target.offset : at(found);
      if (target.to === "fromEnd") t = end - target.back;
      // A timestamp after the last record: the end, as Kafka's tool resets.
      if (target.to === "time" && t < 0n) t = end;
      // As Kafka's tool: an offset outside the log is moved to its nearest end.
      if (t > end) t = end;
      if (t < first) t = first;
      return {
        topic,
        partition,
        current:
          committed.find((c) => c.topic === topic && c.partition === partition)?.offset ?? -1n,
        target: t,
      };
    })
    .sort(byTopicPartition);
  if (dryRun) return planned.map((p) => ({ ...p, status: "DRY-RUN" }));
  const coordinator = await client.coordinator(group, CoordinatorType.GROUP);
  const { body } = await coordinator.send(OffsetCommitApi, () =>
    createOffsetCommitRequest({
      groupId: group,
      generationIdOrMemberEpoch: -1,
      memberId: "",
      groupInstanceId: null,
      retentionTimeMs: -1n,
      topics: names.map((name) => ({
        name,
        partitions: planned
          .filter((p) => p.topic === name)
          .map((p) => ({
            partitionIndex: p.partition,
            committedOffset: p.target,
            committedLeaderEpoch: -1,
            commitTimestamp: -1n,
            committedMetadata: "",
          })),
      })),
    }),
  );
  const status = new Map<string, number>();
  for (const t of body.topics)
    for (const p of t.partitions) status.set(`${t.name}:${p.partitionIndex}`, p.errorCode);
  return planned.map((p) => {
    const code = status.get(`${p.topic}:${p.partition}`) ?? ErrorCode.UNKNOWN_SERVER_ERROR;
    return { ...p, status: code === 0 ? "OK" : new KafkaError(code).errorName };
  });
}

export async function deleteGroups(
  client: KafkaClient,
  groups: readonly string[],
): Promise<{ group: string; status: string }[]> {
  const out: { group: string; status: string }[] = [];
  for (const group of groups) {
    const coordinator = await client.coordinator(group, CoordinatorType.GROUP);
    const { body } = await coordinator.send(DeleteGroupsApi, () =>
      createDeleteGroupsRequest({ groupsNames: [group] }),
    );
    const code = body.results[0]?.errorCode ?? ErrorCode.UNKNOWN_SERVER_ERROR;
    out.push({ group, status: code === 0 ? "OK" : new KafkaError(code).errorName });
  }
  return out;
}
