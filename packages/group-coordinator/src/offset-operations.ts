import { byTopicPartition, createOffsetCommitValue, ErrorCode } from "@logbook/protocol";
import type { CoordinatorConfig } from "./config.js";
import { groupTombstones as consumerGroupTombstones } from "./consumer-changes.js";
import {
  consumerCommitCheck,
  consumerFetchError,
  type PartitionCheck,
} from "./consumer-offset-checks.js";
import type {
  CommitOffsetsInput,
  CommitOffsetsResult,
  DeleteGroupResult,
  DeleteOffsetsResult,
  FetchOffsetsInput,
  FetchOffsetsResult,
} from "./coordinator-api.js";
import { type ClassicGroup, memberIdentityError, tpKey } from "./group.js";
import { ANSWERS } from "./group-state.js";
import type { CoordinatorRecord } from "./records.js";
import { subscribedTopics } from "./subscribed-topics.js";
import { pendingTombstones } from "./txn-offset-operations.js";

/**
 * Offset and group-deletion operations as pure planners: each returns the records to
 * append and the response to send once they are durable. Nothing here mutates state.
 */
export interface Plan<R> {
  records: CoordinatorRecord[];
  result: R;
}

type Groups = ReadonlyMap<string, ClassicGroup>;

/**
 * The group-level error of an OffsetCommit, NONE when the commit may proceed, or (consumer
 * groups) a check per partition.
 */
export function commitGroupError(
  group: ClassicGroup | undefined,
  input: CommitOffsetsInput,
): number | PartitionCheck {
  if (input.groupId === "") return ErrorCode.INVALID_GROUP_ID;
  const simple = input.generationId < 0 && input.memberId === "" && input.groupInstanceId === null;
  if (group === undefined) return simple ? ErrorCode.NONE : ErrorCode.ILLEGAL_GENERATION;
  if (group.consumer !== null) return consumerCommitCheck(group.consumer, input);
  const answer = ANSWERS[group.state].commit;
  if (typeof answer === "number" && group.state === "Dead") return answer;
  if (input.generationId < 0 && group.state === "Empty") return ErrorCode.NONE;
  const identity = memberIdentityError(group, input);
  if (identity !== ErrorCode.NONE) return identity;
  return typeof answer === "number" ? answer : ErrorCode.NONE;
}

export function planCommit(
  groups: Groups,
  config: CoordinatorConfig,
  now: number,
  input: CommitOffsetsInput,
): Plan<CommitOffsetsResult> {
  const check = commitGroupError(groups.get(input.groupId), input);
  const records: CoordinatorRecord[] = [];
  const partitions = input.offsets.map((o) => {
    const error = typeof check === "number" ? check : check(o.topic, o.partition);
    if (error !== ErrorCode.NONE) {
      return { topic: o.topic, partition: o.partition, errorCode: error };
    }
    if (o.metadata !== null && Buffer.byteLength(o.metadata) > config.offsetMetadataMaxBytes) {
      return {
        topic: o.topic,
        partition: o.partition,
        errorCode: ErrorCode.OFFSET_METADATA_TOO_LARGE,
      };
    }
    records.push({
      kind: "offset",
      group: input.groupId,
      topic: o.topic,
      partition: o.partition,
      value: createOffsetCommitValue({
        offset: o.offset,
        leaderEpoch: o.leaderEpoch,
        // Kafka stores a null metadata string as "".
        metadata: o.metadata ?? "",
        commitTimestamp: BigInt(now),
        expireTimestamp: input.retentionTimeMs > 0 ? BigInt(now + input.retentionTimeMs) : -1n,
      }),
    });
    return { topic: o.topic, partition: o.partition, errorCode: ErrorCode.NONE };
  });
  return { records, result: { partitions } };
}

export function fetchOffsets(groups: Groups, input: FetchOffsetsInput): FetchOffsetsResult {
  if (input.groupId === "") return { errorCode: ErrorCode.INVALID_GROUP_ID, offsets: [] };
  const group = groups.get(input.groupId);
  if (group?.consumer != null) {
    const errorCode = consumerFetchError(group.consumer, input.member);
    if (errorCode !== ErrorCode.NONE) return { errorCode, offsets: [] };
  }
  const committed = group?.offsets ?? new Map();
  const wanted =
    input.partitions ??
    [...committed.values()]
      .map((o) => ({ topic: o.topic, partition: o.partition }))
      .sort(byTopicPartition);
  const offsets = wanted.map((p) => {
    const key = tpKey(p.topic, p.partition);
    // KIP-447: a consumer taking over must not start from an offset an open transaction
    // is about to move; it retries until the transaction ends.
    if (input.requireStable && group?.hasPendingTxnOffset(key)) {
      return {
        topic: p.topic,
        partition: p.partition,
        offset: -1n,
        leaderEpoch: -1,
        metadata: "",
        errorCode: ErrorCode.UNSTABLE_OFFSET_COMMIT,
      };
    }
    const o = committed.get(key);
    return {
      topic: p.topic,
      partition: p.partition,
      offset: o?.offset ?? -1n,
      leaderEpoch: o?.leaderEpoch ?? -1,
      metadata: o === undefined ? "" : o.metadata,
      errorCode: ErrorCode.NONE,
    };
  });
  return { errorCode: ErrorCode.NONE, offsets };
}

/** Every topic the live members subscribe to through the chosen consumer protocol. */
function groupSubscriptions(group: ClassicGroup): Set<string> {
  const topics = new Set<string>();
  for (const m of group.members.values()) {
    const meta = group.metadataFor(m, group.protocolName ?? m.protocols[0]?.name ?? null);
    for (const t of subscribedTopics(meta)) topics.add(t);
  }
  return topics;
}

export function planDeleteOffsets(
  groups: Groups,
  groupId: string,
  partitions: { topic: string; partition: number }[],
): Plan<DeleteOffsetsResult> {
  const fail = (errorCode: number): Plan<DeleteOffsetsResult> => ({
    records: [],
    result: { errorCode, partitions: [] },
  });
  if (groupId === "") return fail(ErrorCode.INVALID_GROUP_ID);
  const group = groups.get(groupId);
  if (group === undefined || group.state === "Dead") return fail(ErrorCode.GROUP_ID_NOT_FOUND);
  const cg = group.consumer;
  const live = cg === null ? group.state !== "Empty" : cg.members.size > 0;
  if (live && cg === null && group.members.values().next().value?.protocolType !== "consumer") {
    return fail(ErrorCode.NON_EMPTY_GROUP);
  }
  const subscribed = !live
    ? new Set<string>()
    : cg === null
      ? groupSubscriptions(group)
      : cg.subscribedTopicNames();
  const records: CoordinatorRecord[] = [];
  const results = partitions.map((p) => {
    if (subscribed.has(p.topic)) {
      return { ...p, errorCode: ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC };
    }
    if (group.offsets.has(tpKey(p.topic, p.partition))) {
      records.push({ kind: "offset", group: groupId, ...p, value: null });
    }
    return { ...p, errorCode: ErrorCode.NONE };
  });
  return { records, result: { errorCode: ErrorCode.NONE, partitions: results } };
}

export function planDeleteGroups(groups: Groups, groupIds: string[]): Plan<DeleteGroupResult[]> {
  const records: CoordinatorRecord[] = [];
  const result = groupIds.map((groupId) => {
    if (groupId === "") return { groupId, errorCode: ErrorCode.INVALID_GROUP_ID };
    const group = groups.get(groupId);
    if (group === undefined || group.state === "Dead") {
      return { groupId, errorCode: ErrorCode.GROUP_ID_NOT_FOUND };
    }
    if (group.state !== "Empty" || (group.consumer?.members.size ?? 0) > 0) {
      return { groupId, errorCode: ErrorCode.NON_EMPTY_GROUP };
    }
    records.push(...groupTombstones(group));
    return { groupId, errorCode: ErrorCode.NONE };
  });
  return { records, result };
}

/** Tombstones for all of a group's offsets (pending ones too), then its metadata. */
function groupTombstones(group: ClassicGroup): CoordinatorRecord[] {
  const records: CoordinatorRecord[] = [];
  for (const o of group.offsets.values()) {
    records.push({
      kind: "offset",
      group: group.groupId,
      topic: o.topic,
      partition: o.partition,
      value: null,
    });
  }
  records.push(...pendingTombstones(group));
  if (group.consumer !== null) records.push(...consumerGroupTombstones(group.consumer));
  records.push({ kind: "group", group: group.groupId, value: null });
  return records;
}

export function planTopicDeleted(groups: Groups, topic: string): CoordinatorRecord[] {
  const records: CoordinatorRecord[] = [];
  for (const g of groups.values()) {
    for (const o of g.offsets.values()) {
      if (o.topic === topic) {
        records.push({
          kind: "offset",
          group: g.groupId,
          topic,
          partition: o.partition,
          value: null,
        });
      }
    }
    records.push(...pendingTombstones(g, topic));
  }
  return records;
}

/**
 * offsets.retention.minutes (KIP-211): offsets of an Empty group expire `retention`
 * after the group became Empty (after the commit for groups without a protocol type),
 * or at an explicit expire timestamp (v2-4 retention_time_ms). An Empty group left with
 * no offsets is deleted.
 */
export function planExpireOffsets(
  groups: Groups,
  config: CoordinatorConfig,
  now: number,
): CoordinatorRecord[] {
  const records: CoordinatorRecord[] = [];
  for (const g of groups.values()) {
    // A consumer group's offsets expire only once it has no members (as Kafka's).
    if (g.state !== "Empty" || (g.consumer?.members.size ?? 0) > 0) continue;
    let expired = 0;
    for (const o of g.offsets.values()) {
      const expireAt =
        o.expireTimestamp >= 0n
          ? Number(o.expireTimestamp)
          : (g.protocolType !== null && g.stateTimestamp >= 0
              ? g.stateTimestamp
              : Number(o.commitTimestamp)) + config.offsetsRetentionMs;
      if (now >= expireAt) {
        records.push({
          kind: "offset",
          group: g.groupId,
          topic: o.topic,
          partition: o.partition,
          value: null,
        });
        expired++;
      }
    }
    // Like Kafka, an Empty group without offsets goes too.
    if (expired === g.offsets.size && g.hasMetadata) {
      records.push({ kind: "group", group: g.groupId, value: null });
    }
    if (expired === g.offsets.size && g.consumer !== null) {
      records.push(...consumerGroupTombstones(g.consumer));
    }
  }
  return records;
}
