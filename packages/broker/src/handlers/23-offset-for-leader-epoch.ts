/**
 * OffsetForLeaderEpoch (key 23), v0-v4.
 *
 * A single-node broker has one leader epoch, 0, starting at offset 0. Following
 * Kafka's LeaderEpochFileCache.endOffsetFor: epoch 0 → (0, log end offset); an epoch
 * above ours, or -1 (UNDEFINED_EPOCH) → (-1, -1); an epoch below ours (only other
 * negative values) → (that epoch, 0), the start of the first known epoch. The log end
 * offset is the high watermark (equal to it once pending writes land; consumers must
 * not truncate to data they cannot read). current_leader_epoch (v2+) is fenced as in
 * KIP-320. UNKNOWN_TOPIC_OR_PARTITION for unknown partitions.
 *
 * Simplified: replica_id (v3+) is ignored; followers do not exist.
 * ACLs: DESCRIBE on the topic, else TOPIC_AUTHORIZATION_FAILED.
 */
import {
  createOffsetForLeaderEpochResponse,
  createOffsetForLeaderEpochResponseEpochEndOffset,
  createOffsetForLeaderEpochResponseTopicResult,
  ErrorCode,
  OffsetForLeaderEpochApi,
} from "@logbook/protocol";
import { Op, topicAllowed } from "../acl/check.js";
import { LEADER_EPOCH, leaderEpochError } from "../data/leader-epoch.js";
import { defineHandler } from "../handler.js";

const UNDEFINED_EPOCH = -1;

export const offsetForLeaderEpochHandler = defineHandler({
  api: OffsetForLeaderEpochApi,
  minVersion: 0,
  maxVersion: 4,
  async handle(req, ctx) {
    const topics = await Promise.all(
      req.topics.map(async (t) =>
        createOffsetForLeaderEpochResponseTopicResult({
          topic: t.topic,
          partitions: await Promise.all(
            t.partitions.map(async (p) => {
              const result = (errorCode: number, leaderEpoch: number, endOffset: bigint) =>
                createOffsetForLeaderEpochResponseEpochEndOffset({
                  errorCode,
                  partition: p.partition,
                  leaderEpoch,
                  endOffset,
                });
              if (!topicAllowed(ctx, Op.DESCRIBE, t.topic))
                return result(ErrorCode.TOPIC_AUTHORIZATION_FAILED, UNDEFINED_EPOCH, -1n);
              const log =
                ctx.broker.topics.get(t.topic) === undefined
                  ? undefined
                  : await ctx.broker.topics.partition(t.topic, p.partition);
              if (log === undefined)
                return result(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, UNDEFINED_EPOCH, -1n);
              const epochError = leaderEpochError(
                p.currentLeaderEpoch,
                ctx.broker.cluster.leaderEpoch,
              );
              if (epochError !== ErrorCode.NONE) return result(epochError, UNDEFINED_EPOCH, -1n);
              if (p.leaderEpoch === LEADER_EPOCH)
                return result(ErrorCode.NONE, LEADER_EPOCH, BigInt(log.highWatermark));
              if (p.leaderEpoch === UNDEFINED_EPOCH || p.leaderEpoch > LEADER_EPOCH) {
                return result(ErrorCode.NONE, UNDEFINED_EPOCH, -1n);
              }
              return result(ErrorCode.NONE, p.leaderEpoch, 0n);
            }),
          ),
        }),
      ),
    );
    return createOffsetForLeaderEpochResponse({ topics });
  },
});
