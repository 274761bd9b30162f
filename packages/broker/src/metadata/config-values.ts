/**
 * Parsing and checking of config values as strings, the way Kafka's ConfigDef types
 * them. Each checker returns an error message, or null when the value is acceptable.
 */

const INT64_MAX = 9223372036854775807n;
const INT64_MIN = -9223372036854775808n;
const INT32_MAX = 2147483647;
const INT32_MIN = -2147483648;

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

export type ValueCheck = (value: string) => string | null;

export function parseBoolean(value: string): boolean | undefined {
  const v = value.trim().toLowerCase();
  return v === "true" ? true : v === "false" ? false : undefined;
}

/** Integers as bigint (longs exceed 2^53); undefined when not an integer. */
export function parseInteger(value: string): bigint | undefined {
  const v = value.trim();
  return /^[-+]?\d+$/.test(v) ? BigInt(v) : undefined;
}

/** A long as a storage number: Kafka's Long.MAX_VALUE ("never") saturates at 2^53-1. */
export function longToNumber(value: string): number {
  const n = parseInteger(value) ?? 0n;
  if (n >= BigInt(Number.MAX_SAFE_INTEGER)) return Number.MAX_SAFE_INTEGER;
  if (n <= BigInt(Number.MIN_SAFE_INTEGER)) return Number.MIN_SAFE_INTEGER;
  return Number(n);
}

/** The reverse: storage's saturated "never" is reported as Kafka's Long.MAX_VALUE. */
export function numberToLong(n: number): string {
  return n >= Number.MAX_SAFE_INTEGER ? INT64_MAX.toString() : String(Math.trunc(n));
}

export const LONG_MAX = INT64_MAX.toString();

export function parseList(value: string): string[] {
  return value
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

function invalid(name: string, value: string, why: string): string {
  return `Invalid value ${value} for configuration ${name}: ${why}`;
}

/** Checks the value's type, then an optional range or choice. */
export function typeCheck(name: string, type: ConfigType, value: string): string | null {
  switch (type) {
    case "boolean":
      return parseBoolean(value) === undefined
        ? invalid(name, value, "Expected value to be either true or false")
        : null;
    case "int":
    case "short":
    case "long": {
      const n = parseInteger(value);
      const [lo, hi] =
        type === "long"
          ? [INT64_MIN, INT64_MAX]
          : type === "int"
            ? [BigInt(INT32_MIN), BigInt(INT32_MAX)]
            : [-32768n, 32767n];
      if (n === undefined || n < lo || n > hi) {
        return invalid(name, value, `Not a number of type ${type.toUpperCase()}`);
      }
      return null;
    }
    case "double":
      return value.trim() === "" || !Number.isFinite(Number(value))
        ? invalid(name, value, "Not a number of type DOUBLE")
        : null;
    default:
      return null;
  }
}

export function atLeast(name: string, min: bigint): ValueCheck {
  return (value) => {
    const n = parseInteger(value);
    return n !== undefined && n < min
      ? invalid(name, value, `Value must be at least ${min}`)
      : null;
  };
}

export function between(name: string, min: number, max: number): ValueCheck {
  return (value) => {
    const n = Number(value);
    return n < min || n > max
      ? invalid(name, value, `Value must be between ${min} and ${max}`)
      : null;
  };
}

export function oneOf(name: string, choices: readonly string[]): ValueCheck {
  return (value) =>
    choices.includes(value.trim())
      ? null
      : invalid(name, value, `String must be one of: ${choices.join(", ")}`);
}

export function listOf(name: string, choices: readonly string[], allowEmpty: boolean): ValueCheck {
  return (value) => {
    const items = parseList(value);
    if (items.length === 0 && !allowEmpty) return invalid(name, value, "Empty list not allowed");
    const bad = items.find((i) => !choices.includes(i));
    return bad === undefined
      ? null
      : invalid(name, value, `Unknown value "${bad}"; expected a list of ${choices.join(", ")}`);
  };
}

export function matches(name: string, pattern: RegExp, what: string): ValueCheck {
  return (value) => (pattern.test(value.trim()) ? null : invalid(name, value, what));
}
