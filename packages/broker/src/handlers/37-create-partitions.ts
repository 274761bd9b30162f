/**
 * CreatePartitions (key 37), v0-v3.
 *
 * Raises a topic's partition count; a count equal to or below the current one is
 * INVALID_PARTITIONS. Assignments, when given, must list one entry per new partition,
 * each naming only this node (INVALID_REPLICA_ASSIGNMENT otherwise). validate_only
 * changes nothing. One result per topic; a topic listed twice gets INVALID_REQUEST,
 * an unknown one UNKNOWN_TOPIC_OR_PARTITION. Internal topics are refused
 * (INVALID_REQUEST): partition counts of the broker's own logs are fixed. Simplified:
 * timeout_ms is ignored (the change is synchronous).
 * ACLs: ALTER on the topic, else TOPIC_AUTHORIZATION_FAILED.
 * controller_mutation_rate (quotas/mutation-quota.ts): the partitions a valid request
 * adds are counted (validate_only too, as Kafka); v3 refuses a topic once the quota is
 * exhausted (THROTTLING_QUOTA_EXCEEDED), older versions are only throttled.
 */
import {
  CreatePartitionsApi,
  type CreatePartitionsRequestTopic,
  type CreatePartitionsResponseTopicResult,
  createCreatePartitionsResponse,
  createCreatePartitionsResponseTopicResult,
  ErrorCode,
} from "@logbook/protocol";
import { Op, topicAllowed } from "../acl/check.js";
import { defineHandler } from "../handler.js";
import {
  type MutationQuota,
  mutationThrottle,
  QUOTA_EXCEEDED_MESSAGE,
  requestMutationQuota,
} from "../quotas/mutation-quota.js";
import type { BrokerServices } from "../services.js";
import type { AdminResult } from "../topics.js";

/** The first version that knows THROTTLING_QUOTA_EXCEEDED. */
const STRICT_SINCE = 3;

/** A topic's outcome; a quota refusal comes without a message, as Kafka's. */
type Outcome = AdminResult | { ok: false; errorCode: number; message: null };

async function growOne(
  t: CreatePartitionsRequestTopic,
  validateOnly: boolean,
  broker: BrokerServices,
  quota: MutationQuota,
): Promise<Outcome> {
  const topic = broker.topics.get(t.name);
  if (topic === undefined) {
    return {
      ok: false,
      errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
      message: `Topic '${t.name}' does not exist.`,
    };
  }
  if (topic.internal) {
    return {
      ok: false,
      errorCode: ErrorCode.INVALID_REQUEST,
      message: `Internal topic '${t.name}' cannot get partitions.`,
    };
  }
  if (
    t.assignments !== null &&
    t.count > topic.partitions &&
    t.assignments.length !== t.count - topic.partitions
  ) {
    return {
      ok: false,
      errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT,
      message: `Increasing the number of partitions by ${t.count - topic.partitions} but ${t.assignments.length} assignments provided.`,
    };
  }
  const misplaced = misplacedAssignment(t, topic.partitions, broker.config.nodeId);
  const grow = (dryRun: boolean) => broker.topics.createPartitions(t.name, t.count, dryRun);
  if (!quota.limited) return misplaced ?? grow(validateOnly);
  // Checked first: only partitions that would be added count against the quota.
  const valid = await grow(true);
  if (!valid.ok) return valid;
  if (!quota.record(t.count - topic.partitions))
    return {
      ok: false,
      errorCode: ErrorCode.THROTTLING_QUOTA_EXCEEDED,
      message: QUOTA_EXCEEDED_MESSAGE,
    };
  // As Kafka's controller, the brokers named for the new partitions after the quota.
  return misplaced ?? (validateOnly ? valid : grow(false));
}

/** New partitions assigned anywhere but to this node alone. */
function misplacedAssignment(
  t: CreatePartitionsRequestTopic,
  current: number,
  nodeId: number,
): AdminResult | undefined {
  if (t.assignments === null || t.count <= current) return undefined;
  if (t.assignments.every((a) => a.brokerIds.length === 1 && a.brokerIds[0] === nodeId))
    return undefined;
  return {
    ok: false,
    errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT,
    message: `Every new partition must be assigned to broker ${nodeId} alone.`,
  };
}

export const createPartitionsHandler = defineHandler({
  api: CreatePartitionsApi,
  minVersion: 0,
  maxVersion: 3,
  async handle(req, ctx) {
    const counts = new Map<string, number>();
    for (const t of req.topics) counts.set(t.name, (counts.get(t.name) ?? 0) + 1);
    const quota = requestMutationQuota(ctx, STRICT_SINCE);
    const results: CreatePartitionsResponseTopicResult[] = [];
    for (const t of req.topics) {
      const outcome: Outcome =
        (counts.get(t.name) ?? 0) > 1
          ? {
              ok: false,
              errorCode: ErrorCode.INVALID_REQUEST,
              message: `Topic '${t.name}' is listed more than once.`,
            }
          : !topicAllowed(ctx, Op.ALTER, t.name)
            ? {
                ok: false,
                errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED,
                message: "Authorization failed.",
              }
            : await growOne(t, req.validateOnly, ctx.broker, quota);
      results.push(
        createCreatePartitionsResponseTopicResult({
          name: t.name,
          errorCode: outcome.ok ? ErrorCode.NONE : outcome.errorCode,
          errorMessage: outcome.ok ? null : outcome.message,
        }),
      );
    }
    return createCreatePartitionsResponse({
      results,
      throttleTimeMs: mutationThrottle(quota, ctx.session),
    });
  },
});
