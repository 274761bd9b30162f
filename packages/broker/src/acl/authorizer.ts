/**
 * The broker's authorizer (Kafka's StandardAuthorizer semantics): the ACL bindings kept
 * in the metadata log, indexed in memory, and the decisions every handler asks for.
 *
 * Concurrency: checks read the index synchronously; changes (CreateAcls, DeleteAcls) run
 * one after another, each written to the metadata log before the index takes it, so a
 * binding is enforced only once it is durable, and two deletes cannot both claim one
 * binding.
 */
import type { Logger } from "@logbook/storage";
import { filterMatches } from "./acl-filter.js";
import { AclIndex } from "./acl-index.js";
import { type AclPolicy, type AclRequest, decide } from "./acl-match.js";
import type { AclStore } from "./acl-store.js";
import {
  type AclBinding,
  type AclFilter,
  bindingKey,
  operationName,
  patternTypeName,
  permissionName,
  resourceTypeName,
} from "./acl-types.js";
import { allowedOnSomeResource } from "./by-resource-type.js";

export interface AuthorizerSettings {
  readonly authorizerClassName: string;
  readonly superUsers: readonly string[];
  readonly allowEveryoneIfNoAclFound: boolean;
}

export class Authorizer {
  private readonly index = new AclIndex();
  private readonly policy: AclPolicy;
  private tail: Promise<unknown> = Promise.resolve();

  private constructor(
    settings: AuthorizerSettings,
    private readonly store: AclStore,
    private readonly logger: Logger,
  ) {
    this.policy = {
      superUsers: new Set(settings.superUsers),
      allowEveryoneIfNoAclFound: settings.allowEveryoneIfNoAclFound,
    };
    for (const b of store.aclBindings()) this.index.add(b);
  }

  /** The configured authorizer with the stored bindings, or null when none is configured. */
  static open(settings: AuthorizerSettings, store: AclStore, logger: Logger): Authorizer | null {
    if (settings.authorizerClassName === "") return null;
    const a = new Authorizer(settings, store, logger.child({ component: "authorizer" }));
    a.logger.info("authorizer started", {
      acls: a.index.size,
      superUsers: settings.superUsers.join(";"),
      allowEveryoneIfNoAclFound: settings.allowEveryoneIfNoAclFound,
    });
    return a;
  }

  /**
   * One decision, logged as Kafka's authorizer logger does: a denial at INFO, an allow at
   * DEBUG; `quiet` logs a denial at DEBUG too (a filter such as Metadata's topic list,
   * where leaving something out is not a refusal).
   */
  authorize(r: AclRequest, api: number, quiet = false): boolean {
    const decision = decide(this.index, this.policy, r);
    const fields = {
      principal: r.principal,
      operation: operationName(r.operation),
      resource: `${resourceTypeName(r.resourceType)}:${r.resourceName}`,
      host: r.host,
      api,
      decision,
    };
    if (decision === "DENIED" && !quiet) this.logger.info("authorization denied", fields);
    else this.logger.debug(`authorization ${decision.toLowerCase()}`, fields);
    return decision === "ALLOWED";
  }

  /** Whether the principal may do the operation on at least one resource of the type. */
  authorizeByResourceType(r: Omit<AclRequest, "resourceName">, api: number): boolean {
    const ok = allowedOnSomeResource(this.index, this.policy, r);
    this.logger.debug(`authorization by resource type ${ok ? "allowed" : "denied"}`, {
      principal: r.principal,
      operation: operationName(r.operation),
      resource: `${resourceTypeName(r.resourceType)}:*`,
      host: r.host,
      api,
    });
    return ok;
  }

  /** Every binding a filter matches. */
  describe(filter: AclFilter): AclBinding[] {
    return [...this.index.all()].filter((b) => filterMatches(filter, b));
  }

  /** Adds bindings (already validated); an existing equal binding is left as it is. */
  create(bindings: readonly AclBinding[]): Promise<void> {
    return this.change(async () => {
      const fresh = new Map<string, AclBinding>();
      for (const b of bindings) if (!this.index.has(b)) fresh.set(bindingKey(b), b);
      if (fresh.size === 0) return;
      await this.store.writeAcls(
        [...fresh.values()].map((binding) => ({ binding, removed: false })),
      );
      for (const b of fresh.values()) {
        this.index.add(b);
        this.logger.info("acl created", describeBinding(b));
      }
    });
  }

  /** Removes what each filter matches; per filter, the bindings it removed. */
  delete(filters: readonly AclFilter[]): Promise<AclBinding[][]> {
    return this.change(async () => {
      // A binding two filters match is reported by both, as Kafka (4.4.0) does.
      const matched = filters.map((f) => this.describe(f));
      const gone = new Map<string, AclBinding>();
      for (const list of matched) for (const b of list) gone.set(bindingKey(b), b);
      if (gone.size > 0) {
        await this.store.writeAcls(
          [...gone.values()].map((binding) => ({ binding, removed: true })),
        );
      }
      for (const b of gone.values()) {
        this.index.remove(b);
        this.logger.info("acl deleted", describeBinding(b));
      }
      return matched;
    });
  }

  private change<T>(work: () => Promise<T>): Promise<T> {
    const run = this.tail.then(work);
    // A failed write must not stop the changes queued after it.
    this.tail = run.catch(() => undefined);
    return run;
  }
}

function describeBinding(b: AclBinding): Record<string, string> {
  return {
    resource: `${resourceTypeName(b.resourceType)}:${patternTypeName(b.patternType)}:${b.resourceName}`,
    principal: b.principal,
    host: b.host,
    operation: operationName(b.operation),
    permission: permissionName(b.permission),
  };
}
