/**
 * The checks CreateAcls applies to each new binding before storing it, in Kafka's order
 * and with its messages (INVALID_REQUEST for every refusal).
 */
import {
  type AclBinding,
  AclOperation,
  AclPermission,
  AclResourceType,
  CLUSTER_NAME,
  operationName,
  PatternType,
  patternTypeName,
  permissionName,
  resourceTypeName,
} from "./acl-types.js";

/** Why a new binding is refused, or null when it may be stored. */
export function invalidBinding(b: AclBinding): string | null {
  if (b.resourceType === AclResourceType.CLUSTER && b.resourceName !== CLUSTER_NAME)
    return `The only valid name for the CLUSTER resource is ${CLUSTER_NAME}`;
  if (b.resourceName === "") return "Invalid empty resource name";
  if (
    b.resourceType === AclResourceType.UNKNOWN ||
    b.resourceType === AclResourceType.ANY ||
    resourceTypeName(b.resourceType) === "UNKNOWN"
  )
    return `Invalid resourceType ${resourceTypeName(b.resourceType)}`;
  if (b.patternType !== PatternType.LITERAL && b.patternType !== PatternType.PREFIXED)
    return `Invalid patternType ${patternTypeName(b.patternType)}`;
  if (
    b.operation === AclOperation.UNKNOWN ||
    b.operation === AclOperation.ANY ||
    operationName(b.operation) === "UNKNOWN"
  )
    return `Invalid operation ${operationName(b.operation)}`;
  if (b.permission !== AclPermission.ALLOW && b.permission !== AclPermission.DENY)
    return `Invalid permissionType ${permissionName(b.permission)}`;
  if (!b.principal.includes(":"))
    return `Could not parse principal from \`${b.principal}\` (no colon is present separating the principal type from the principal name)`;
  return null;
}

/**
 * A code only filters use (ANY, MATCH) or none Kafka knows, in a binding to create:
 * Kafka refuses the whole CreateAcls request then, UNKNOWN_SERVER_ERROR for every
 * creation (seen on Kafka 4.4.0 by the differential tests).
 */
export function hasFilterOnlyCode(b: AclBinding): boolean {
  return (
    b.resourceType === AclResourceType.ANY ||
    resourceTypeName(b.resourceType) === "UNKNOWN" ||
    (b.patternType !== PatternType.LITERAL && b.patternType !== PatternType.PREFIXED) ||
    b.operation === AclOperation.ANY ||
    operationName(b.operation) === "UNKNOWN" ||
    (b.permission !== AclPermission.ALLOW && b.permission !== AclPermission.DENY)
  );
}
