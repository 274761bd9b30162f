/**
 * DescribeProducers (key 61), v0 (KIP-664).
 *
 * Per requested partition, every producer in its producer state (data/producer-state.ts):
 * id, epoch, last sequence (-1 before any batch of this epoch), last timestamp, the
 * coordinator epoch of its last marker (-1 if none) and the first offset of its open
 * transaction (-1 if none). Unknown partitions are UNKNOWN_TOPIC_OR_PARTITION.
 *
 * Simplified: one node leads every partition, so NOT_LEADER_OR_FOLLOWER never
 * happens; producers are not expired (producer.id.expiration.ms), so "active" means
 * every producer the partition remembers.
 * ACLs: READ on the topic, else TOPIC_AUTHORIZATION_FAILED.
 */
import {
  createDescribeProducersResponse,
  createDescribeProducersResponsePartitionResponse,
  createDescribeProducersResponseProducerState,
  createDescribeProducersResponseTopicResponse,
  DescribeProducersApi,
  type DescribeProducersResponsePartitionResponse,
  ErrorCode,
} from "@logbook/protocol";
import { Op, topicAllowed } from "../acl/check.js";
import { defineHandler, type RequestContext } from "../handler.js";

async function describePartition(
  ctx: RequestContext,
  topic: string,
  partitionIndex: number,
): Promise<DescribeProducersResponsePartitionResponse> {
  if (!topicAllowed(ctx, Op.READ, topic))
    return createDescribeProducersResponsePartitionResponse({
      partitionIndex,
      errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED,
    });
  const log =
    ctx.broker.topics.get(topic) === undefined
      ? undefined
      : await ctx.broker.topics.partition(topic, partitionIndex);
  if (log === undefined) {
    return createDescribeProducersResponsePartitionResponse({
      partitionIndex,
      errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
    });
  }
  const state = await ctx.broker.dataPlane.producerState(log);
  return createDescribeProducersResponsePartitionResponse({
    partitionIndex,
    errorCode: ErrorCode.NONE,
    activeProducers: state.describe().map((p) =>
      createDescribeProducersResponseProducerState({
        producerId: p.producerId,
        producerEpoch: p.epoch,
        lastSequence: p.lastSequence,
        lastTimestamp: BigInt(p.lastTimestamp),
        coordinatorEpoch: p.coordinatorEpoch,
        currentTxnStartOffset: BigInt(p.currentTxnStartOffset),
      }),
    ),
  });
}

export const describeProducersHandler = defineHandler({
  api: DescribeProducersApi,
  minVersion: 0,
  maxVersion: 0,
  async handle(req, ctx) {
    const topics = await Promise.all(
      req.topics.map(async (t) =>
        createDescribeProducersResponseTopicResponse({
          name: t.name,
          partitions: await Promise.all(
            t.partitionIndexes.map((index) => describePartition(ctx, t.name, index)),
          ),
        }),
      ),
    );
    return createDescribeProducersResponse({ topics });
  },
});
