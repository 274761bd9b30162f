/**
 * What handlers call: one question per resource, answered from the connection's
 * principal and host. Without an authorizer every request is allowed, as Kafka.
 */
import type { RequestContext } from "../handler.js";
import { principalText } from "../server/client-session.js";
import { AclOperation, AclResourceType, CLUSTER_NAME } from "./acl-types.js";

/** The client's address as Kafka's ACL hosts name it (an IPv4 address without the ::ffff: form). */
export function clientHost(peer: string): string {
  const at = peer.lastIndexOf(":");
  let host = at < 0 ? peer : peer.slice(0, at);
  if (host.startsWith("[") && host.endsWith("]")) host = host.slice(1, -1);
  return host.startsWith("::ffff:") && host.includes(".") ? host.slice(7) : host;
}

/** Whether the principal may do `operation` on the resource; `quiet` for filtering checks. */
export function allowed(
  ctx: RequestContext,
  operation: number,
  resourceType: number,
  resourceName: string,
  quiet = false,
): boolean {
  const authorizer = ctx.broker.authorizer;
  if (authorizer === null) return true;
  return authorizer.authorize(
    {
      principal: principalText(ctx.session.principal),
      host: clientHost(ctx.session.peer),
      operation,
      resourceType,
      resourceName,
    },
    ctx.header.requestApiKey,
    quiet,
  );
}

/**
 * Producing without a transactional id (InitProducerId): IDEMPOTENT_WRITE on the
 * cluster, or WRITE on at least one topic, as Kafka since KIP-679.
 */
export function idempotentWriteAllowed(ctx: RequestContext): boolean {
  const authorizer = ctx.broker.authorizer;
  if (authorizer === null || clusterAllowed(ctx, AclOperation.IDEMPOTENT_WRITE, true)) return true;
  const ok = authorizer.authorizeByResourceType(
    {
      principal: principalText(ctx.session.principal),
      host: clientHost(ctx.session.peer),
      operation: AclOperation.WRITE,
      resourceType: AclResourceType.TOPIC,
    },
    ctx.header.requestApiKey,
  );
  if (!ok) allowed(ctx, AclOperation.IDEMPOTENT_WRITE, AclResourceType.CLUSTER, CLUSTER_NAME);
  return ok;
}

export const topicAllowed = (ctx: RequestContext, operation: number, topic: string): boolean =>
  allowed(ctx, operation, AclResourceType.TOPIC, topic);

export const groupAllowed = (ctx: RequestContext, operation: number, group: string): boolean =>
  allowed(ctx, operation, AclResourceType.GROUP, group);

export const clusterAllowed = (ctx: RequestContext, operation: number, quiet = false): boolean =>
  allowed(ctx, operation, AclResourceType.CLUSTER, CLUSTER_NAME, quiet);

export const transactionalIdAllowed = (
  ctx: RequestContext,
  operation: number,
  transactionalId: string,
): boolean => allowed(ctx, operation, AclResourceType.TRANSACTIONAL_ID, transactionalId);

export { AclOperation as Op };

/**
 * An authorized-operations bit field (bit n = operation n): of the operations in `mask`
 * that apply to the resource, those the principal may do. Without an authorizer, all.
 */
export function authorizedOperations(
  ctx: RequestContext,
  resourceType: number,
  resourceName: string,
  mask: number,
): number {
  if (ctx.broker.authorizer === null) return mask;
  let out = 0;
  for (let op = 0; op < 31; op++) {
    if ((mask & (1 << op)) !== 0 && allowed(ctx, op, resourceType, resourceName, true))
      out |= 1 << op;
  }
  return out;
}

/** The named topics the principal may not DESCRIBE (a heartbeat's subscription). */
export function undescribableTopics(
  ctx: RequestContext,
  names: readonly string[] | null,
): string[] {
  return (names ?? []).filter(
    (n) => !allowed(ctx, AclOperation.DESCRIBE, AclResourceType.TOPIC, n),
  );
}
