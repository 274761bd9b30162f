/**
 * connection_creation_rate of one address, as Kafka's ConnectionQuotas reads it: the
 * address's own ip entity (named by the address, or by a host name resolving to it),
 * else the ip default. Host names are resolved in the background the first time they
 * are seen, so a quota set on a name applies from a moment after it is set.
 */
import { isIP } from "node:net";
import type { StoredQuotas } from "./client-quotas.js";
import { addressesOf } from "./ip-names.js";
import { entityId, IP } from "./quota-entity.js";
import { CONNECTION_CREATION_RATE } from "./quota-keys.js";

const DEFAULT_ID = entityId([{ entityType: IP, entityName: null }]);

export function ipConnectionRate(
  quotas: ReadonlyMap<string, StoredQuotas>,
): (address: string) => number | undefined {
  const resolved = new Map<string, readonly string[]>();
  const byName = (address: string): number | undefined => {
    for (const q of quotas.values()) {
      const c = q.entity[0];
      if (q.entity.length !== 1 || c?.entityType !== IP || c.entityName === null) continue;
      const name = c.entityName;
      if (isIP(name) !== 0) continue;
      const addresses = resolved.get(name);
      if (addresses === undefined) {
        resolved.set(name, []);
        addressesOf(name).then((a) => resolved.set(name, a));
      } else if (addresses.includes(address)) return q.values.get(CONNECTION_CREATION_RATE);
    }
    return undefined;
  };
  return (address) => {
    if (quotas.size === 0) return undefined;
    const own = quotas.get(entityId([{ entityType: IP, entityName: address }]));
    return (
      own?.values.get(CONNECTION_CREATION_RATE) ??
      byName(address) ??
      quotas.get(DEFAULT_ID)?.values.get(CONNECTION_CREATION_RATE)
    );
  };
}
