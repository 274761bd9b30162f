/**
 * DescribeConfigs (key 32), v0-v4.
 *
 * Topic resources (type 2): every topic config with its effective value; source
 * DYNAMIC_TOPIC_CONFIG for overrides, STATIC_BROKER_CONFIG when the broker's default
 * differs from Kafka's, else DEFAULT_CONFIG; v0 reports is_default instead. Broker
 * resources (type 4, name = node id or ""): every broker property, all read-only and
 * static. Synonyms (v1+, when include_synonyms) go from the most specific source to the
 * built-in default; config_type always, documentation only with include_documentation
 * (v3+). configuration_keys filters (null or empty = all, as Kafka reads it). Unknown topics get
 * UNKNOWN_TOPIC_OR_PARTITION. Group resources (type 32, any group id, existing or not):
 * every group config, GROUP_CONFIG for the group's overrides, else DEFAULT_CONFIG with
 * the broker setting as synonym; the empty name is INVALID_REQUEST. Other resource types
 * INVALID_REQUEST. Simplified: no
 * sensitive configs exist, and no dynamic broker configs (BROKER_LOGGER unsupported).
 * ACLs: DESCRIBE_CONFIGS on the topic, the group or (broker) the cluster, else its
 * *_AUTHORIZATION_FAILED for that resource.
 */
import {
  createDescribeConfigsResponse,
  createDescribeConfigsResponseResourceResult,
  createDescribeConfigsResponseResult,
  createDescribeConfigsResponseSynonym,
  DescribeConfigsApi,
  type DescribeConfigsRequestResource,
  type DescribeConfigsResponseResult,
  ErrorCode,
} from "@logbook/protocol";
import { AclOperation } from "../acl/acl-types.js";
import { configResourceRefusal } from "../acl/config-resource-check.js";
import { defineHandler, type RequestContext } from "../handler.js";
import {
  ConfigSource,
  type DescribedConfig,
  describeBrokerConfigs,
  describeGroupConfigs,
  describeTopicConfigs,
} from "../metadata/config-describe.js";
import { liveBrokerConfig, resolveConfigResource } from "../metadata/config-resources.js";

function describeOne(
  res: DescribeConfigsRequestResource,
  includeSynonyms: boolean,
  includeDocumentation: boolean,
  ctx: RequestContext,
): DescribeConfigsResponseResult {
  const base = { resourceType: res.resourceType, resourceName: res.resourceName };
  const refused = configResourceRefusal(
    ctx,
    AclOperation.DESCRIBE_CONFIGS,
    res.resourceType,
    res.resourceName,
  );
  if (refused !== null)
    return createDescribeConfigsResponseResult({
      ...base,
      errorCode: refused.errorCode,
      errorMessage: refused.message,
      configs: [],
    });
  const target = resolveConfigResource(ctx.broker, res.resourceType, res.resourceName, "describe");
  if (target.kind === "error") {
    return createDescribeConfigsResponseResult({
      ...base,
      errorCode: target.errorCode,
      errorMessage: target.message,
      configs: [],
    });
  }
  let configs: DescribedConfig[];
  if (target.kind === "topic") {
    configs = describeTopicConfigs(ctx.broker.config, target.topic.overrides);
  } else if (target.kind === "group") {
    configs = describeGroupConfigs(
      ctx.broker.config,
      ctx.broker.groupConfigs.overrides(target.groupId),
    );
  } else {
    configs = describeBrokerConfigs(liveBrokerConfig(ctx.broker));
  }
  const keys = res.configurationKeys;
  // Null or empty both mean every config, as in Kafka.
  if (keys !== null && keys.length > 0) configs = configs.filter((c) => keys.includes(c.name));
  return createDescribeConfigsResponseResult({
    ...base,
    errorCode: ErrorCode.NONE,
    errorMessage: null,
    configs: configs.map((c) =>
      createDescribeConfigsResponseResourceResult({
        name: c.name,
        value: c.isSensitive ? null : c.value,
        readOnly: c.readOnly,
        isDefault: c.source === ConfigSource.DEFAULT_CONFIG,
        configSource: c.source,
        isSensitive: c.isSensitive,
        synonyms: includeSynonyms
          ? c.synonyms.map((s) =>
              createDescribeConfigsResponseSynonym({ ...s, value: c.isSensitive ? null : s.value }),
            )
          : [],
        configType: c.typeId,
        documentation: includeDocumentation ? c.doc : null,
      }),
    ),
  });
}

export const describeConfigsHandler = defineHandler({
  api: DescribeConfigsApi,
  minVersion: 0,
  maxVersion: 4,
  handle(req, ctx) {
    const synonyms = ctx.version >= 1 && req.includeSynonyms;
    const docs = ctx.version >= 3 && req.includeDocumentation;
    return createDescribeConfigsResponse({
      results: req.resources.map((r) => describeOne(r, synonyms, docs, ctx)),
    });
  },
});
