/**
 * DescribeClientQuotas (key 48), v0-v1: the quotas of every entity the filter matches
 * (quotas/quota-filter.ts), each with all its keys. A bad filter answers the request's
 * error with Kafka's message and no entries.
 * ACLs: DESCRIBE_CONFIGS on the cluster, else CLUSTER_AUTHORIZATION_FAILED.
 */
import {
  createDescribeClientQuotasResponse,
  createDescribeClientQuotasResponseEntityData,
  createDescribeClientQuotasResponseEntryData,
  createDescribeClientQuotasResponseValueData,
  DescribeClientQuotasApi,
  ErrorCode,
} from "@logbook/protocol";
import { clusterAllowed, Op } from "../acl/check.js";
import { defineHandler } from "../handler.js";

export const describeClientQuotasHandler = defineHandler({
  api: DescribeClientQuotasApi,
  minVersion: 0,
  maxVersion: 1,
  handle(req, ctx) {
    if (!clusterAllowed(ctx, Op.DESCRIBE_CONFIGS))
      return createDescribeClientQuotasResponse({
        errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
        errorMessage: "Cluster authorization failed.",
        entries: null,
      });
    const found = ctx.broker.quotas.stored.describe(req.components, req.strict);
    if ("error" in found)
      return createDescribeClientQuotasResponse({ ...found.error, entries: null });
    // Kafka answers a success with an empty message, not null.
    return createDescribeClientQuotasResponse({
      errorCode: ErrorCode.NONE,
      errorMessage: "",
      entries: found.entries.map((q) =>
        createDescribeClientQuotasResponseEntryData({
          entity: q.entity.map((c) => createDescribeClientQuotasResponseEntityData(c)),
          values: [...q.values].map(([key, value]) =>
            createDescribeClientQuotasResponseValueData({ key, value }),
          ),
        }),
      ),
    });
  },
});
