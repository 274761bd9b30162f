/**
 * DescribeClientQuotas filters, with Kafka's checks and messages: each component names
 * one type and matches an exact name (0), the default (1) or any entity of the type
 * (2; Kafka's MATCH_TYPE_SPECIFIED, which the default entity matches too);
 * `strict` keeps only entities with no other component.
 */
import { ErrorCode } from "@logbook/protocol";
import { CLIENT_ID, IP, type QuotaEntity, USER } from "./quota-entity.js";
import type { QuotaError } from "./quota-keys.js";

export const MatchType = { EXACT: 0, DEFAULT: 1, SPECIFIED: 2 } as const;

export interface FilterComponent {
  readonly entityType: string;
  readonly matchType: number;
  readonly match: string | null;
}

export interface QuotaFilter {
  /** Type -> the exact name wanted (null: the default entity). */
  readonly exact: ReadonlyMap<string, string | null>;
  /** Types the entity must have (any name, the default included). */
  readonly specified: ReadonlySet<string>;
  readonly strict: boolean;
}

function invalid(errorMessage: string): QuotaError {
  return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage };
}

export function parseFilter(
  components: readonly FilterComponent[],
  strict: boolean,
): QuotaFilter | QuotaError {
  const exact = new Map<string, string | null>();
  const specified = new Set<string>();
  for (const c of components) {
    if (c.entityType === "") return invalid("Invalid empty entity type.");
    if (exact.has(c.entityType) || specified.has(c.entityType))
      return invalid(`Entity type ${c.entityType} cannot appear more than once in the filter.`);
    if (c.entityType !== IP && c.entityType !== USER && c.entityType !== CLIENT_ID)
      return {
        errorCode: ErrorCode.UNSUPPORTED_VERSION,
        errorMessage: `Unsupported entity type ${c.entityType}`,
      };
    if (c.matchType === MatchType.EXACT) {
      if (c.match === null)
        return invalid("Request specified MATCH_TYPE_EXACT, but set match string to null.");
      exact.set(c.entityType, c.match);
    } else if (c.matchType === MatchType.DEFAULT) {
      if (c.match !== null)
        return invalid("Request specified MATCH_TYPE_DEFAULT, but also specified a match string.");
      exact.set(c.entityType, null);
    } else if (c.matchType === MatchType.SPECIFIED) {
      if (c.match !== null)
        return invalid(
          "Request specified MATCH_TYPE_SPECIFIED, but also specified a match string.",
        );
      specified.add(c.entityType);
    } else return invalid(`Unknown match type ${c.matchType}`);
  }
  const has = (t: string) => exact.has(t) || specified.has(t);
  if (has(IP) && (has(USER) || has(CLIENT_ID)))
    return invalid(
      "Invalid entity filter component combination. IP filter component should not be used with user or clientId filter component.",
    );
  return { exact, specified, strict };
}

export function isFilter(f: QuotaFilter | QuotaError): f is QuotaFilter {
  return "exact" in f;
}

export function matches(filter: QuotaFilter, entity: QuotaEntity): boolean {
  if (filter.strict && entity.length !== filter.exact.size + filter.specified.size) return false;
  for (const [type, name] of filter.exact) {
    const c = entity.find((e) => e.entityType === type);
    if (c === undefined || c.entityName !== name) return false;
  }
  // As Kafka: "any specified name" matches the default entity of the type too.
  for (const type of filter.specified) if (!entity.some((e) => e.entityType === type)) return false;
  return true;
}
