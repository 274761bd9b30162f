/** connection_creation_rate of one address: its own ip entity's, else the ip default's. */
import type { ClientQuotas } from "./client-quotas.js";
import { IP } from "./quota-entity.js";
import { CONNECTION_CREATION_RATE } from "./quota-keys.js";

export function ipConnectionRate(
  stored: ClientQuotas,
  anyQuota: () => boolean,
): (address: string) => number | undefined {
  const DEFAULT = [{ entityType: IP, entityName: null }];
  return (address) => {
    if (!anyQuota()) return undefined;
    const own = stored.valuesOf([{ entityType: IP, entityName: address }]);
    return (
      own?.get(CONNECTION_CREATION_RATE) ?? stored.valuesOf(DEFAULT)?.get(CONNECTION_CREATION_RATE)
    );
  };
}
