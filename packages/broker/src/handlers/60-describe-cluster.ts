/**
 * DescribeCluster (key 60), v0-v1.
 *
 * The cluster id, the live brokers reachable on the request's listener (this node
 * alone unless the engine is shared) and the controller (the lowest live node id; -1
 * when it has no endpoint on the listener, as Kafka). v1's endpoint_type: 1 (brokers) is served; 2 (controllers) gets
 * UNSUPPORTED_ENDPOINT_TYPE, as a Kafka broker answers. When asked,
 * cluster_authorized_operations lists the cluster operations allowed (every one without
 * an authorizer, as Kafka); "not provided" (-2147483648) when not asked.
 * ACLs: the cluster's authorized operations are those the ACLs allow.
 */
import {
  createDescribeClusterResponse,
  createDescribeClusterResponseBroker,
  DescribeClusterApi,
  ErrorCode,
} from "@logbook/protocol";
import { AclResourceType, CLUSTER_NAME } from "../acl/acl-types.js";
import { authorizedOperations } from "../acl/check.js";
import { defineHandler } from "../handler.js";
import { CLUSTER_OPERATIONS, NOT_PROVIDED } from "../metadata/authorized-operations.js";

const BROKERS_ENDPOINT = 1;

export const describeClusterHandler = defineHandler({
  api: DescribeClusterApi,
  minVersion: 0,
  maxVersion: 1,
  handle(req, ctx) {
    const { broker } = ctx;
    if (ctx.version >= 1 && req.endpointType !== BROKERS_ENDPOINT) {
      return createDescribeClusterResponse({
        errorCode: ErrorCode.UNSUPPORTED_ENDPOINT_TYPE,
        errorMessage: `Endpoint type ${req.endpointType} is not served by a broker`,
        endpointType: req.endpointType,
      });
    }
    // On a listener advertised.listeners leaves out, a broker is not listed, as Kafka.
    const { cluster } = broker;
    const listener = ctx.session.listenerName;
    const controller = cluster.controllerId;
    return createDescribeClusterResponse({
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      endpointType: BROKERS_ENDPOINT,
      clusterId: broker.topics.clusterId,
      controllerId: cluster.addressOf(controller, listener) === null ? -1 : controller,
      brokers: cluster.brokersOn(listener).map((b) =>
        createDescribeClusterResponseBroker({
          brokerId: b.nodeId,
          host: b.host,
          port: b.port,
          rack: b.rack,
        }),
      ),
      clusterAuthorizedOperations: req.includeClusterAuthorizedOperations
        ? authorizedOperations(ctx, AclResourceType.CLUSTER, CLUSTER_NAME, CLUSTER_OPERATIONS)
        : NOT_PROVIDED,
    });
  },
});
