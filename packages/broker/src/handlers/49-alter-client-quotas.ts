/**
 * AlterClientQuotas (key 49), v0-v1: sets and removes quotas of client-quota entities
 * (quotas/client-quotas.ts), kept in the metadata log. One result per entry; an
 * entry's operations apply all or none, with Kafka's checks and messages.
 * validate_only checks without writing.
 * ACLs: ALTER_CONFIGS on the cluster, else CLUSTER_AUTHORIZATION_FAILED for every entry.
 */
import {
  AlterClientQuotasApi,
  createAlterClientQuotasResponse,
  createAlterClientQuotasResponseEntityData,
  createAlterClientQuotasResponseEntryData,
  ErrorCode,
} from "@logbook/protocol";
import { clusterAllowed, Op } from "../acl/check.js";
import { defineHandler } from "../handler.js";

export const alterClientQuotasHandler = defineHandler({
  api: AlterClientQuotasApi,
  minVersion: 0,
  maxVersion: 1,
  async handle(req, ctx) {
    const results = clusterAllowed(ctx, Op.ALTER_CONFIGS)
      ? await ctx.broker.quotas.stored.alter(req.entries, req.validateOnly)
      : req.entries.map((e) => ({
          entity: e.entity,
          errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
          errorMessage: "Cluster authorization failed.",
        }));
    return createAlterClientQuotasResponse({
      entries: results.map((r) =>
        createAlterClientQuotasResponseEntryData({
          errorCode: r.errorCode,
          errorMessage: r.errorMessage,
          entity: r.entity.map((c) => createAlterClientQuotasResponseEntityData(c)),
        }),
      ),
    });
  },
});
