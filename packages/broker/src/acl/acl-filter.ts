/**
 * DescribeAcls/DeleteAcls filters, as Kafka's AclBindingFilter: ANY codes and null
 * strings match everything; pattern type ANY matches both pattern types by exact name,
 * MATCH matches every binding that would apply to the named resource (the literal name,
 * the `*` literal and every prefix of it). Principal and host match exactly.
 */
import {
  type AclBinding,
  type AclFilter,
  AclOperation,
  AclPermission,
  AclResourceType,
  PatternType,
  WILDCARD_RESOURCE,
} from "./acl-types.js";

function patternMatches(f: AclFilter, b: AclBinding): boolean {
  if (f.resourceType !== AclResourceType.ANY && f.resourceType !== b.resourceType) return false;
  const anyPattern = f.patternType === PatternType.ANY || f.patternType === PatternType.MATCH;
  if (!anyPattern && f.patternType !== b.patternType) return false;
  if (f.resourceName === null) return true;
  if (f.patternType !== PatternType.MATCH) return f.resourceName === b.resourceName;
  if (b.patternType === PatternType.PREFIXED) return f.resourceName.startsWith(b.resourceName);
  return f.resourceName === b.resourceName || b.resourceName === WILDCARD_RESOURCE;
}

export function filterMatches(f: AclFilter, b: AclBinding): boolean {
  return (
    patternMatches(f, b) &&
    (f.principal === null || f.principal === b.principal) &&
    (f.host === null || f.host === b.host) &&
    (f.operation === AclOperation.ANY || f.operation === b.operation) &&
    (f.permission === AclPermission.ANY || f.permission === b.permission)
  );
}

/** The first field of a filter that can never match (Kafka refuses such a filter), or null. */
export function unknownFilterField(f: AclFilter): string | null {
  if (f.resourceType === AclResourceType.UNKNOWN) return "resourceType";
  if (f.patternType === PatternType.UNKNOWN) return "patternType";
  if (f.operation === AclOperation.UNKNOWN) return "operation";
  if (f.permission === AclPermission.UNKNOWN) return "permissionType";
  return null;
}
