/**
 * ListOffsets (key 2), v0-v10.
 *
 * Per partition, by the requested timestamp: -2 earliest (log start offset), -1 latest
 * (high watermark, or the last stable offset under read_committed, v2+: the first
 * offset of the oldest open transaction, itself not readable), -3 the record
 * with the largest timestamp (v7+, KIP-734), -4 earliest local (v8+, = earliest: no
 * tiered storage), -5 latest tiered (v9+, offset -1: nothing is tiered); any other
 * timestamp finds the first offset whose record timestamp is >= it (offset -1 and
 * timestamp -1 when none, or when it lies at/above the read_committed bound).
 * TOPIC_AUTHORIZATION_FAILED without DESCRIBE on the topic (ACLs), then
 * UNKNOWN_TOPIC_OR_PARTITION for unknown partitions; current_leader_epoch (v4+) is
 * fenced against our single epoch. leader_epoch (v4+) is 0 when an offset is found.
 *
 * v0 answers in old_style_offsets: [offset] for the cases above (-1 → [high
 * watermark], -2 → [log start]); Kafka listed segment base offsets there, which no
 * current client relies on. Simplified: timeout_ms is ignored (nothing to wait for).
 */
import {
  createListOffsetsResponse,
  createListOffsetsResponsePartitionResponse,
  createListOffsetsResponseTopicResponse,
  ErrorCode,
  ListOffsetsApi,
  type ListOffsetsRequestPartition,
  type ListOffsetsResponsePartitionResponse,
} from "@logbook/protocol";
import type { PartitionLog } from "@logbook/storage";
import { Op, topicAllowed } from "../acl/check.js";
import { LEADER_EPOCH, leaderEpochError } from "../data/leader-epoch.js";
import { defineHandler, type RequestContext } from "../handler.js";

const LATEST = -1n;
const EARLIEST = -2n;
const MAX_TIMESTAMP = -3n;
const EARLIEST_LOCAL = -4n;
const LATEST_TIERED = -5n;
const READ_COMMITTED = 1;

interface Found {
  offset: number;
  timestamp: number;
}

const NOT_FOUND: Found = { offset: -1, timestamp: -1 };

async function lookup(
  log: PartitionLog,
  timestamp: bigint,
  readCommitted: boolean,
): Promise<Found> {
  const bound = readCommitted ? log.lastStableOffset : log.highWatermark;
  switch (timestamp) {
    case LATEST:
      return { offset: bound, timestamp: -1 };
    case EARLIEST:
    case EARLIEST_LOCAL:
      return { offset: log.logStartOffset, timestamp: -1 };
    case LATEST_TIERED:
      return NOT_FOUND;
    case MAX_TIMESTAMP: {
      const max = await log.maxTimestamp();
      return max === null || max.offset >= bound ? NOT_FOUND : max;
    }
    default: {
      const hit = await log.offsetForTimestamp(Number(timestamp));
      return hit === null || hit.offset >= bound ? NOT_FOUND : hit;
    }
  }
}

async function listPartition(
  ctx: RequestContext,
  topic: string,
  p: ListOffsetsRequestPartition,
  readCommitted: boolean,
): Promise<ListOffsetsResponsePartitionResponse> {
  const partitionIndex = p.partitionIndex;
  const fail = (errorCode: number) =>
    createListOffsetsResponsePartitionResponse({
      partitionIndex,
      errorCode,
      offset: -1n,
      timestamp: -1n,
    });
  if (!topicAllowed(ctx, Op.DESCRIBE, topic)) return fail(ErrorCode.TOPIC_AUTHORIZATION_FAILED);
  const log =
    ctx.broker.topics.get(topic) === undefined
      ? undefined
      : await ctx.broker.topics.partition(topic, partitionIndex);
  if (log === undefined) return fail(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  const epochError = leaderEpochError(p.currentLeaderEpoch, ctx.broker.cluster.leaderEpoch);
  if (epochError !== ErrorCode.NONE) return fail(epochError);
  // Loading the producer state installs the LSO hook, open transactions included.
  if (readCommitted) await ctx.broker.dataPlane.producerState(log);
  const found = await lookup(log, p.timestamp, readCommitted);
  const offset = BigInt(found.offset);
  return createListOffsetsResponsePartitionResponse({
    partitionIndex,
    errorCode: ErrorCode.NONE,
    oldStyleOffsets:
      ctx.version === 0 && found.offset >= 0 ? [offset].slice(0, Math.max(p.maxNumOffsets, 0)) : [],
    offset,
    timestamp: BigInt(found.timestamp),
    leaderEpoch: found.offset >= 0 ? LEADER_EPOCH : -1,
  });
}

export const listOffsetsHandler = defineHandler({
  api: ListOffsetsApi,
  minVersion: 0,
  maxVersion: 10,
  async handle(req, ctx) {
    const readCommitted = req.isolationLevel === READ_COMMITTED;
    const topics = await Promise.all(
      req.topics.map(async (t) =>
        createListOffsetsResponseTopicResponse({
          name: t.name,
          partitions: await Promise.all(
            t.partitions.map((p) => listPartition(ctx, t.name, p, readCommitted)),
          ),
        }),
      ),
    );
    return createListOffsetsResponse({ topics });
  },
});
