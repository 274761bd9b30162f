/**
 * Config value helpers shared by the config schema and the config handlers: Kafka's
 * type names and ids, its list syntax, and longs as storage numbers.
 */

const INT64_MAX = 9223372036854775807n;

export type ConfigType =
  | "boolean"
  | "string"
  | "int"
  | "short"
  | "long"
  | "double"
  | "list"
  | "class"
  | "password";

/** DescribeConfigs v3+ config_type ids. */
export const CONFIG_TYPE_ID: Readonly<Record<ConfigType, number>> = {
  boolean: 1,
  string: 2,
  int: 3,
  short: 4,
  long: 5,
  double: 6,
  list: 7,
  class: 8,
  password: 9,
};

/** A (checked) long as a storage number: Kafka's Long.MAX_VALUE ("never") saturates at 2^53-1. */
export function longToNumber(value: string): number {
  const v = value.trim();
  const n = /^[-+]?\d+$/.test(v) ? BigInt(v) : 0n;
  if (n >= BigInt(Number.MAX_SAFE_INTEGER)) return Number.MAX_SAFE_INTEGER;
  if (n <= BigInt(Number.MIN_SAFE_INTEGER)) return Number.MIN_SAFE_INTEGER;
  return Number(n);
}

/** The reverse: storage's saturated "never" is reported as Kafka's Long.MAX_VALUE. */
export function numberToLong(n: number): string {
  return n >= Number.MAX_SAFE_INTEGER ? INT64_MAX.toString() : String(Math.trunc(n));
}

export function parseList(value: string): string[] {
  return value
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}
