/**
 * Parsers for the string values of properties, environment variables and flags. They
 * throw ConfigValueError with the reason only; the caller adds where the value came from.
 */
export class ConfigValueError extends Error {
  override readonly name = "ConfigValueError";
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** A 32-bit integer in [min, max]. */
export function parseInt32(raw: string, min = -(2 ** 31), max = 2 ** 31 - 1): number {
  const v = raw.trim();
  if (!/^-?\d+$/.test(v)) throw new ConfigValueError(`"${raw}" is not an integer`);
  const n = Number(v);
  if (n < min || n > max) throw new ConfigValueError(`${v} is outside ${min}..${max}`);
  return n;
}

/**
 * A Kafka "long" (milliseconds, bytes, counts) of at least `min`. Kafka writes
 * "forever" as Long.MAX_VALUE, which a JS number cannot hold exactly; anything above
 * Number.MAX_SAFE_INTEGER is clamped to it, which means the same in practice.
 */
export function parseLong(raw: string, min: number): number {
  const v = raw.trim();
  if (!/^-?\d+$/.test(v)) throw new ConfigValueError(`"${raw}" is not an integer`);
  const big = BigInt(v);
  if (big < INT64_MIN || big > INT64_MAX) throw new ConfigValueError(`${v} does not fit a long`);
  if (big < BigInt(min)) throw new ConfigValueError(`${v} is below the minimum ${min}`);
  if (big > BigInt(Number.MAX_SAFE_INTEGER)) return Number.MAX_SAFE_INTEGER;
  return Number(big);
}

/** A ratio in [min, max] (e.g. log.cleaner.min.cleanable.ratio). */
export function parseDouble(raw: string, min: number, max: number): number {
  const v = raw.trim();
  if (!/^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(v))
    throw new ConfigValueError(`"${raw}" is not a number`);
  const n = Number(v);
  if (n < min || n > max) throw new ConfigValueError(`${v} is outside ${min}..${max}`);
  return n;
}

export function parseBool(raw: string): boolean {
  const v = raw.trim().toLowerCase();
  if (v === "true") return true;
  if (v === "false") return false;
  throw new ConfigValueError(`"${raw}" is not true or false`);
}

export function parseEnum<T extends string>(raw: string, allowed: readonly T[]): T {
  const v = raw.trim();
  const hit = allowed.find((a) => a === v);
  if (hit === undefined) throw new ConfigValueError(`"${raw}" is not one of ${allowed.join(", ")}`);
  return hit;
}

export function parseNonEmpty(raw: string): string {
  const v = raw.trim();
  if (v === "") throw new ConfigValueError("the value is empty");
  return v;
}

/** cleanup.policy: "delete", "compact", or both comma-separated (Kafka's list syntax). */
export function parseCleanupPolicy(raw: string): { delete: boolean; compact: boolean } {
  const parts = raw
    .split(",")
    .map((p) => p.trim())
    .filter((p) => p !== "");
  if (parts.length === 0) throw new ConfigValueError("the value is empty");
  const policy = { delete: false, compact: false };
  for (const p of parts) policy[parseEnum(p, ["delete", "compact"] as const)] = true;
  return policy;
}

export interface Listener {
  name: string;
  host: string;
  port: number;
}

/**
 * listeners / advertised.listeners: comma-separated NAME://host:port. An empty host
 * means every interface (as in Kafka). Only plaintext is served, so a listener named
 * SSL or SASL_* is refused rather than silently served in clear text.
 */
export function parseListeners(raw: string): Listener[] {
  const out: Listener[] = [];
  for (const item of raw.split(",")) {
    const v = item.trim();
    if (v === "") continue;
    const m = /^([A-Za-z0-9_]+):\/\/(\[[0-9A-Fa-f:.]*\]|[^:/[\]]*):(\d+)$/.exec(v);
    if (m === null) throw new ConfigValueError(`"${v}" is not NAME://host:port`);
    const name = (m[1] as string).toUpperCase();
    if (name === "SSL" || name.startsWith("SASL_"))
      throw new ConfigValueError(`${name} listeners are not supported (plaintext only)`);
    const bracketed = m[2] as string;
    const host = bracketed.startsWith("[") ? bracketed.slice(1, -1) : bracketed;
    out.push({
      name,
      host: host === "" ? "0.0.0.0" : host,
      port: parseInt32(m[3] as string, 0, 65535),
    });
  }
  if (out.length === 0) throw new ConfigValueError("no listener given");
  return out;
}
