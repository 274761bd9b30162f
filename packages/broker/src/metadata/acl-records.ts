/** ACL bindings as the metadata log's AclBindingRecord keeps them. */
import { type AclBindingRecord, createAclBindingRecord } from "@logbook/protocol";
import type { AclChange } from "../acl/acl-store.js";
import { type AclBinding, bindingKey } from "../acl/acl-types.js";
import type { MetadataEvent } from "./metadata-records.js";

export function bindingOf(r: AclBindingRecord): AclBinding {
  return {
    resourceType: r.resourceType,
    resourceName: r.resourceName,
    patternType: r.patternType,
    principal: r.principal,
    host: r.host,
    operation: r.operation,
    permission: r.permissionType,
  };
}

/** The record of an added binding, or the tombstone of a removed one. */
export function aclEvent(c: AclChange): MetadataEvent {
  const b = c.binding;
  return {
    kind: "acl",
    id: bindingKey(b),
    resourceType: b.resourceType,
    record: c.removed
      ? null
      : createAclBindingRecord({
          resourceType: b.resourceType,
          resourceName: b.resourceName,
          patternType: b.patternType,
          principal: b.principal,
          host: b.host,
          operation: b.operation,
          permissionType: b.permission,
        }),
  };
}
