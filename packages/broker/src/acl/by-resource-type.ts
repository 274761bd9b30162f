/**
 * Kafka's authorizeByResourceType: may the principal do `operation` on at least one
 * resource of a type (InitProducerId without a transactional id asks for WRITE on any
 * topic)? Allowed when a check of a name no ACL is likely to name is (super users, `*`
 * literals, allow.everyone.if.no.acl.found), or when some ALLOW binding for the
 * principal is not wholly covered by its DENY bindings: a literal allow is covered by
 * the same literal or a prefix deny, a prefix allow by a prefix deny of its own start.
 */
import type { AclIndex } from "./acl-index.js";
import { type AclPolicy, type AclRequest, decide } from "./acl-match.js";
import {
  AclOperation,
  AclPermission,
  PatternType,
  WILDCARD_HOST,
  WILDCARD_PRINCIPAL,
  WILDCARD_RESOURCE,
} from "./acl-types.js";

/** The name Kafka checks first; any name no ACL names would do. */
const PROBE_NAME = "hardcode";

export function allowedOnSomeResource(
  index: AclIndex,
  policy: AclPolicy,
  r: Omit<AclRequest, "resourceName">,
): boolean {
  if (decide(index, policy, { ...r, resourceName: PROBE_NAME }) === "ALLOWED") return true;
  const denyLiteral = new Set<string>();
  const denyPrefix = new Set<string>();
  const allows: { name: string; literal: boolean }[] = [];
  for (const b of index.all()) {
    if (b.resourceType !== r.resourceType) continue;
    if (b.host !== WILDCARD_HOST && b.host !== r.host) continue;
    if (b.principal !== r.principal && b.principal !== WILDCARD_PRINCIPAL) continue;
    if (b.operation !== r.operation && b.operation !== AclOperation.ALL) continue;
    const literal = b.patternType === PatternType.LITERAL;
    if (b.permission === AclPermission.DENY) {
      if (literal && b.resourceName === WILDCARD_RESOURCE) return false;
      (literal ? denyLiteral : denyPrefix).add(b.resourceName);
    } else if (b.permission === AclPermission.ALLOW) {
      if (literal && b.resourceName === WILDCARD_RESOURCE) return true;
      allows.push({ name: b.resourceName, literal });
    }
  }
  return allows.some(({ name, literal }) => {
    if (literal && denyLiteral.has(name)) return false;
    for (let end = 1; end <= name.length; end++)
      if (denyPrefix.has(name.slice(0, end))) return false;
    return true;
  });
}
