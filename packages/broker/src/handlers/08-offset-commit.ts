/**
 * OffsetCommit (key 8), v0-v9.
 *
 * Commits offsets with their metadata string and, v6+, the leader epoch (-1 before).
 * v0 has no generation or member: it is a "simple" commit (generation -1, member ""),
 * which the coordinator accepts only for a group without active members, as Kafka does.
 * v1 commit_timestamp is ignored (the coordinator stamps commits itself); v2-v4
 * retention_time_ms is passed on (-1 = offsets.retention.minutes); v7+ carry
 * group_instance_id; v9 is v8 on the wire but lets members of KIP-848 consumer groups
 * commit with their member epoch (STALE_MEMBER_EPOCH when it is not the current one;
 * older versions get UNSUPPORTED_VERSION from such members); topic ids come with v10. As in Kafka, a partition that
 * does not exist gets UNKNOWN_TOPIC_OR_PARTITION and is not stored; the others go to the
 * coordinator, whose group-level errors (ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID,
 * REBALANCE_IN_PROGRESS, COORDINATOR_LOAD_IN_PROGRESS while replaying, …) are repeated
 * on every partition, since the response has no top-level error. ACLs: READ on the group
 * (else GROUP_AUTHORIZATION_FAILED everywhere), READ on each topic (else
 * TOPIC_AUTHORIZATION_FAILED for its partitions).
 */

import type { CommitOffset } from "@logbook/group-coordinator";
import {
  createOffsetCommitResponse,
  createOffsetCommitResponsePartition,
  createOffsetCommitResponseTopic,
  ErrorCode,
  OffsetCommitApi,
  type OffsetCommitRequestTopic,
} from "@logbook/protocol";
import { groupAllowed, Op, topicAllowed } from "../acl/check.js";
import { partitionExists, partitionKey } from "../groups/partition-keys.js";
import { defineHandler } from "../handler.js";

export const offsetCommitHandler = defineHandler({
  api: OffsetCommitApi,
  minVersion: 0,
  maxVersion: 9,
  async handle(req, ctx) {
    const { version, broker } = ctx;
    const errors = new Map<string, number>();
    const offsets: CommitOffset[] = [];
    if (!groupAllowed(ctx, Op.READ, req.groupId))
      return answerAll(req.topics, ErrorCode.GROUP_AUTHORIZATION_FAILED);
    for (const t of req.topics) {
      const topicDenied = !topicAllowed(ctx, Op.READ, t.name);
      for (const p of t.partitions) {
        if (topicDenied) {
          errors.set(partitionKey(t.name, p.partitionIndex), ErrorCode.TOPIC_AUTHORIZATION_FAILED);
          continue;
        }
        if (!partitionExists(broker.topics, t.name, p.partitionIndex)) {
          errors.set(partitionKey(t.name, p.partitionIndex), ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
          continue;
        }
        offsets.push({
          topic: t.name,
          partition: p.partitionIndex,
          offset: p.committedOffset,
          leaderEpoch: version >= 6 ? p.committedLeaderEpoch : -1,
          metadata: p.committedMetadata,
        });
      }
    }
    let groupError: number = ErrorCode.NONE;
    if (offsets.length > 0) {
      const access = broker.groups.access();
      if (!access.ok) {
        groupError = access.errorCode;
      } else {
        const r = await access.coordinator.commitOffsets({
          groupId: req.groupId,
          generationId: version >= 1 ? req.generationIdOrMemberEpoch : -1,
          memberId: version >= 1 ? req.memberId : "",
          groupInstanceId: version >= 7 ? req.groupInstanceId : null,
          retentionTimeMs: version >= 2 && version <= 4 ? Number(req.retentionTimeMs) : -1,
          offsets,
          allowsMemberEpoch: version >= 9,
        });
        for (const p of r.partitions) errors.set(partitionKey(p.topic, p.partition), p.errorCode);
        // Every stored partition has a result; a missing one must not read as success.
        groupError = ErrorCode.UNKNOWN_SERVER_ERROR;
      }
    }
    return answerAll(req.topics, groupError, errors);
  },
});

/** One error code per requested partition: its own, else the group's. */
function answerAll(
  topics: readonly OffsetCommitRequestTopic[],
  groupError: number,
  errors: ReadonlyMap<string, number> = new Map(),
) {
  return createOffsetCommitResponse({
    topics: topics.map((t) =>
      createOffsetCommitResponseTopic({
        name: t.name,
        partitions: t.partitions.map((p) =>
          createOffsetCommitResponsePartition({
            partitionIndex: p.partitionIndex,
            errorCode: errors.get(partitionKey(t.name, p.partitionIndex)) ?? groupError,
          }),
        ),
      }),
    ),
  });
}
