/**
 * Which quota keys each entity accepts and which values, with Kafka's checks and
 * messages (its controller validates AlterClientQuotas this way): user and client-id
 * entities take the byte rates, request_percentage and controller_mutation_rate; an ip
 * entity takes connection_creation_rate only.
 */
import { ErrorCode } from "@logbook/protocol";
import { CLIENT_ID, componentOf, IP, type QuotaEntity, USER } from "./quota-entity.js";

export const PRODUCER_BYTE_RATE = "producer_byte_rate";
export const CONSUMER_BYTE_RATE = "consumer_byte_rate";
export const REQUEST_PERCENTAGE = "request_percentage";
export const CONTROLLER_MUTATION_RATE = "controller_mutation_rate";
export const CONNECTION_CREATION_RATE = "connection_creation_rate";

export type ValueType = "long" | "int" | "double";

const USER_CLIENT_KEYS: ReadonlyMap<string, ValueType> = new Map([
  [PRODUCER_BYTE_RATE, "long"],
  [CONSUMER_BYTE_RATE, "long"],
  [REQUEST_PERCENTAGE, "double"],
  [CONTROLLER_MUTATION_RATE, "double"],
]);
const IP_KEYS: ReadonlyMap<string, ValueType> = new Map([[CONNECTION_CREATION_RATE, "int"]]);

export interface QuotaError {
  readonly errorCode: number;
  readonly errorMessage: string;
}

export function isQuotaError(x: object): x is QuotaError {
  return "errorCode" in x;
}

function invalid(errorMessage: string): QuotaError {
  return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage };
}

/** An entity's own shape: known types, each once, no empty name. */
export function checkEntity(entity: QuotaEntity): QuotaError | undefined {
  if (entity.length === 0) return invalid("Invalid empty client quota entity");
  const seen = new Set<string>();
  for (const { entityType, entityName } of entity) {
    if (seen.has(entityType))
      return invalid(`Invalid client quota entity, duplicate entity entry ${entityType}`);
    if (entityType !== USER && entityType !== CLIENT_ID && entityType !== IP)
      return invalid(`Unhandled client quota entity type: ${entityType}`);
    seen.add(entityType);
    if (entityName === "") return invalid(`Empty ${entityType} not supported`);
  }
  return undefined;
}

/**
 * The keys an entity accepts, or why it accepts none. `resolvable` holds the ip names
 * that are addresses or resolve (ip-names.ts; looked up before, as it is asynchronous).
 */
export function keysOf(
  entity: QuotaEntity,
  resolvable: ReadonlySet<string>,
): ReadonlyMap<string, ValueType> | QuotaError {
  const ip = componentOf(entity, IP);
  if (ip !== undefined) {
    if (componentOf(entity, USER) !== undefined || componentOf(entity, CLIENT_ID) !== undefined)
      return invalid(
        "Invalid quota entity combination, IP entity shouldnot be combined with User or ClientId",
      );
    if (ip !== null && !resolvable.has(ip))
      return invalid(`${ip} is not a valid IP or resolvable host.`);
    return IP_KEYS;
  }
  return USER_CLIENT_KEYS;
}

const INTEGRAL_LIMITS: Record<"int" | "long", { max: number; name: string }> = {
  int: { max: 2147483647, name: "an INT" },
  long: { max: 9.223372036854776e18, name: "a LONG" },
};

/** One key and value set on an entity accepting `keys`. */
export function checkKeyValue(
  keys: ReadonlyMap<string, ValueType>,
  key: string,
  value: number,
): QuotaError | undefined {
  const type = keys.get(key);
  if (type === undefined) return invalid(`Invalid configuration key ${key}`);
  if (!Number.isFinite(value)) return invalid(`Quota ${key} must be a finite number`);
  if (value <= 0) return invalid(`Quota ${key} must be greater than 0`);
  if (type === "double") return undefined;
  const limit = INTEGRAL_LIMITS[type];
  if (value > limit.max)
    return invalid(`Proposed value for ${key} is too large for ${limit.name}.`);
  if (Math.abs(value % 1) > 1e-6) return invalid(`${key} cannot be a fractional value.`);
  return undefined;
}
