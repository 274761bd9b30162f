/**
 * Value kinds of the config schema: how a setting's text is parsed and checked, and
 * how its typed value is written back, in the way Kafka's ConfigDef types them. The
 * same kind checks a broker setting from a file, a flag or the environment and a topic
 * override from AlterConfigs, so a value is never parsed twice by different rules.
 */
import { type ConfigType, numberToLong, parseList } from "../metadata/config-values.js";

/** A value a kind refuses; the message is the reason only, callers say where it came from. */
export class ConfigValueError extends Error {
  override readonly name = "ConfigValueError";
}

export interface Kind<T> {
  /** Kafka's type, as DescribeConfigs reports it. */
  readonly type: ConfigType;
  /** Parses and checks a value; throws ConfigValueError with the reason. */
  parse(raw: string): T;
  /** The value as Kafka would print it (DescribeConfigs, docs). */
  format(value: T): string;
}

const INT32 = { min: -(2 ** 31), max: 2 ** 31 - 1 };
/** The longest a timer can wait (setTimeout's limit). */
export const TIMER_MAX_MS = INT32.max;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

function integerText(raw: string, type: "INT" | "LONG"): bigint {
  const v = raw.trim();
  if (!/^[-+]?\d+$/.test(v)) throw new ConfigValueError(`Not a number of type ${type}`);
  return BigInt(v);
}

function checkRange(n: number | bigint, min?: number, max?: number): void {
  if (min !== undefined && max !== undefined && (n < min || n > max))
    throw new ConfigValueError(`Value must be between ${min} and ${max}`);
  if (min !== undefined && n < min) throw new ConfigValueError(`Value must be at least ${min}`);
}

/** A 32-bit integer, optionally in [min, max]. */
export function int(min?: number, max?: number): Kind<number> {
  return {
    type: "int",
    parse(raw) {
      const n = integerText(raw, "INT");
      if (n < INT32.min || n > INT32.max) throw new ConfigValueError("Not a number of type INT");
      checkRange(n, min, max);
      return Number(n);
    },
    format: String,
  };
}

/**
 * A Kafka long (milliseconds, bytes, counts), optionally in [min, max] (a max keeps
 * timer intervals within what setTimeout can wait). Kafka writes "forever"
 * as Long.MAX_VALUE, which a JS number cannot hold exactly: anything above 2^53-1 is
 * kept as 2^53-1, which means the same in practice and prints as Long.MAX_VALUE again.
 */
export function long(min?: number, max?: number): Kind<number> {
  return {
    type: "long",
    parse(raw) {
      const n = integerText(raw, "LONG");
      if (n < INT64_MIN || n > INT64_MAX) throw new ConfigValueError("Not a number of type LONG");
      checkRange(n, min, max);
      if (n >= BigInt(Number.MAX_SAFE_INTEGER)) return Number.MAX_SAFE_INTEGER;
      return Number(n);
    },
    format: numberToLong,
  };
}

/**
 * A count of `unit` milliseconds stored as milliseconds (log.retention.hours feeds the
 * same field as log.retention.ms). Negative values mean "never" and are kept as they are.
 */
export function inUnits(base: Kind<number>, unit: number): Kind<number> {
  return {
    type: base.type,
    parse: (raw) => {
      const n = base.parse(raw);
      return n < 0 ? n : n * unit;
    },
    format: (ms) => base.format(ms < 0 ? ms : Math.floor(ms / unit)),
  };
}

/** An int where Kafka's Int.MAX_VALUE default means "no limit" (stored as Infinity). */
export function intOrUnbounded(min: number): Kind<number> {
  const base = int(min);
  return {
    type: "int",
    parse: (raw) => {
      const n = base.parse(raw);
      return n === INT32.max ? Number.POSITIVE_INFINITY : n;
    },
    format: (v) => (Number.isFinite(v) ? String(v) : String(INT32.max)),
  };
}

export function double(min: number, max: number): Kind<number> {
  return {
    type: "double",
    parse(raw) {
      const v = raw.trim();
      if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(v))
        throw new ConfigValueError("Not a number of type DOUBLE");
      const n = Number(v);
      checkRange(n, min, max);
      return n;
    },
    format: String,
  };
}

export function bool(): Kind<boolean> {
  return {
    type: "boolean",
    parse(raw) {
      const v = raw.trim().toLowerCase();
      if (v === "true") return true;
      if (v === "false") return false;
      throw new ConfigValueError("Expected value to be either true or false");
    },
    format: String,
  };
}

/** One of a fixed set of words; `ignoreCase` accepts any case and stores the listed one. */
export function oneOf<T extends string>(choices: readonly T[], ignoreCase = false): Kind<T> {
  return {
    type: "string",
    parse(raw) {
      const v = ignoreCase ? raw.trim().toLowerCase() : raw.trim();
      const hit = choices.find((c) => (ignoreCase ? c.toLowerCase() : c) === v);
      if (hit === undefined)
        throw new ConfigValueError(`String must be one of: ${choices.join(", ")}`);
      return hit;
    },
    format: (v) => v,
  };
}

/** Free text, trimmed; `nonEmpty` refuses an empty value. */
export function text(nonEmpty: boolean): Kind<string> {
  return {
    type: "string",
    parse(raw) {
      const v = raw.trim();
      if (nonEmpty && v === "") throw new ConfigValueError("the value is empty");
      return v;
    },
    format: (v) => v,
  };
}

/** Text that must match a pattern (version strings, throttled replica lists). */
export function matching(type: ConfigType, pattern: RegExp, what: string): Kind<string> {
  return {
    type,
    parse(raw) {
      const v = raw.trim();
      if (!pattern.test(v)) throw new ConfigValueError(what);
      return v;
    },
    format: (v) => v,
  };
}

export interface CleanupPolicy {
  delete: boolean;
  compact: boolean;
}

/** cleanup.policy: "delete", "compact", or both comma-separated. */
export function cleanupPolicy(): Kind<CleanupPolicy> {
  const choices = ["compact", "delete"] as const;
  return {
    type: "list",
    parse(raw) {
      const items = parseList(raw);
      if (items.length === 0) throw new ConfigValueError("Empty list not allowed");
      const bad = items.find((i) => !choices.some((c) => c === i));
      if (bad !== undefined)
        throw new ConfigValueError(
          `Unknown value "${bad}"; expected a list of ${choices.join(", ")}`,
        );
      return { compact: items.includes("compact"), delete: items.includes("delete") };
    },
    format: (p) =>
      [p.compact ? "compact" : "", p.delete ? "delete" : ""].filter((s) => s !== "").join(","),
  };
}

/** Kafka's Long.MAX_VALUE, the "never" of its millisecond settings, as stored here. */
export const NEVER = Number.MAX_SAFE_INTEGER;

export interface Listener {
  name: string;
  host: string;
  port: number;
}

/**
 * listeners / advertised.listeners: comma-separated NAME://host:port. An empty host
 * means every interface (as in Kafka); a name is kept upper case, as Kafka's
 * ListenerName. Which protocol a name speaks is listener.security.protocol.map's say.
 */
export function listeners(): Kind<Listener[]> {
  const portKind = int(0, 65535);
  return {
    type: "list",
    parse(raw) {
      const out: Listener[] = [];
      for (const item of raw.split(",")) {
        const v = item.trim();
        if (v === "") continue;
        const m = /^([A-Za-z0-9_]+):\/\/(\[[0-9A-Fa-f:.]*\]|[^:/[\]]*):(\d+)$/.exec(v);
        if (m === null) throw new ConfigValueError(`"${v}" is not NAME://host:port`);
        const bracketed = m[2] as string;
        const host = bracketed.startsWith("[") ? bracketed.slice(1, -1) : bracketed;
        out.push({
          name: (m[1] as string).toUpperCase(),
          host: host === "" ? "0.0.0.0" : host,
          port: portKind.parse(m[3] as string),
        });
      }
      if (out.length === 0) throw new ConfigValueError("no listener given");
      return out;
    },
    format: (ls) =>
      ls
        .map((l) => `${l.name}://${l.host.includes(":") ? `[${l.host}]` : l.host}:${l.port}`)
        .join(","),
  };
}

/** A secret (an inline key or certificate): Kafka's PASSWORD type; DescribeConfigs hides it. */
export function password(): Kind<string> {
  return { type: "password", parse: (raw) => raw.trim(), format: (v) => v };
}

/** A comma-separated list whose every item is one of `choices` (ssl.enabled.protocols). */
export function listOf<T extends string>(choices: readonly T[]): Kind<T[]> {
  return {
    type: "list",
    parse(raw) {
      const items = parseList(raw);
      const bad = items.find((i) => !choices.some((c) => c === i));
      if (bad !== undefined)
        throw new ConfigValueError(
          `Unknown value "${bad}"; expected a list of ${choices.join(", ")}`,
        );
      return items as T[];
    },
    format: (items) => items.join(","),
  };
}

/**
 * A map written KEY:VALUE,KEY:VALUE (listener.security.protocol.map); keys upper case,
 * each value one of `values`.
 */
export function upperCaseMap<T extends string>(values: readonly T[]): Kind<Record<string, T>> {
  return {
    type: "string",
    parse(raw) {
      const out: Record<string, T> = {};
      for (const entry of parseList(raw)) {
        const colon = entry.indexOf(":");
        if (colon <= 0 || colon === entry.length - 1)
          throw new ConfigValueError(`Map entry '${entry}' is improperly formatted`);
        const key = entry.slice(0, colon).trim().toUpperCase();
        const value = entry
          .slice(colon + 1)
          .trim()
          .toUpperCase();
        const hit = values.find((v) => v === value);
        if (hit === undefined)
          throw new ConfigValueError(
            `${value} for ${key} is not a security protocol (${values.join(", ")})`,
          );
        out[key] = hit;
      }
      return out;
    },
    format: (m) =>
      Object.entries(m)
        .map(([k, v]) => `${k}:${v}`)
        .join(","),
  };
}

/** A comma-separated list of non-empty items (log.dirs, which Kafka types as a string). */
export function nonEmptyList(type: ConfigType): Kind<string[]> {
  return {
    type,
    parse(raw) {
      const items = parseList(raw);
      if (items.length === 0) throw new ConfigValueError("the value is empty");
      return items;
    },
    format: (items) => items.join(","),
  };
}
