/** Parsers for command-line values, each failing with a UsageError that names the flag. */
import { UsageError } from "./usage-error.js";

export function wholeNumber(flag: string, text: string, min = 0): number {
  const n = Number(text);
  if (!/^-?\d+$/.test(text.trim()) || !Number.isSafeInteger(n) || n < min)
    throw new UsageError(`${flag} must be a whole number >= ${min}, got "${text}"`);
  return n;
}

export function offsetArg(flag: string, text: string): bigint {
  if (!/^\d+$/.test(text.trim())) throw new UsageError(`${flag} must be an offset, got "${text}"`);
  return BigInt(text);
}

/** key=value pairs (repeatable flags), in order, a later key replacing an earlier one. */
export function keyValues(flag: string, pairs: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const p of pairs) {
    const i = p.indexOf("=");
    if (i <= 0) throw new UsageError(`${flag} takes key=value, got "${p}"`);
    out.set(p.slice(0, i), p.slice(i + 1));
  }
  return out;
}

/** "0,2,5" -> [0, 2, 5]. */
export function partitionList(flag: string, text: string): number[] {
  return text.split(",").map((p) => wholeNumber(flag, p.trim()));
}

/** For repeatable options: collects every value. */
export const collect = (value: string, all: string[]): string[] => [...all, value];
