/**
 * AlterShareGroupOffsets (key 91), v0 (KIP-932; the admin client's
 * alterShareGroupOffsets).
 *
 * Sets the start offset (SPSO) of share-partitions of an empty share group, forgetting
 * what was in flight (a new state epoch in __share_group_state); a group id nobody used
 * yet is altered too, as Kafka 4.4 does. Top-level errors: INVALID_GROUP_ID,
 * NON_EMPTY_GROUP while a consumer is active. A partition of a topic that does not exist
 * is UNKNOWN_TOPIC_OR_PARTITION, with a zero topic id; as Kafka, topics with errors are
 * listed before the others.
 *
 * With share.version finalized at 0 share groups are off: UNSUPPORTED_VERSION, as
 * Kafka answers.
 * ACLs: READ on the group, else GROUP_AUTHORIZATION_FAILED; READ on each topic, else
 * TOPIC_AUTHORIZATION_FAILED for its partitions (listed with the other failures).
 */
import type { ShareOffset } from "@logbook/group-coordinator";
import {
  AlterShareGroupOffsetsApi,
  type AlterShareGroupOffsetsResponseTopic,
  createAlterShareGroupOffsetsResponse,
  createAlterShareGroupOffsetsResponsePartition,
  createAlterShareGroupOffsetsResponseTopic,
  ErrorCode,
} from "@logbook/protocol";
import { groupAllowed, Op, topicAllowed } from "../acl/check.js";
import { defineHandler } from "../handler.js";
import { emptyShareGroupError } from "../share/share-group-admin.js";
import { shareGroupsOff } from "../share/share-request-checks.js";

const TOPIC_DENIED = "Topic authorization failed.";

export const alterShareGroupOffsetsHandler = defineHandler({
  api: AlterShareGroupOffsetsApi,
  minVersion: 0,
  maxVersion: 0,
  async handle(req, ctx) {
    const share = ctx.broker.share;
    const groupError = shareGroupsOff(ctx)
      ? ErrorCode.UNSUPPORTED_VERSION
      : !groupAllowed(ctx, Op.READ, req.groupId)
        ? ErrorCode.GROUP_AUTHORIZATION_FAILED
        : emptyShareGroupError(share, req.groupId);
    if (groupError !== ErrorCode.NONE)
      return createAlterShareGroupOffsetsResponse({ errorCode: groupError });
    const entries: ShareOffset[] = [];
    const responses: AlterShareGroupOffsetsResponseTopic[] = [];
    for (const t of req.topics) {
      const readable = topicAllowed(ctx, Op.READ, t.topicName);
      const topic = readable ? ctx.broker.topics.get(t.topicName) : undefined;
      const partitions = t.partitions.map((p) => {
        const exists =
          topic !== undefined && p.partitionIndex >= 0 && p.partitionIndex < topic.partitions;
        if (exists)
          entries.push({
            key: { groupId: req.groupId, topicId: topic.id, partition: p.partitionIndex },
            startOffset: p.startOffset,
          });
        return createAlterShareGroupOffsetsResponsePartition({
          partitionIndex: p.partitionIndex,
          errorCode: !readable
            ? ErrorCode.TOPIC_AUTHORIZATION_FAILED
            : exists
              ? ErrorCode.NONE
              : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
          errorMessage: readable ? null : TOPIC_DENIED,
        });
      });
      responses.push(
        createAlterShareGroupOffsetsResponseTopic({
          topicName: t.topicName,
          topicId: topic?.id ?? Buffer.alloc(16),
          partitions,
        }),
      );
    }
    const code = entries.length === 0 ? ErrorCode.NONE : await share.state?.alter(entries);
    if (code !== undefined && code !== ErrorCode.NONE)
      return createAlterShareGroupOffsetsResponse({ errorCode: code });
    const failed = (t: AlterShareGroupOffsetsResponseTopic) =>
      t.partitions.some((p) => p.errorCode !== ErrorCode.NONE);
    return createAlterShareGroupOffsetsResponse({
      responses: [...responses.filter(failed), ...responses.filter((t) => !failed(t))],
    });
  },
});
