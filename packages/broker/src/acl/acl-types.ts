/**
 * ACL bindings: a resource pattern (type, name, pattern type) and an access control entry
 * (principal, host, operation, permission), with the wire codes of @logbook/client.
 */
export {
  type AclBinding,
  type AclFilter,
  AclOperation,
  AclPermission,
  AclResourceType,
  CLUSTER_NAME,
  operationName,
  PatternType,
  patternTypeName,
  permissionName,
  resourceTypeName,
  WILDCARD_HOST,
  WILDCARD_PRINCIPAL,
  WILDCARD_RESOURCE,
} from "@logbook/client";

import type { AclBinding } from "@logbook/client";

/** A binding as the wire and the metadata log spell it (`permissionType`). */
export interface WireAclBinding {
  readonly resourceType: number;
  readonly resourceName: string;
  readonly patternType: number;
  readonly principal: string;
  readonly host: string;
  readonly operation: number;
  readonly permissionType: number;
}

export function bindingFromWire(w: WireAclBinding): AclBinding {
  return {
    resourceType: w.resourceType,
    resourceName: w.resourceName,
    patternType: w.patternType,
    principal: w.principal,
    host: w.host,
    operation: w.operation,
    permission: w.permissionType,
  };
}

export function bindingToWire(b: AclBinding): WireAclBinding {
  return {
    resourceType: b.resourceType,
    resourceName: b.resourceName,
    patternType: b.patternType,
    principal: b.principal,
    host: b.host,
    operation: b.operation,
    permissionType: b.permission,
  };
}

/** One binding's identity: two equal bindings are one ACL (Kafka stores a set). */
export function bindingKey(b: AclBinding): string {
  return JSON.stringify([
    b.resourceType,
    b.resourceName,
    b.patternType,
    b.principal,
    b.host,
    b.operation,
    b.permission,
  ]);
}
