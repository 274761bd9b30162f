/**
 * DescribeConfigs, AlterConfigs and IncrementalAlterConfigs authorise per config
 * resource, as Kafka: a topic by its own ACLs, a group by the group's, the broker (and
 * its loggers, and client metrics) by the cluster's.
 */
import { ErrorCode } from "@logbook/protocol";
import type { RequestContext } from "../handler.js";
import { clusterAllowed, groupAllowed, topicAllowed } from "./check.js";

/** Kafka's ConfigResource type codes. */
const CONFIG_TOPIC = 2;
const CONFIG_GROUP = 32;

export interface ConfigRefusal {
  readonly errorCode: number;
  readonly message: string;
}

/** Why the principal may not `operation` (DESCRIBE_CONFIGS or ALTER_CONFIGS) the resource, or null. */
export function configResourceRefusal(
  ctx: RequestContext,
  operation: number,
  resourceType: number,
  resourceName: string,
): ConfigRefusal | null {
  if (resourceType === CONFIG_TOPIC)
    return topicAllowed(ctx, operation, resourceName)
      ? null
      : { errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, message: "Topic authorization failed." };
  if (resourceType === CONFIG_GROUP)
    return groupAllowed(ctx, operation, resourceName)
      ? null
      : { errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, message: "Group authorization failed." };
  return clusterAllowed(ctx, operation)
    ? null
    : {
        errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
        message: "Cluster authorization failed.",
      };
}
