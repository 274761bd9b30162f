/**
 * Client quotas kept in the metadata log (one record per entity and key), changed by
 * AlterClientQuotas, listed by DescribeClientQuotas, read by the quota manager. Checks
 * and messages as Kafka's controller answers them; an entity's changes are applied
 * whole or not at all.
 */
import { ErrorCode } from "@logbook/protocol";
import { resolvableNames } from "./ip-names.js";
import { componentOf, entityId, IP, normalEntity, type QuotaEntity } from "./quota-entity.js";
import { type FilterComponent, isFilter, matches, parseFilter } from "./quota-filter.js";
import { checkEntity, checkKeyValue, isQuotaError, keysOf, type QuotaError } from "./quota-keys.js";

export interface StoredQuotas {
  readonly entity: QuotaEntity;
  readonly values: ReadonlyMap<string, number>;
}

export interface QuotaChange {
  readonly entity: QuotaEntity;
  readonly key: string;
  /** null removes the key from the entity. */
  readonly value: number | null;
}

/** Where quotas live (the metadata log, through the topic registry's shard). */
export interface ClientQuotaStore {
  /** By entity identity (quota-entity entityId). */
  readonly clientQuotas: ReadonlyMap<string, StoredQuotas>;
  /** Appends the changes as one batch; resolves once durable and replayed. */
  writeClientQuotas(changes: readonly QuotaChange[]): Promise<void>;
}

export interface QuotaAlteration {
  readonly entity: QuotaEntity;
  readonly ops: readonly { key: string; value: number; remove: boolean }[];
}

export interface AlterResult {
  readonly entity: QuotaEntity;
  readonly errorCode: number;
  readonly errorMessage: string | null;
}

export type DescribeResult =
  | { readonly error: QuotaError }
  | { readonly entries: readonly StoredQuotas[] };

/** As Kafka's ClientQuotaEntity prints itself in messages. */
function entityText(entity: QuotaEntity): string {
  return `ClientQuotaEntity(entries={${entity.map((c) => `${c.entityType}=${c.entityName}`).join(", ")}})`;
}

export class ClientQuotas {
  /** The last queued change: changes run one after another. */
  private tail: Promise<unknown> = Promise.resolve();

  constructor(private readonly store: ClientQuotaStore) {}

  /** The values set on exactly this entity. */
  valuesOf(entity: QuotaEntity): ReadonlyMap<string, number> | undefined {
    return this.store.clientQuotas.get(entityId(entity))?.values;
  }

  describe(components: readonly FilterComponent[], strict: boolean): DescribeResult {
    const filter = parseFilter(components, strict);
    if (!isFilter(filter)) return { error: filter };
    const entries = [...this.store.clientQuotas.values()].filter((q) => matches(filter, q.entity));
    return { entries };
  }

  alter(alterations: readonly QuotaAlteration[], validateOnly: boolean): Promise<AlterResult[]> {
    const run = this.tail.then(() => this.alterNow(alterations, validateOnly));
    this.tail = run.catch(() => undefined);
    return run;
  }

  private async alterNow(
    alterations: readonly QuotaAlteration[],
    validateOnly: boolean,
  ): Promise<AlterResult[]> {
    const changes: QuotaChange[] = [];
    const ipNames = alterations.flatMap((a) => {
      const ip = componentOf(a.entity, IP);
      return typeof ip === "string" && ip !== "" ? [ip] : [];
    });
    const resolvable = await resolvableNames(ipNames);
    const results = alterations.map((a): AlterResult => {
      const planned = this.plan(a, resolvable);
      if (!Array.isArray(planned)) return { entity: a.entity, ...planned };
      changes.push(...planned);
      return { entity: a.entity, errorCode: ErrorCode.NONE, errorMessage: null };
    });
    if (!validateOnly && changes.length > 0) await this.store.writeClientQuotas(changes);
    return results;
  }

  /** The records one alteration makes, or why it is refused. */
  private plan(a: QuotaAlteration, resolvable: ReadonlySet<string>): QuotaChange[] | QuotaError {
    const entity = normalEntity(a.entity);
    const bad = checkEntity(entity);
    if (bad !== undefined) return bad;
    const keys = keysOf(entity, resolvable);
    if (isQuotaError(keys)) return keys;
    const wanted = new Map<string, number | null>();
    for (const op of a.ops) {
      if (wanted.has(op.key))
        return {
          errorCode: ErrorCode.INVALID_REQUEST,
          // Kafka's words for a key named twice (its message speaks of the entity).
          errorMessage: `Ignoring duplicate entity ${entityText(a.entity)}`,
        };
      wanted.set(op.key, op.remove ? null : op.value);
    }
    const current = this.valuesOf(entity) ?? new Map<string, number>();
    const changes: QuotaChange[] = [];
    for (const [key, value] of wanted) {
      if (value === null) {
        if (current.has(key)) changes.push({ entity, key, value: null });
        continue;
      }
      const refused = checkKeyValue(keys, key, value);
      if (refused !== undefined) return refused;
      if (current.get(key) !== value) changes.push({ entity, key, value });
    }
    return changes;
  }
}
