/**
 * A client-quota entity as Kafka names it: one or two components (user, client-id;
 * or ip alone), each with a name or null for the type's default (`<default>` in
 * kafka-configs). Kept sorted by type so one entity has one identity.
 */
export const USER = "user";
export const CLIENT_ID = "client-id";
export const IP = "ip";

export interface EntityComponent {
  readonly entityType: string;
  /** null = the default entity of the type. */
  readonly entityName: string | null;
}

export type QuotaEntity = readonly EntityComponent[];

/** The entity with its components in one order (by type). */
export function normalEntity(components: readonly EntityComponent[]): QuotaEntity {
  return [...components]
    .map((c) => ({ entityType: c.entityType, entityName: c.entityName }))
    .sort((a, b) => (a.entityType < b.entityType ? -1 : a.entityType > b.entityType ? 1 : 0));
}

/** One string per entity (map keys, the metadata record key). */
export function entityId(entity: QuotaEntity): string {
  return JSON.stringify(normalEntity(entity).map((c) => [c.entityType, c.entityName]));
}

/** The component of one type: undefined when absent, null when the default. */
export function componentOf(entity: QuotaEntity, type: string): string | null | undefined {
  const c = entity.find((e) => e.entityType === type);
  return c === undefined ? undefined : c.entityName;
}
