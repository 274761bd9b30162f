/**
 * DeleteTopics (key 20), v0-v6.
 *
 * v0-v5 name topics in topic_names; v6 in topics, each by name or by id (both or
 * neither: INVALID_REQUEST). Unknown names get UNKNOWN_TOPIC_OR_PARTITION, unknown ids
 * UNKNOWN_TOPIC_ID. With delete.topic.enable off every topic gets
 * TOPIC_DELETION_DISABLED (INVALID_REQUEST before v3, which has no such code).
 * Internal topics ("__" prefix) are refused with INVALID_REQUEST: the broker's own
 * state lives there. A deleted topic's partitions are closed and removed before the
 * answer. Simplified: timeout_ms is ignored (deletion is synchronous).
 * ACLs: DELETE on the topic (and DESCRIBE when named by id), else
 * TOPIC_AUTHORIZATION_FAILED.
 * controller_mutation_rate (quotas/mutation-quota.ts): a deletable topic's partitions
 * are counted; v5+ refuses a topic once the quota is exhausted
 * (THROTTLING_QUOTA_EXCEEDED), older versions are only throttled.
 */
import {
  createDeleteTopicsResponse,
  createDeleteTopicsResponseDeletableTopicResult,
  DeleteTopicsApi,
  type DeleteTopicsResponseDeletableTopicResult,
  ErrorCode,
  isZeroUuid,
} from "@logbook/protocol";
import { Op, topicAllowed } from "../acl/check.js";
import { defineHandler, type RequestContext } from "../handler.js";
import {
  type MutationQuota,
  mutationThrottle,
  QUOTA_EXCEEDED_MESSAGE,
  requestMutationQuota,
} from "../quotas/mutation-quota.js";

const ZERO_ID = Buffer.alloc(16);
/** The first version that knows THROTTLING_QUOTA_EXCEEDED. */
const STRICT_SINCE = 5;

async function deleteOne(
  name: string | null,
  topicId: Buffer,
  ctx: RequestContext,
  quota: MutationQuota,
): Promise<DeleteTopicsResponseDeletableTopicResult> {
  const result = (errorCode: number, errorMessage: string | null, n = name, id = topicId) =>
    createDeleteTopicsResponseDeletableTopicResult({
      name: n,
      topicId: id,
      errorCode,
      errorMessage,
    });
  const { broker, version } = ctx;
  const byId = !isZeroUuid(topicId);
  if ((name === null) === !byId) {
    return result(ErrorCode.INVALID_REQUEST, "Give either a topic name or a topic id.");
  }
  const topic = name !== null ? broker.topics.get(name) : broker.topics.getById(topicId);
  // By id, DESCRIBE too: without it the id names nothing the principal may know of.
  if (byId && topic !== undefined && !topicAllowed(ctx, Op.DESCRIBE, topic.name))
    return result(ErrorCode.TOPIC_AUTHORIZATION_FAILED, "Authorization failed.");
  const target = topic?.name ?? name;
  if (target !== null && !topicAllowed(ctx, Op.DELETE, target))
    return result(ErrorCode.TOPIC_AUTHORIZATION_FAILED, "Authorization failed.", target);
  if (!broker.config.deleteTopicEnable) {
    const code = version < 3 ? ErrorCode.INVALID_REQUEST : ErrorCode.TOPIC_DELETION_DISABLED;
    return result(code, "Topic deletion is disabled.");
  }
  if (topic === undefined) {
    return byId
      ? result(ErrorCode.UNKNOWN_TOPIC_ID, `Topic id ${topicId.toString("hex")} does not exist.`)
      : result(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Topic '${name}' does not exist.`);
  }
  if (topic.internal) {
    return result(
      ErrorCode.INVALID_REQUEST,
      `Internal topic '${topic.name}' cannot be deleted.`,
      topic.name,
      topic.id,
    );
  }
  if (!quota.record(topic.partitions))
    return result(
      ErrorCode.THROTTLING_QUOTA_EXCEEDED,
      QUOTA_EXCEEDED_MESSAGE,
      topic.name,
      topic.id,
    );
  const deleted = await broker.topics.deleteTopic(topic.name);
  if (deleted.ok) await broker.groups.onTopicDeleted(topic.name);
  return deleted.ok
    ? result(ErrorCode.NONE, null, topic.name, topic.id)
    : result(deleted.errorCode, deleted.message, topic.name, topic.id);
}

export const deleteTopicsHandler = defineHandler({
  api: DeleteTopicsApi,
  minVersion: 0,
  maxVersion: 6,
  async handle(req, ctx) {
    const wanted =
      ctx.version >= 6
        ? req.topics.map((t) => ({ name: t.name, topicId: t.topicId }))
        : req.topicNames.map((name) => ({ name, topicId: ZERO_ID }));
    const quota = requestMutationQuota(ctx, STRICT_SINCE);
    const responses: DeleteTopicsResponseDeletableTopicResult[] = [];
    for (const t of wanted) responses.push(await deleteOne(t.name, t.topicId, ctx, quota));
    return createDeleteTopicsResponse({
      responses,
      throttleTimeMs: mutationThrottle(quota, ctx.session),
    });
  },
});
