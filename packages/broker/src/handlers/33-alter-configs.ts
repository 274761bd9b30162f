/**
 * AlterConfigs (key 33), v0-v2.
 *
 * Topic resources: the given configs replace all of the topic's overrides (Kafka's
 * non-incremental semantics; omitted ones return to the default), after checking every
 * name and value (INVALID_CONFIG; a null value too). validate_only checks only. Broker
 * resources: every broker property is static here, so any change is refused
 * (INVALID_REQUEST, or INVALID_CONFIG for names that are not broker configs); an empty
 * change succeeds. Group resources (type 32): the given configs replace the group's
 * overrides, checked as group configs (INVALID_CONFIG; a null value INVALID_REQUEST).
 * A resource listed twice gets INVALID_REQUEST; unknown topics
 * UNKNOWN_TOPIC_OR_PARTITION. Simplified: no alter-config policy, no dynamic broker
 * or broker-logger configs.
 * ACLs: ALTER_CONFIGS on the topic, the group or (broker) the cluster, else its
 * *_AUTHORIZATION_FAILED for that resource.
 */
import {
  AlterConfigsApi,
  type AlterConfigsRequestResource,
  createAlterConfigsResponse,
  createAlterConfigsResponseResourceResponse,
  ErrorCode,
} from "@logbook/protocol";
import { AclOperation } from "../acl/acl-types.js";
import { configResourceRefusal } from "../acl/config-resource-check.js";
import { defineHandler } from "../handler.js";
import {
  duplicateResources,
  refuseBrokerChanges,
  resolveConfigResource,
  resourceKey,
} from "../metadata/config-resources.js";
import { checkTopicConfigs } from "../metadata/topic-config.js";
import type { BrokerServices } from "../services.js";
import type { AdminResult } from "../topics.js";

async function alterOne(
  res: AlterConfigsRequestResource,
  validateOnly: boolean,
  broker: BrokerServices,
): Promise<AdminResult> {
  const target = resolveConfigResource(broker, res.resourceType, res.resourceName, "alter");
  if (target.kind === "error")
    return { ok: false, errorCode: target.errorCode, message: target.message };
  if (target.kind === "broker") return refuseBrokerChanges(res.configs.map((c) => c.name));
  const raw = new Map<string, string | null>();
  for (const c of res.configs) {
    if (raw.has(c.name)) {
      return {
        ok: false,
        errorCode: ErrorCode.INVALID_REQUEST,
        message: `Config ${c.name} is given twice.`,
      };
    }
    raw.set(c.name, c.value);
  }
  if (target.kind === "group") {
    const overrides = new Map<string, string>();
    for (const [name, value] of raw) {
      if (value === null) {
        return {
          ok: false,
          errorCode: ErrorCode.INVALID_REQUEST,
          message: `Null value not supported for : ${name}`,
        };
      }
      overrides.set(name, value);
    }
    return broker.groupConfigs.set(target.groupId, overrides, validateOnly);
  }
  const checked = checkTopicConfigs(raw);
  if (!checked.ok) return checked;
  const overrides = new Map<string, string>();
  for (const [k, v] of raw) if (v !== null) overrides.set(k, v);
  return broker.topics.setOverrides(target.topic.name, overrides, validateOnly);
}

export const alterConfigsHandler = defineHandler({
  api: AlterConfigsApi,
  minVersion: 0,
  maxVersion: 2,
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
        ? {
            ok: false,
            errorCode: ErrorCode.INVALID_REQUEST,
            message: "Resource is listed more than once.",
          }
        : refused !== null
          ? { ok: false, ...refused }
          : await alterOne(res, req.validateOnly, ctx.broker);
      responses.push(
        createAlterConfigsResponseResourceResponse({
          resourceType: res.resourceType,
          resourceName: res.resourceName,
          errorCode: outcome.ok ? ErrorCode.NONE : outcome.errorCode,
          errorMessage: outcome.ok ? null : outcome.message,
        }),
      );
    }
    return createAlterConfigsResponse({ responses });
  },
});
