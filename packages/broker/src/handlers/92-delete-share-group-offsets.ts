/**
 * DeleteShareGroupOffsets (key 92), v0 (KIP-932; the admin client's
 * deleteShareGroupOffsets).
 *
 * Forgets the share-partition state of whole topics of an empty share group (a
 * tombstone per share-partition in __share_group_state), so the group starts again from
 * share.auto.offset.reset. Top-level errors as AlterShareGroupOffsets, and
 * GROUP_ID_NOT_FOUND for a group with neither members nor state; a topic that does
 * not exist is UNKNOWN_TOPIC_OR_PARTITION (one the group has no state for is fine, as
 * Kafka 4.4 answers).
 *
 * With share.version finalized at 0 share groups are off: UNSUPPORTED_VERSION, as
 * Kafka answers.
 * ACLs: DELETE on the group, else GROUP_AUTHORIZATION_FAILED; READ on each topic, else
 * TOPIC_AUTHORIZATION_FAILED for it (as Kafka: READ, not DELETE, on the topics).
 */
import type { SharePartitionKey } from "@logbook/group-coordinator";
import {
  createDeleteShareGroupOffsetsResponse,
  createDeleteShareGroupOffsetsResponseTopic,
  DeleteShareGroupOffsetsApi,
  type DeleteShareGroupOffsetsResponseTopic,
  ErrorCode,
} from "@logbook/protocol";
import { groupAllowed, Op, topicAllowed } from "../acl/check.js";
import { defineHandler } from "../handler.js";
import { emptyShareGroupError } from "../share/share-group-admin.js";
import { shareGroupsOff } from "../share/share-request-checks.js";

export const deleteShareGroupOffsetsHandler = defineHandler({
  api: DeleteShareGroupOffsetsApi,
  minVersion: 0,
  maxVersion: 0,
  async handle(req, ctx) {
    const share = ctx.broker.share;
    const groupError = shareGroupsOff(ctx)
      ? ErrorCode.UNSUPPORTED_VERSION
      : !groupAllowed(ctx, Op.DELETE, req.groupId)
        ? ErrorCode.GROUP_AUTHORIZATION_FAILED
        : emptyShareGroupError(share, req.groupId);
    const state = share.state;
    if (groupError !== ErrorCode.NONE || state === null)
      return createDeleteShareGroupOffsetsResponse({ errorCode: groupError });
    const known = state.offsets(req.groupId);
    // Unlike Alter, which creates the group, Delete needs one to exist (Kafka 4.4).
    if (known.length === 0 && !share.membership.isShareGroup(req.groupId))
      return createDeleteShareGroupOffsetsResponse({ errorCode: ErrorCode.GROUP_ID_NOT_FOUND });
    const keys: SharePartitionKey[] = [];
    const responses: DeleteShareGroupOffsetsResponseTopic[] = [];
    for (const t of req.topics) {
      if (!topicAllowed(ctx, Op.READ, t.topicName)) {
        responses.push(
          createDeleteShareGroupOffsetsResponseTopic({
            topicName: t.topicName,
            topicId: Buffer.alloc(16),
            errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED,
            errorMessage: "Topic authorization failed.",
          }),
        );
        continue;
      }
      const topic = ctx.broker.topics.get(t.topicName);
      const mine =
        topic === undefined
          ? []
          : known.filter((o) => o.key.topicId.equals(topic.id)).map((o) => o.key);
      keys.push(...mine);
      responses.push(
        createDeleteShareGroupOffsetsResponseTopic({
          topicName: t.topicName,
          topicId: topic?.id ?? Buffer.alloc(16),
          errorCode: topic !== undefined ? ErrorCode.NONE : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
        }),
      );
    }
    const code = keys.length === 0 ? ErrorCode.NONE : await state.delete(keys);
    if (code !== ErrorCode.NONE) return createDeleteShareGroupOffsetsResponse({ errorCode: code });
    return createDeleteShareGroupOffsetsResponse({ responses });
  },
});
