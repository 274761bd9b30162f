/**
 * DescribeShareGroupOffsets (key 90), v0-v1 (KIP-932; the admin client's
 * listShareGroupOffsets).
 *
 * For each group, the share-partitions' start offsets (SPSO) from __share_group_state
 * and, from v1, their lag: high watermark - SPSO - records already acknowledged or
 * archived in flight. Topics null asks for every share-partition the group has state
 * for (none, without error, for a group nobody used, as Kafka 4.4); named topics are
 * answered partition by partition, a partition without state (or of a topic that does
 * not exist, with a zero topic id) with start offset -1 and lag -1, as Kafka answers
 * absent data rather than an error. LeaderEpoch is this single node's leader epoch.
 *
 * With share.version finalized at 0 share groups are off: UNSUPPORTED_VERSION for
 * each group, as Kafka answers.
 * ACLs: DESCRIBE on the group, else GROUP_AUTHORIZATION_FAILED; DESCRIBE on each named
 * topic, else TOPIC_AUTHORIZATION_FAILED for its partitions; asked for every topic,
 * those the caller may not DESCRIBE are left out.
 */
import type { ShareOffsetSummary } from "@logbook/group-coordinator";
import {
  createDescribeShareGroupOffsetsResponse,
  createDescribeShareGroupOffsetsResponseGroup,
  createDescribeShareGroupOffsetsResponsePartition,
  createDescribeShareGroupOffsetsResponseTopic,
  DescribeShareGroupOffsetsApi,
  type DescribeShareGroupOffsetsResponseGroup,
  type DescribeShareGroupOffsetsResponsePartition,
  type DescribeShareGroupOffsetsResponseTopic,
  ErrorCode,
} from "@logbook/protocol";
import { AclResourceType } from "../acl/acl-types.js";
import { allowed, groupAllowed, Op, topicAllowed } from "../acl/check.js";
import { LEADER_EPOCH } from "../data/leader-epoch.js";
import { defineHandler, type RequestContext } from "../handler.js";
import { shareGroupsOff } from "../share/share-request-checks.js";

const UNINITIALIZED = -1n;

export const describeShareGroupOffsetsHandler = defineHandler({
  api: DescribeShareGroupOffsetsApi,
  minVersion: 0,
  maxVersion: 1,
  async handle(req, ctx) {
    const groups: DescribeShareGroupOffsetsResponseGroup[] = [];
    for (const g of req.groups) groups.push(await describeGroup(ctx, g.groupId, g.topics));
    return createDescribeShareGroupOffsetsResponse({ groups });
  },
});

async function describeGroup(
  ctx: RequestContext,
  groupId: string,
  topics: readonly { topicName: string; partitions: readonly number[] }[] | null,
): Promise<DescribeShareGroupOffsetsResponseGroup> {
  const state = ctx.broker.share.state;
  const fail = (errorCode: ErrorCode) =>
    createDescribeShareGroupOffsetsResponseGroup({ groupId, errorCode });
  if (shareGroupsOff(ctx)) return fail(ErrorCode.UNSUPPORTED_VERSION);
  if (!groupAllowed(ctx, Op.DESCRIBE, groupId)) return fail(ErrorCode.GROUP_AUTHORIZATION_FAILED);
  if (groupId === "") return fail(ErrorCode.INVALID_GROUP_ID);
  if (state === null) return fail(ErrorCode.COORDINATOR_NOT_AVAILABLE);
  const known = state.offsets(groupId);
  const byPartition = new Map(known.map((o) => [partitionId(o.key.topicId, o.key.partition), o]));

  let wanted: { name: string; id: Buffer | null; partitions: readonly number[] }[];
  if (topics === null) {
    const byTopic = new Map<string, { name: string; id: Buffer; partitions: number[] }>();
    for (const o of known) {
      const topic = ctx.broker.topics.getById(o.key.topicId);
      // Every topic: those the caller may not DESCRIBE are left out.
      if (
        topic === undefined ||
        !allowed(ctx, Op.DESCRIBE, AclResourceType.TOPIC, topic.name, true)
      )
        continue;
      const entry = byTopic.get(topic.name) ?? { name: topic.name, id: topic.id, partitions: [] };
      entry.partitions.push(o.key.partition);
      byTopic.set(topic.name, entry);
    }
    wanted = [...byTopic.values()];
    for (const w of byTopic.values()) w.partitions.sort((a, b) => a - b);
  } else {
    wanted = topics.map((t) => ({
      name: t.topicName,
      id: ctx.broker.topics.get(t.topicName)?.id ?? null,
      partitions: t.partitions,
    }));
  }

  const existing: DescribeShareGroupOffsetsResponseTopic[] = [];
  const missing: DescribeShareGroupOffsetsResponseTopic[] = [];
  const denied: DescribeShareGroupOffsetsResponseTopic[] = [];
  for (const w of wanted) {
    if (topics !== null && !topicAllowed(ctx, Op.DESCRIBE, w.name)) {
      denied.push(deniedTopic(w.name, w.partitions));
      continue;
    }
    const partitions: DescribeShareGroupOffsetsResponsePartition[] = [];
    for (const partition of w.partitions) {
      const found = w.id === null ? undefined : byPartition.get(partitionId(w.id, partition));
      partitions.push(await describePartition(ctx, w.name, partition, found));
    }
    const topic = createDescribeShareGroupOffsetsResponseTopic({
      topicName: w.name,
      topicId: w.id ?? Buffer.alloc(16),
      partitions,
    });
    (w.id === null ? missing : existing).push(topic);
  }
  // Kafka lists the topics that exist first, then those that do not.
  return createDescribeShareGroupOffsetsResponseGroup({
    groupId,
    topics: [...existing, ...missing, ...denied],
  });
}

/** A named topic the caller may not DESCRIBE: each partition refused. */
function deniedTopic(
  topicName: string,
  partitions: readonly number[],
): DescribeShareGroupOffsetsResponseTopic {
  return createDescribeShareGroupOffsetsResponseTopic({
    topicName,
    topicId: Buffer.alloc(16),
    partitions: partitions.map((partitionIndex) =>
      createDescribeShareGroupOffsetsResponsePartition({
        partitionIndex,
        errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED,
        errorMessage: "Topic authorization failed.",
        startOffset: UNINITIALIZED,
        leaderEpoch: LEADER_EPOCH,
        lag: UNINITIALIZED,
      }),
    ),
  });
}

async function describePartition(
  ctx: RequestContext,
  topic: string,
  partition: number,
  found: ShareOffsetSummary | undefined,
): Promise<DescribeShareGroupOffsetsResponsePartition> {
  if (found === undefined)
    return createDescribeShareGroupOffsetsResponsePartition({
      partitionIndex: partition,
      startOffset: UNINITIALIZED,
      leaderEpoch: LEADER_EPOCH,
      lag: UNINITIALIZED,
    });
  const log = await ctx.broker.topics.partition(topic, partition);
  const lag =
    log === undefined
      ? UNINITIALIZED
      : BigInt(log.highWatermark) - found.startOffset - found.deliveryComplete;
  return createDescribeShareGroupOffsetsResponsePartition({
    partitionIndex: partition,
    startOffset: found.startOffset,
    leaderEpoch: LEADER_EPOCH,
    lag,
  });
}

function partitionId(topicId: Buffer, partition: number): string {
  return `${topicId.toString("hex")}:${partition}`;
}
