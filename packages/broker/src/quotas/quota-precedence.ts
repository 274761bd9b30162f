/**
 * Which configured quota applies to a (user, client-id) pair, in Kafka's order (its
 * documentation's table, most specific first):
 *   user + client-id, user + default client-id, user alone,
 *   default user + client-id, default user + default client-id, default user,
 *   client-id alone, default client-id.
 * The first entity that sets the key wins; its entity is returned so that every
 * connection sharing it shares one measured rate, as Kafka's sensors do.
 */
import { CLIENT_ID, type QuotaEntity, USER } from "./quota-entity.js";

export function precedenceOf(user: string, clientId: string): QuotaEntity[] {
  const u = (name: string | null) => ({ entityType: USER, entityName: name });
  const c = (name: string | null) => ({ entityType: CLIENT_ID, entityName: name });
  return [
    [c(clientId), u(user)],
    [c(null), u(user)],
    [u(user)],
    [c(clientId), u(null)],
    [c(null), u(null)],
    [u(null)],
    [c(clientId)],
    [c(null)],
  ];
}

export interface AppliedQuota {
  readonly entity: QuotaEntity;
  readonly value: number;
}

/** The quota on `key` for the pair, or undefined when none is configured. */
export function quotaFor(
  user: string,
  clientId: string,
  key: string,
  valuesOf: (entity: QuotaEntity) => ReadonlyMap<string, number> | undefined,
): AppliedQuota | undefined {
  for (const entity of precedenceOf(user, clientId)) {
    const value = valuesOf(entity)?.get(key);
    if (value !== undefined) return { entity, value };
  }
  return undefined;
}
