/**
 * OffsetDelete (key 47), v0 (KIP-496).
 *
 * Deletes a group's committed offsets of the named partitions. Group-level errors
 * (GROUP_ID_NOT_FOUND, INVALID_GROUP_ID, NON_EMPTY_GROUP, COORDINATOR_LOAD_IN_PROGRESS
 * while replaying) go in the top-level error_code with no topics, as Kafka answers;
 * otherwise each partition gets NONE or GROUP_SUBSCRIBED_TO_TOPIC (a member of the
 * group still subscribes to its topic). As in Kafka, a partition that does not exist
 * gets UNKNOWN_TOPIC_OR_PARTITION without reaching the coordinator.
 * ACLs: DELETE on the group (GROUP_AUTHORIZATION_FAILED), READ on each topic
 * (TOPIC_AUTHORIZATION_FAILED for its partitions).
 */
import {
  createOffsetDeleteResponse,
  createOffsetDeleteResponsePartition,
  createOffsetDeleteResponseTopic,
  ErrorCode,
  OffsetDeleteApi,
} from "@logbook/protocol";
import { groupAllowed, Op, topicAllowed } from "../acl/check.js";
import { partitionExists, partitionKey } from "../groups/partition-keys.js";
import { defineHandler } from "../handler.js";

export const offsetDeleteHandler = defineHandler({
  api: OffsetDeleteApi,
  minVersion: 0,
  maxVersion: 0,
  async handle(req, ctx) {
    const { broker } = ctx;
    if (!groupAllowed(ctx, Op.DELETE, req.groupId))
      return createOffsetDeleteResponse({
        errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED,
        topics: [],
      });
    const access = broker.groups.access();
    if (!access.ok) return createOffsetDeleteResponse({ errorCode: access.errorCode, topics: [] });
    const errors = new Map<string, number>();
    const known: { topic: string; partition: number }[] = [];
    for (const t of req.topics) {
      const topicDenied = !topicAllowed(ctx, Op.READ, t.name);
      for (const p of t.partitions) {
        if (topicDenied) {
          errors.set(partitionKey(t.name, p.partitionIndex), ErrorCode.TOPIC_AUTHORIZATION_FAILED);
        } else if (partitionExists(broker.topics, t.name, p.partitionIndex)) {
          known.push({ topic: t.name, partition: p.partitionIndex });
        } else {
          errors.set(partitionKey(t.name, p.partitionIndex), ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
        }
      }
    }
    const r = await access.coordinator.deleteOffsets(req.groupId, known);
    if (r.errorCode !== ErrorCode.NONE) {
      return createOffsetDeleteResponse({ errorCode: r.errorCode, topics: [] });
    }
    for (const p of r.partitions) errors.set(partitionKey(p.topic, p.partition), p.errorCode);
    return createOffsetDeleteResponse({
      errorCode: ErrorCode.NONE,
      topics: req.topics.map((t) =>
        createOffsetDeleteResponseTopic({
          name: t.name,
          partitions: t.partitions.map((p) =>
            createOffsetDeleteResponsePartition({
              partitionIndex: p.partitionIndex,
              errorCode:
                errors.get(partitionKey(t.name, p.partitionIndex)) ??
                ErrorCode.UNKNOWN_SERVER_ERROR,
            }),
          ),
        }),
      ),
    });
  },
});
