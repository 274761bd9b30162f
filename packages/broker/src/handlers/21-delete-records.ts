/**
 * DeleteRecords (key 21), v0-v2.
 *
 * Moves each partition's log start offset up to the requested offset (-1 = the high
 * watermark) and returns the new low watermark; asking for less than the current start
 * changes nothing and returns it. Offsets above the high watermark (or below -1) are
 * OFFSET_OUT_OF_RANGE, unknown partitions UNKNOWN_TOPIC_OR_PARTITION, internal topics
 * INVALID_TOPIC_EXCEPTION (as Kafka, which only lets itself trim them), and a topic whose
 * cleanup.policy does not include delete POLICY_VIOLATION (checked before the offset).
 *
 * Simplified: timeout_ms is ignored; with one replica the new start is durable when
 * deleteRecordsBefore returns.
 * ACLs: DELETE on the topic, else TOPIC_AUTHORIZATION_FAILED.
 */
import {
  createDeleteRecordsResponse,
  createDeleteRecordsResponsePartitionResult,
  createDeleteRecordsResponseTopicResult,
  DeleteRecordsApi,
  type DeleteRecordsRequestPartition,
  type DeleteRecordsResponsePartitionResult,
  ErrorCode,
} from "@logbook/protocol";
import { Op, topicAllowed } from "../acl/check.js";
import { defineHandler, type RequestContext } from "../handler.js";

const HIGH_WATERMARK = -1n;

async function deletePartition(
  ctx: RequestContext,
  topicName: string,
  p: DeleteRecordsRequestPartition,
): Promise<DeleteRecordsResponsePartitionResult> {
  const partitionIndex = p.partitionIndex;
  const fail = (errorCode: number) =>
    createDeleteRecordsResponsePartitionResult({
      partitionIndex,
      errorCode,
      lowWatermark: -1n,
    });
  if (!topicAllowed(ctx, Op.DELETE, topicName)) return fail(ErrorCode.TOPIC_AUTHORIZATION_FAILED);
  const topic = ctx.broker.topics.get(topicName);
  if (topic === undefined) return fail(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  if (topic.internal || topicName.startsWith("__")) return fail(ErrorCode.INVALID_TOPIC_EXCEPTION);
  const log = await ctx.broker.topics.partition(topicName, partitionIndex);
  if (log === undefined) return fail(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  // As Kafka: a log whose cleanup.policy lacks "delete" keeps every record until compacted.
  if (!topic.logConfig.cleanupPolicy.delete) return fail(ErrorCode.POLICY_VIOLATION);
  const offset = p.offset === HIGH_WATERMARK ? log.highWatermark : Number(p.offset);
  if (offset < 0 || offset > log.highWatermark) return fail(ErrorCode.OFFSET_OUT_OF_RANGE);
  const lowWatermark = await log.deleteRecordsBefore(offset);
  return createDeleteRecordsResponsePartitionResult({
    partitionIndex,
    errorCode: ErrorCode.NONE,
    lowWatermark: BigInt(lowWatermark),
  });
}

export const deleteRecordsHandler = defineHandler({
  api: DeleteRecordsApi,
  minVersion: 0,
  maxVersion: 2,
  async handle(req, ctx) {
    const topics = await Promise.all(
      req.topics.map(async (t) =>
        createDeleteRecordsResponseTopicResult({
          name: t.name,
          partitions: await Promise.all(t.partitions.map((p) => deletePartition(ctx, t.name, p))),
        }),
      ),
    );
    return createDeleteRecordsResponse({ topics });
  },
});
