import type { AclBinding } from "./acl-types.js";

/** One change to the stored ACLs: a binding added, or removed. */
export interface AclChange {
  readonly binding: AclBinding;
  readonly removed: boolean;
}

/** Where ACL bindings are kept (the metadata log, through the topic registry's shard). */
export interface AclStore {
  /** Every stored binding, as replayed at start-up. */
  aclBindings(): AclBinding[];
  /** Stores the changes as one batch; resolves once durable. */
  writeAcls(changes: readonly AclChange[]): Promise<void>;
}
