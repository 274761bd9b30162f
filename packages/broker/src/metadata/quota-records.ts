/** Client quotas as the metadata log's ClientQuotaRecord keeps them: one per entity and key. */
import { type ClientQuotaRecord, createClientQuotaRecord } from "@logbook/protocol";
import type { QuotaChange, StoredQuotas } from "../quotas/client-quotas.js";
import { entityId } from "../quotas/quota-entity.js";
import type { MetadataEvent } from "./metadata-records.js";

/** The record key's name: the entity and the quota key. */
export function quotaRecordId(c: { entity: QuotaChange["entity"]; key: string }): string {
  return JSON.stringify([entityId(c.entity), c.key]);
}

/** The record of a set quota, or the tombstone of a removed one. */
export function quotaEvent(c: QuotaChange): MetadataEvent {
  return {
    kind: "quota",
    id: quotaRecordId(c),
    record:
      c.value === null
        ? null
        : createClientQuotaRecord({
            entity: c.entity.map((e) => ({ entityType: e.entityType, entityName: e.entityName })),
            key: c.key,
            value: c.value,
          }),
  };
}

/** Replays one quota record into the quotas by entity (an entity with none left goes). */
export function replayQuota(
  quotas: Map<string, StoredQuotas>,
  id: string,
  record: ClientQuotaRecord | null,
): void {
  const [entity, key] = JSON.parse(id) as [string, string];
  const before = quotas.get(entity);
  const values = new Map(before?.values ?? []);
  if (record === null) values.delete(key);
  else values.set(key, record.value);
  if (values.size === 0) {
    quotas.delete(entity);
    return;
  }
  const components =
    before?.entity ??
    (record === null
      ? []
      : record.entity.map((e) => ({ entityType: e.entityType, entityName: e.entityName })));
  quotas.set(entity, { entity: components, values });
}
