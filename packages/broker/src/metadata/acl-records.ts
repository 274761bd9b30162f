/** ACL bindings as the metadata log's AclBindingRecord keeps them. */
import { createAclBindingRecord } from "@logbook/protocol";
import type { AclChange } from "../acl/acl-store.js";
import { bindingKey, bindingToWire } from "../acl/acl-types.js";
import type { MetadataEvent } from "./metadata-records.js";

/** The record of an added binding, or the tombstone of a removed one. */
export function aclEvent(c: AclChange): MetadataEvent {
  const b = c.binding;
  return {
    kind: "acl",
    id: bindingKey(b),
    resourceType: b.resourceType,
    record: c.removed ? null : createAclBindingRecord(bindingToWire(b)),
  };
}
