/**
 * CreateTopics (key 19), v0-v7.
 *
 * Per-topic results. num_partitions -1 means num.partitions; replication factor must be
 * 1 or -1 (one broker), otherwise INVALID_REPLICATION_FACTOR. Manual assignments are
 * accepted only when every partition names exactly this node, with partitions
 * 0..n-1, and num_partitions/replication_factor left at -1. Configs are checked
 * against the topic config table (INVALID_CONFIG). validate_only (v1+) checks
 * everything and creates nothing. v5+ answers with the topic's configs, partition
 * count and replication factor; v7 with its topic id. A name listed twice gets
 * INVALID_REQUEST. Simplified: timeout_ms is ignored (creation is synchronous); no
 * create-topic policy.
 * ACLs: CREATE on the cluster or on the topic (else TOPIC_AUTHORIZATION_FAILED); the
 * created topic's configs need DESCRIBE_CONFIGS on it (else topic_config_error_code).
 * controller_mutation_rate (quotas/mutation-quota.ts): a valid topic's partitions are
 * counted (validate_only too, as Kafka); v6+ refuses a topic once the quota is
 * exhausted (THROTTLING_QUOTA_EXCEEDED), older versions are only throttled.
 */
import {
  CreateTopicsApi,
  type CreateTopicsRequestCreatableTopic,
  type CreateTopicsResponseCreatableTopicResult,
  createCreateTopicsResponse,
  createCreateTopicsResponseCreatableTopicConfigs,
  createCreateTopicsResponseCreatableTopicResult,
  ErrorCode,
} from "@logbook/protocol";
import { clusterAllowed, Op, topicAllowed } from "../acl/check.js";
import { defineHandler } from "../handler.js";
import { describeTopicConfigs } from "../metadata/config-describe.js";
import { checkTopicConfigs } from "../metadata/topic-config.js";
import {
  type MutationQuota,
  mutationThrottle,
  QUOTA_EXCEEDED_MESSAGE,
  requestMutationQuota,
} from "../quotas/mutation-quota.js";
import type { BrokerServices } from "../services.js";

/** The first version that knows THROTTLING_QUOTA_EXCEEDED. */
const STRICT_SINCE = 6;

type Outcome =
  | { ok: true; partitions: number; overrides: Map<string, string> }
  | { ok: false; errorCode: number; message: string };

function checkRequest(t: CreateTopicsRequestCreatableTopic, nodeId: number): Outcome {
  const fail = (errorCode: number, message: string): Outcome => ({ ok: false, errorCode, message });
  let partitions = t.numPartitions;
  if (t.assignments.length > 0) {
    if (t.numPartitions !== -1 || t.replicationFactor !== -1) {
      return fail(
        ErrorCode.INVALID_REQUEST,
        "Both numPartitions or replicationFactor and replicasAssignments were set. Both cannot be used at the same time.",
      );
    }
    const indexes = t.assignments.map((a) => a.partitionIndex).sort((a, b) => a - b);
    if (indexes.some((p, i) => p !== i)) {
      return fail(
        ErrorCode.INVALID_REPLICA_ASSIGNMENT,
        "Partitions must be numbered 0 to n-1 without gaps.",
      );
    }
    const bad = t.assignments.find((a) => a.brokerIds.length !== 1 || a.brokerIds[0] !== nodeId);
    if (bad !== undefined) {
      return fail(
        ErrorCode.INVALID_REPLICA_ASSIGNMENT,
        `Partition ${bad.partitionIndex} is assigned to [${bad.brokerIds.join(", ")}]; only broker ${nodeId} exists.`,
      );
    }
    partitions = t.assignments.length;
  } else if (t.replicationFactor !== -1 && t.replicationFactor !== 1) {
    return fail(
      ErrorCode.INVALID_REPLICATION_FACTOR,
      `Unable to replicate the partition ${t.replicationFactor} time(s): The target replication factor of ${t.replicationFactor} cannot be reached because only 1 broker(s) are registered.`,
    );
  }
  const raw = new Map<string, string | null>();
  for (const c of t.configs) {
    if (raw.has(c.name)) return fail(ErrorCode.INVALID_REQUEST, `Config ${c.name} is given twice.`);
    raw.set(c.name, c.value);
  }
  const configs = checkTopicConfigs(raw);
  if (!configs.ok) return configs;
  const overrides = new Map<string, string>();
  for (const [k, v] of raw) if (v !== null) overrides.set(k, v);
  return { ok: true, partitions, overrides };
}

function errorResult(
  name: string,
  errorCode: number,
  message: string | null,
): CreateTopicsResponseCreatableTopicResult {
  return createCreateTopicsResponseCreatableTopicResult({
    name,
    errorCode,
    errorMessage: message,
    numPartitions: -1,
    replicationFactor: -1,
    configs: [],
  });
}

async function createOne(
  t: CreateTopicsRequestCreatableTopic,
  validateOnly: boolean,
  broker: BrokerServices,
  quota: MutationQuota,
): Promise<CreateTopicsResponseCreatableTopicResult> {
  const checked = checkRequest(t, broker.config.nodeId);
  if (!checked.ok) return errorResult(t.name, checked.errorCode, checked.message);
  const create = (dryRun: boolean) =>
    broker.topics.create(t.name, checked.partitions, checked.overrides, dryRun);
  let created = await create(validateOnly || quota.limited);
  // Under a quota the first run only checked: a topic counts if it would be created.
  if (quota.limited && created.ok) {
    if (!quota.record(created.topic.partitions))
      return errorResult(t.name, ErrorCode.THROTTLING_QUOTA_EXCEEDED, QUOTA_EXCEEDED_MESSAGE);
    if (!validateOnly) created = await create(false);
  }
  if (!created.ok) return errorResult(t.name, created.errorCode, created.message);
  const topic = created.topic;
  return createCreateTopicsResponseCreatableTopicResult({
    name: t.name,
    topicId: topic.id,
    errorCode: ErrorCode.NONE,
    errorMessage: null,
    numPartitions: topic.partitions,
    replicationFactor: 1,
    configs: describeTopicConfigs(broker.config, topic.overrides).map((c) =>
      createCreateTopicsResponseCreatableTopicConfigs({
        name: c.name,
        value: c.value,
        readOnly: c.readOnly,
        configSource: c.source,
        isSensitive: c.isSensitive,
      }),
    ),
  });
}

export const createTopicsHandler = defineHandler({
  api: CreateTopicsApi,
  minVersion: 0,
  maxVersion: 7,
  async handle(req, ctx) {
    const counts = new Map<string, number>();
    for (const t of req.topics) counts.set(t.name, (counts.get(t.name) ?? 0) + 1);
    const topics: CreateTopicsResponseCreatableTopicResult[] = [];
    const mayCreate = clusterAllowed(ctx, Op.CREATE, true);
    const quota = requestMutationQuota(ctx, STRICT_SINCE);
    for (const t of req.topics) {
      if ((counts.get(t.name) ?? 0) > 1) {
        topics.push(
          errorResult(
            t.name,
            ErrorCode.INVALID_REQUEST,
            `Topic '${t.name}' is listed more than once.`,
          ),
        );
      } else if (!mayCreate && !topicAllowed(ctx, Op.CREATE, t.name)) {
        topics.push(
          errorResult(t.name, ErrorCode.TOPIC_AUTHORIZATION_FAILED, "Authorization failed."),
        );
      } else {
        const created = await createOne(t, req.validateOnly, ctx.broker, quota);
        // Its configs are shown only to who may DESCRIBE_CONFIGS the topic.
        if (created.errorCode === ErrorCode.NONE && !topicAllowed(ctx, Op.DESCRIBE_CONFIGS, t.name))
          topics.push({
            ...created,
            configs: [],
            topicConfigErrorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED,
          });
        else topics.push(created);
      }
    }
    return createCreateTopicsResponse({
      topics,
      throttleTimeMs: mutationThrottle(quota, ctx.session),
    });
  },
});
