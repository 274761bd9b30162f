/**
 * OffsetFetch (key 9), v0-v9.
 *
 * Committed offsets with their metadata and, v5+, leader epoch; -1 (and epoch -1) for a
 * partition without a committed offset, as Kafka answers (no error). v0-v7 name one
 * group; v2+ a null topic list means every partition the group committed, and a group
 * error goes in the top-level error_code. v0-v1 have no top-level error, so a group
 * error (e.g. COORDINATOR_LOAD_IN_PROGRESS while replaying) is put on every requested
 * partition, as Kafka does. v7+ send require_stable (KIP-447): a partition with
 * TxnOffsetCommit offsets still pending answers UNSTABLE_OFFSET_COMMIT; without it the
 * last committed offset is returned. v8+ batch groups, each answered
 * with its own error and topics. v9 adds KIP-848 member id/epoch, checked for consumer
 * groups (UNKNOWN_MEMBER_ID, STALE_MEMBER_EPOCH) and ignored for classic ones.
 * ACLs: DESCRIBE on the group (else GROUP_AUTHORIZATION_FAILED), DESCRIBE on each named
 * topic (else TOPIC_AUTHORIZATION_FAILED for its partitions); when all topics are asked
 * for, those the principal may not DESCRIBE are left out.
 */

import type { FetchedOffset, FetchOffsetsResult } from "@logbook/group-coordinator";
import {
  createOffsetFetchResponse,
  createOffsetFetchResponseGroup,
  createOffsetFetchResponsePartition,
  createOffsetFetchResponsePartitions,
  createOffsetFetchResponseTopic,
  createOffsetFetchResponseTopics,
  ErrorCode,
  OffsetFetchApi,
  type OffsetFetchResponseGroup,
  type OffsetFetchResponseTopic,
} from "@logbook/protocol";
import { AclResourceType } from "../acl/acl-types.js";
import { allowed, groupAllowed, Op, topicAllowed } from "../acl/check.js";
import { defineHandler, type RequestContext } from "../handler.js";

type Wanted = { name: string; partitionIndexes: number[] }[] | null;

function requested(topics: Wanted): { topic: string; partition: number }[] | null {
  if (topics === null) return null;
  return topics.flatMap((t) =>
    t.partitionIndexes.map((partition) => ({ topic: t.name, partition })),
  );
}

async function fetchGroup(
  groupId: string,
  topics: Wanted,
  requireStable: boolean,
  ctx: RequestContext,
  member?: { memberId: string | null; memberEpoch: number },
): Promise<FetchOffsetsResult> {
  if (!groupAllowed(ctx, Op.DESCRIBE, groupId))
    return { errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, offsets: [] };
  const access = ctx.broker.groups.access();
  if (!access.ok) return { errorCode: access.errorCode, offsets: [] };
  // Named topics the principal may not DESCRIBE are refused per partition; when every
  // topic is asked for, they are left out.
  const denied = new Set(
    (topics ?? []).filter((t) => !topicAllowed(ctx, Op.DESCRIBE, t.name)).map((t) => t.name),
  );
  const result = await access.coordinator.fetchOffsets({
    groupId,
    partitions: requested(topics?.filter((t) => !denied.has(t.name)) ?? null),
    requireStable,
    ...(member === undefined ? {} : { member }),
  });
  if (ctx.broker.authorizer === null) return result;
  const offsets =
    topics === null
      ? result.offsets.filter((o) =>
          allowed(ctx, Op.DESCRIBE, AclResourceType.TOPIC, o.topic, true),
        )
      : [
          ...result.offsets,
          ...(requested(topics.filter((t) => denied.has(t.name))) ?? []).map((p) => ({
            ...p,
            offset: -1n,
            leaderEpoch: -1,
            metadata: "",
            errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED,
          })),
        ];
  return { ...result, offsets };
}

/**
 * v0-v1 have no top-level error: like Kafka, a group error is answered on every
 * requested partition, with offset -1 and no metadata.
 */
function withGroupErrorOnPartitions(result: FetchOffsetsResult, topics: Wanted): FetchedOffset[] {
  if (result.errorCode === ErrorCode.NONE) return result.offsets;
  return (requested(topics) ?? []).map((p) => ({
    ...p,
    offset: -1n,
    leaderEpoch: -1,
    metadata: "",
    errorCode: result.errorCode,
  }));
}

/** Offsets grouped by topic, topics in first-seen order (the request's, when it named them). */
function byTopic(offsets: FetchedOffset[]): [string, FetchedOffset[]][] {
  const grouped = new Map<string, FetchedOffset[]>();
  for (const o of offsets) {
    const list = grouped.get(o.topic);
    if (list === undefined) grouped.set(o.topic, [o]);
    else list.push(o);
  }
  return [...grouped];
}

function singleGroupTopics(offsets: FetchedOffset[]): OffsetFetchResponseTopic[] {
  return byTopic(offsets).map(([name, offsets]) =>
    createOffsetFetchResponseTopic({
      name,
      partitions: offsets.map((o) =>
        createOffsetFetchResponsePartition({
          partitionIndex: o.partition,
          committedOffset: o.offset,
          committedLeaderEpoch: o.leaderEpoch,
          metadata: o.metadata,
          errorCode: o.errorCode,
        }),
      ),
    }),
  );
}

function batchedGroup(groupId: string, result: FetchOffsetsResult): OffsetFetchResponseGroup {
  return createOffsetFetchResponseGroup({
    groupId,
    errorCode: result.errorCode,
    topics: byTopic(result.offsets).map(([name, offsets]) =>
      createOffsetFetchResponseTopics({
        name,
        partitions: offsets.map((o) =>
          createOffsetFetchResponsePartitions({
            partitionIndex: o.partition,
            committedOffset: o.offset,
            committedLeaderEpoch: o.leaderEpoch,
            metadata: o.metadata,
            errorCode: o.errorCode,
          }),
        ),
      }),
    ),
  });
}

export const offsetFetchHandler = defineHandler({
  api: OffsetFetchApi,
  minVersion: 0,
  maxVersion: 9,
  async handle(req, ctx) {
    const { version } = ctx;
    const requireStable = version >= 7 && req.requireStable;
    if (version >= 8) {
      const groups: OffsetFetchResponseGroup[] = [];
      for (const g of req.groups) {
        groups.push(
          batchedGroup(
            g.groupId,
            await fetchGroup(
              g.groupId,
              g.topics,
              requireStable,
              ctx,
              version >= 9 ? { memberId: g.memberId, memberEpoch: g.memberEpoch } : undefined,
            ),
          ),
        );
      }
      return createOffsetFetchResponse({ groups });
    }
    const result = await fetchGroup(req.groupId, req.topics, requireStable, ctx);
    const offsets = version < 2 ? withGroupErrorOnPartitions(result, req.topics) : result.offsets;
    return createOffsetFetchResponse({
      errorCode: result.errorCode,
      topics: singleGroupTopics(offsets),
    });
  },
});
