/**
 * DescribeTopicPartitions (key 75), v0.
 *
 * Topics in name order (an empty list means every topic), each partition with the
 * leader and epoch Metadata gives (the cluster view: this node at epoch 0 when alone),
 * replicas and ISR [leader], no eligible-leader replicas. Paging: at
 * most response_partition_limit partitions (capped at 2000, Kafka's
 * max.request.partition.size.limit) per answer; when more remain, next_cursor names
 * the first one left out. A cursor skips every topic before its topic and the
 * partitions before its index. Unknown or illegal names get UNKNOWN_TOPIC_OR_PARTITION
 * / INVALID_TOPIC_EXCEPTION entries, which count nothing against the limit.
 * Without an authorizer every topic, unknown ones too, lists every topic operation as
 * authorized, as Kafka answers.
 * ACLs: listing every topic leaves out those the principal may not DESCRIBE; a named one
 * without DESCRIBE is TOPIC_AUTHORIZATION_FAILED; authorized operations from the ACLs.
 */
import {
  createDescribeTopicPartitionsResponse,
  createDescribeTopicPartitionsResponseCursor,
  createDescribeTopicPartitionsResponsePartition,
  createDescribeTopicPartitionsResponseTopic,
  DescribeTopicPartitionsApi,
  type DescribeTopicPartitionsResponseCursor,
  type DescribeTopicPartitionsResponseTopic,
  ErrorCode,
} from "@logbook/protocol";
import { AclResourceType } from "../acl/acl-types.js";
import { allowed, authorizedOperations, Op, topicAllowed } from "../acl/check.js";
import { defineHandler } from "../handler.js";
import { TOPIC_OPERATIONS } from "../metadata/authorized-operations.js";
import { checkTopicName } from "../metadata/topic-names.js";

const MAX_PARTITION_LIMIT = 2000;

type ResponseTopic = DescribeTopicPartitionsResponseTopic;

function missing(name: string, errorCode: number): ResponseTopic {
  return createDescribeTopicPartitionsResponseTopic({
    errorCode,
    name,
    topicId: Buffer.alloc(16),
    isInternal: false,
    partitions: [],
    topicAuthorizedOperations: TOPIC_OPERATIONS,
  });
}

export const describeTopicPartitionsHandler = defineHandler({
  api: DescribeTopicPartitionsApi,
  minVersion: 0,
  maxVersion: 0,
  handle(req, ctx) {
    const { topics: registry, cluster } = ctx.broker;
    const names =
      req.topics.length === 0
        ? registry
            .list()
            .map((t) => t.name)
            // Every topic the principal may DESCRIBE; the rest are left out.
            .filter((n) => allowed(ctx, Op.DESCRIBE, AclResourceType.TOPIC, n, true))
        : [...new Set(req.topics.map((t) => t.name))].sort();
    const cursor = req.cursor;
    let budget = Math.max(1, Math.min(req.responsePartitionLimit, MAX_PARTITION_LIMIT));
    const topics: ResponseTopic[] = [];
    let nextCursor: DescribeTopicPartitionsResponseCursor | null = null;
    for (const name of names) {
      if (cursor !== null && name < cursor.topicName) continue;
      if (req.topics.length > 0 && !topicAllowed(ctx, Op.DESCRIBE, name)) {
        topics.push(missing(name, ErrorCode.TOPIC_AUTHORIZATION_FAILED));
        continue;
      }
      const topic = registry.get(name);
      if (topic === undefined) {
        const check = checkTopicName(name);
        topics.push(
          missing(name, check.ok ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION : check.errorCode),
        );
        continue;
      }
      const first =
        cursor !== null && name === cursor.topicName ? Math.max(0, cursor.partitionIndex) : 0;
      if (budget === 0) {
        nextCursor = createDescribeTopicPartitionsResponseCursor({
          topicName: name,
          partitionIndex: first,
        });
        break;
      }
      const partitions = [];
      let p = first;
      for (; p < topic.partitions && budget > 0; p++, budget--) {
        partitions.push(
          createDescribeTopicPartitionsResponsePartition({
            errorCode: ErrorCode.NONE,
            partitionIndex: p,
            ...cluster.placement(name, p),
            eligibleLeaderReplicas: [],
            lastKnownElr: [],
            offlineReplicas: [],
          }),
        );
      }
      topics.push(
        createDescribeTopicPartitionsResponseTopic({
          errorCode: ErrorCode.NONE,
          name,
          topicId: topic.id,
          isInternal: topic.internal,
          partitions,
          topicAuthorizedOperations: authorizedOperations(
            ctx,
            AclResourceType.TOPIC,
            name,
            TOPIC_OPERATIONS,
          ),
        }),
      );
      if (p < topic.partitions) {
        nextCursor = createDescribeTopicPartitionsResponseCursor({
          topicName: name,
          partitionIndex: p,
        });
        break;
      }
    }
    return createDescribeTopicPartitionsResponse({ topics, nextCursor });
  },
});
