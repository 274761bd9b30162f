/**
 * Kafka's StandardAuthorizer decision for one request: super users may do anything; else
 * the bindings covering the resource decide, a matching DENY before any ALLOW; with no
 * binding on the resource at all, `allow.everyone.if.no.acl.found` decides.
 */
import type { AclIndex } from "./acl-index.js";
import {
  type AclBinding,
  AclOperation,
  AclPermission,
  WILDCARD_HOST,
  WILDCARD_PRINCIPAL,
} from "./acl-types.js";

/** Who asks, from where, to do what, on what. */
export interface AclRequest {
  /** type:name, e.g. User:ANONYMOUS. */
  readonly principal: string;
  readonly host: string;
  readonly operation: number;
  readonly resourceType: number;
  readonly resourceName: string;
}

export interface AclPolicy {
  readonly superUsers: ReadonlySet<string>;
  readonly allowEveryoneIfNoAclFound: boolean;
}

export type AclDecision = "ALLOWED" | "DENIED";

/** An ALLOW of these operations also allows DESCRIBE (DENY implies nothing). */
const IMPLY_DESCRIBE = new Set<number>([
  AclOperation.DESCRIBE,
  AclOperation.READ,
  AclOperation.WRITE,
  AclOperation.DELETE,
  AclOperation.ALTER,
]);
const IMPLY_DESCRIBE_CONFIGS = new Set<number>([
  AclOperation.DESCRIBE_CONFIGS,
  AclOperation.ALTER_CONFIGS,
]);

function principalMatches(acl: string, principal: string): boolean {
  return acl === principal || (acl === WILDCARD_PRINCIPAL && principal.startsWith("User:"));
}

function operationMatches(acl: AclBinding, operation: number): boolean {
  if (acl.operation === AclOperation.ALL || acl.operation === operation) return true;
  if (acl.permission !== AclPermission.ALLOW) return false;
  if (operation === AclOperation.DESCRIBE) return IMPLY_DESCRIBE.has(acl.operation);
  if (operation === AclOperation.DESCRIBE_CONFIGS) return IMPLY_DESCRIBE_CONFIGS.has(acl.operation);
  return false;
}

/** Whether one binding speaks to this request (ignoring its permission). */
export function bindingApplies(acl: AclBinding, r: AclRequest): boolean {
  return (
    principalMatches(acl.principal, r.principal) &&
    (acl.host === WILDCARD_HOST || acl.host === r.host) &&
    operationMatches(acl, r.operation)
  );
}

export function decide(index: AclIndex, policy: AclPolicy, r: AclRequest): AclDecision {
  if (policy.superUsers.has(r.principal)) return "ALLOWED";
  let anyOnResource = false;
  let allowed = false;
  for (const acl of index.covering(r.resourceType, r.resourceName)) {
    anyOnResource = true;
    if (!bindingApplies(acl, r)) continue;
    if (acl.permission === AclPermission.DENY) return "DENIED";
    if (acl.permission === AclPermission.ALLOW) allowed = true;
  }
  if (allowed) return "ALLOWED";
  return !anyOnResource && policy.allowEveryoneIfNoAclFound ? "ALLOWED" : "DENIED";
}
