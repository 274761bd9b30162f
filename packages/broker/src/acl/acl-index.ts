/**
 * The ACL bindings of a broker, indexed so a check looks up only the bindings that can
 * apply to one resource: by resource type, then the literal name, the `*` literal and
 * every prefix of the name (one map lookup each), never a scan of every ACL.
 */
import { type AclBinding, bindingKey, PatternType, WILDCARD_RESOURCE } from "./acl-types.js";

interface TypeIndex {
  readonly literal: Map<string, Map<string, AclBinding>>;
  readonly prefixed: Map<string, Map<string, AclBinding>>;
}

export class AclIndex {
  private readonly byType = new Map<number, TypeIndex>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Adds a binding; false when an equal one is already there. */
  add(b: AclBinding): boolean {
    let t = this.byType.get(b.resourceType);
    if (t === undefined) {
      t = { literal: new Map(), prefixed: new Map() };
      this.byType.set(b.resourceType, t);
    }
    const byName = b.patternType === PatternType.PREFIXED ? t.prefixed : t.literal;
    let set = byName.get(b.resourceName);
    if (set === undefined) {
      set = new Map();
      byName.set(b.resourceName, set);
    }
    const key = bindingKey(b);
    if (set.has(key)) return false;
    set.set(key, b);
    this.count++;
    return true;
  }

  /** Removes a binding; false when it was not there. */
  remove(b: AclBinding): boolean {
    const t = this.byType.get(b.resourceType);
    const byName = b.patternType === PatternType.PREFIXED ? t?.prefixed : t?.literal;
    const set = byName?.get(b.resourceName);
    if (set === undefined || !set.delete(bindingKey(b))) return false;
    if (set.size === 0) byName?.delete(b.resourceName);
    this.count--;
    return true;
  }

  has(b: AclBinding): boolean {
    const t = this.byType.get(b.resourceType);
    const byName = b.patternType === PatternType.PREFIXED ? t?.prefixed : t?.literal;
    return byName?.get(b.resourceName)?.has(bindingKey(b)) ?? false;
  }

  /** Every binding whose pattern covers this resource (literal, `*`, or a prefix of the name). */
  *covering(resourceType: number, name: string): Generator<AclBinding> {
    const t = this.byType.get(resourceType);
    if (t === undefined) return;
    yield* t.literal.get(name)?.values() ?? [];
    if (name !== WILDCARD_RESOURCE) yield* t.literal.get(WILDCARD_RESOURCE)?.values() ?? [];
    if (t.prefixed.size === 0) return;
    for (let end = 1; end <= name.length; end++) {
      yield* t.prefixed.get(name.slice(0, end))?.values() ?? [];
    }
  }

  /** Every binding (DescribeAcls and DeleteAcls filter these). */
  *all(): Generator<AclBinding> {
    for (const t of this.byType.values()) {
      for (const set of t.literal.values()) yield* set.values();
      for (const set of t.prefixed.values()) yield* set.values();
    }
  }
}
