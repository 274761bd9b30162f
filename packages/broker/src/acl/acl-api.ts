/**
 * What CreateAcls, DescribeAcls and DeleteAcls share: who may call them (ALTER or
 * DESCRIBE on the cluster, as Kafka) and Kafka's answer when no authorizer is configured.
 */
import { ErrorCode } from "@logbook/protocol";
import type { RequestContext } from "../handler.js";
import type { Authorizer } from "./authorizer.js";
import { clusterAllowed } from "./check.js";

export const NO_AUTHORIZER = "No Authorizer is configured.";

export type AclApiAccess =
  | { ok: true; authorizer: Authorizer }
  | { ok: false; errorCode: number; errorMessage: string };

/** The authorizer, when the caller may use it for `operation` on the cluster. */
export function aclApiAccess(ctx: RequestContext, operation: number): AclApiAccess {
  const authorizer = ctx.broker.authorizer;
  if (authorizer === null)
    return { ok: false, errorCode: ErrorCode.SECURITY_DISABLED, errorMessage: NO_AUTHORIZER };
  if (!clusterAllowed(ctx, operation))
    return {
      ok: false,
      errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
      errorMessage: "Cluster authorization failed.",
    };
  return { ok: true, authorizer };
}
