/**
 * IncrementalAlterConfigs (key 44), v0-v1.
 *
 * Topic resources: operations apply in order to the current overrides: SET (0) sets a
 * value (null is INVALID_REQUEST), DELETE (1) returns a config to its default, APPEND
 * (2) and SUBTRACT (3) add or remove items of a list config (cleanup.policy, the
 * throttled-replica lists), starting from the effective value; on other types they are
 * INVALID_CONFIG. The result is checked like CreateTopics configs (INVALID_CONFIG).
 * A config named twice in one resource, a resource named twice, or an unknown
 * operation is INVALID_REQUEST. validate_only checks only. Broker resources: all
 * properties are static, so any change is refused. Group resources (type 32, any group
 * id): SET and DELETE change the group's overrides, checked as group configs (unknown
 * names first, then values against their kinds and the broker's min/max bounds);
 * APPEND and SUBTRACT are INVALID_CONFIG, as in Kafka. Simplified: no alter-config policy.
 * ACLs: ALTER_CONFIGS on the topic, the group or (broker) the cluster, else its
 * *_AUTHORIZATION_FAILED for that resource.
 */
import {
  createIncrementalAlterConfigsResponse,
  createIncrementalAlterConfigsResponseResourceResponse,
  ErrorCode,
  IncrementalAlterConfigsApi,
  type IncrementalAlterConfigsRequestResource,
} from "@logbook/protocol";
import { AclOperation } from "../acl/acl-types.js";
import { configResourceRefusal } from "../acl/config-resource-check.js";
import { topicConfigDef } from "../config/schema.js";
import { defineHandler } from "../handler.js";
import {
  duplicateResources,
  refuseBrokerChanges,
  resolveConfigResource,
  resourceKey,
} from "../metadata/config-resources.js";
import { parseList } from "../metadata/config-values.js";
import type { AdminFailure } from "../metadata/group-configs.js";
import { checkTopicConfigs } from "../metadata/topic-config.js";
import type { BrokerServices } from "../services.js";
import type { AdminResult } from "../topics.js";

const OpType = { SET: 0, DELETE: 1, APPEND: 2, SUBTRACT: 3 } as const;

function invalid(errorCode: number, message: string): AdminFailure {
  return { ok: false, errorCode, message };
}

async function alterOne(
  res: IncrementalAlterConfigsRequestResource,
  validateOnly: boolean,
  broker: BrokerServices,
): Promise<AdminResult> {
  const target = resolveConfigResource(broker, res.resourceType, res.resourceName, "alter");
  if (target.kind === "error") return invalid(target.errorCode, target.message);
  const names = res.configs.map((c) => c.name);
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice !== undefined)
    return invalid(ErrorCode.INVALID_REQUEST, `Config ${twice} is given twice.`);
  const badOp = res.configs.find(
    (c) => c.configOperation < OpType.SET || c.configOperation > OpType.SUBTRACT,
  );
  if (badOp !== undefined) {
    return invalid(
      ErrorCode.INVALID_REQUEST,
      `Unknown config operation ${badOp.configOperation} for ${badOp.name}`,
    );
  }
  if (target.kind === "broker") return refuseBrokerChanges(names);
  if (target.kind === "group") return alterGroup(res, target.groupId, validateOnly, broker);

  const topic = target.topic;
  const next = new Map<string, string>(topic.overrides);
  for (const c of res.configs) {
    const def = topicConfigDef(c.name);
    if (c.configOperation === OpType.DELETE) {
      next.delete(c.name);
      continue;
    }
    if (c.configOperation === OpType.SET) {
      if (c.value === null)
        return invalid(ErrorCode.INVALID_REQUEST, `Null value not supported for : ${c.name}`);
      next.set(c.name, c.value);
      continue;
    }
    if (def === undefined)
      return invalid(ErrorCode.INVALID_CONFIG, `Unknown topic config name: ${c.name}`);
    if (def.type !== "list") {
      const verb = c.configOperation === OpType.APPEND ? "append" : "subtract";
      return invalid(
        ErrorCode.INVALID_CONFIG,
        `Config value ${verb} is not allowed for config key: ${c.name}`,
      );
    }
    const current = parseList(next.get(c.name) ?? def.defaultValue(broker.config));
    const items = parseList(c.value ?? "");
    const result =
      c.configOperation === OpType.APPEND
        ? [...current, ...items.filter((i) => !current.includes(i))]
        : current.filter((i) => !items.includes(i));
    next.set(c.name, result.join(","));
  }
  const checked = checkTopicConfigs(next);
  if (!checked.ok) return checked;
  return broker.topics.setOverrides(topic.name, next, validateOnly);
}

/** Group configs: SET and DELETE only (Kafka refuses APPEND and SUBTRACT on every one). */
function alterGroup(
  res: IncrementalAlterConfigsRequestResource,
  groupId: string,
  validateOnly: boolean,
  broker: BrokerServices,
): Promise<AdminResult> {
  const change = (current: ReadonlyMap<string, string>) => {
    const next = new Map(current);
    for (const c of res.configs) {
      if (c.configOperation === OpType.DELETE) {
        next.delete(c.name);
      } else if (c.configOperation === OpType.SET) {
        if (c.value === null)
          return invalid(ErrorCode.INVALID_REQUEST, `Null value not supported for : ${c.name}`);
        next.set(c.name, c.value);
      } else {
        const verb = c.configOperation === OpType.APPEND ? "APPEND" : "SUBTRACT";
        return invalid(
          ErrorCode.INVALID_CONFIG,
          `Can't ${verb} to key ${c.name} because its type is not LIST.`,
        );
      }
    }
    return next;
  };
  return broker.groupConfigs.update(groupId, change, validateOnly);
}

export const incrementalAlterConfigsHandler = defineHandler({
  api: IncrementalAlterConfigsApi,
  minVersion: 0,
  maxVersion: 1,
  async handle(req, ctx) {
    const dups = duplicateResources(req.resources);
    const responses = [];
    for (const res of req.resources) {
      const refused = configResourceRefusal(
        ctx,
        AclOperation.ALTER_CONFIGS,
        res.resourceType,
        res.resourceName,
      );
      const outcome: AdminResult = dups.has(resourceKey(res.resourceType, res.resourceName))
        ? invalid(ErrorCode.INVALID_REQUEST, "Resource is listed more than once.")
        : refused !== null
          ? { ok: false, ...refused }
          : await alterOne(res, req.validateOnly, ctx.broker);
      responses.push(
        createIncrementalAlterConfigsResponseResourceResponse({
          resourceType: res.resourceType,
          resourceName: res.resourceName,
          errorCode: outcome.ok ? ErrorCode.NONE : outcome.errorCode,
          errorMessage: outcome.ok ? null : outcome.message,
        }),
      );
    }
    return createIncrementalAlterConfigsResponse({ responses });
  },
});
