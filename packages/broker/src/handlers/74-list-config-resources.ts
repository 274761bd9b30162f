/**
 * ListConfigResources (key 74; ListClientMetricsResources in v0), v0-v1: the config
 * resources there are, for `kafka-configs --describe --entity-type groups` and the like
 * without a name. v0 lists client-metrics resources, of which there are none here. v1
 * lists the types asked for (none = all): groups that have configs (GROUP), every topic
 * (TOPIC), this broker (BROKER); CLIENT_METRICS and BROKER_LOGGER are known types with
 * nothing to list. Any other type is UNSUPPORTED_VERSION, as in Kafka. Simplified:
 * BROKER_LOGGER resources are not served (Kafka lists its broker there too).
 * ACLs: DESCRIBE_CONFIGS on the cluster (as ListClientMetricsResources, KIP-714), else
 * CLUSTER_AUTHORIZATION_FAILED.
 */
import {
  createListConfigResourcesResponse,
  createListConfigResourcesResponseConfigResource,
  ErrorCode,
  ListConfigResourcesApi,
  type ListConfigResourcesResponseConfigResource,
} from "@logbook/protocol";
import { clusterAllowed, Op } from "../acl/check.js";
import { defineHandler } from "../handler.js";
import { ResourceType } from "../metadata/metadata-records.js";
import type { BrokerServices } from "../services.js";

const BROKER_LOGGER = 8;
const CLIENT_METRICS = 16;
const LISTED = [ResourceType.GROUP, ResourceType.BROKER, ResourceType.TOPIC] as const;
const KNOWN: readonly number[] = [...LISTED, BROKER_LOGGER, CLIENT_METRICS];

function resourcesOf(
  broker: BrokerServices,
  type: number,
): ListConfigResourcesResponseConfigResource[] {
  const names =
    type === ResourceType.GROUP
      ? broker.groupConfigs.configured()
      : type === ResourceType.BROKER
        ? [String(broker.config.nodeId)]
        : type === ResourceType.TOPIC
          ? broker.topics.list().map((t) => t.name)
          : [];
  return names.map((resourceName) =>
    createListConfigResourcesResponseConfigResource({ resourceName, resourceType: type }),
  );
}

export const listConfigResourcesHandler = defineHandler({
  api: ListConfigResourcesApi,
  minVersion: 0,
  maxVersion: 1,
  handle(req, ctx) {
    if (!clusterAllowed(ctx, Op.DESCRIBE_CONFIGS))
      return createListConfigResourcesResponse({
        errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
        configResources: [],
      });
    if (ctx.version === 0) {
      return createListConfigResourcesResponse({ errorCode: ErrorCode.NONE, configResources: [] });
    }
    const asked = req.resourceTypes;
    if (asked.some((t) => !KNOWN.includes(t))) {
      return createListConfigResourcesResponse({
        errorCode: ErrorCode.UNSUPPORTED_VERSION,
        configResources: [],
      });
    }
    const types = asked.length === 0 ? LISTED : LISTED.filter((t) => asked.includes(t));
    return createListConfigResourcesResponse({
      errorCode: ErrorCode.NONE,
      configResources: types.flatMap((t) => resourcesOf(ctx.broker, t)),
    });
  },
});
