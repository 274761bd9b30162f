/**
 * How client commands print: an aligned table by default, or `--format json|yaml` for
 * scripts. Every command hands over plain data and a table layout of it.
 */
import { stringify as toYaml } from "yaml";

export const FORMATS = ["table", "json", "yaml"] as const;
export type Format = (typeof FORMATS)[number];

export type Cell = string | number | bigint | boolean | null | undefined;

/** Columns padded to their widest cell, two spaces apart, headers in upper case. */
export function table(headers: readonly string[], rows: readonly (readonly Cell[])[]): string {
  const text = [headers.map((h) => h.toUpperCase()), ...rows.map((r) => r.map(cellText))];
  const widths = headers.map((_, i) => Math.max(...text.map((r) => (r[i] ?? "").length)));
  return text
    .map((r) =>
      r
        .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

/** Name/value lines (names as given, values aligned), for one record's summary. */
export function pairs(rows: readonly (readonly [string, Cell])[]): string {
  const width = Math.max(0, ...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(width)}  ${cellText(v)}`.trimEnd()).join("\n");
}

/** Titled sections, as `topic describe` prints summary, configs and partitions. */
export function sections(parts: readonly { title: string; body: string }[]): string {
  return parts.map((p) => `${p.title}\n${"=".repeat(p.title.length)}\n${p.body}`).join("\n\n");
}

function cellText(c: Cell): string {
  if (c === null || c === undefined) return "-";
  return String(c);
}

/** Bigints as numbers where exact, else strings (JSON has no 64-bit integers). */
function plain(value: unknown): unknown {
  if (typeof value === "bigint")
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(value)
      : value.toString();
  if (Array.isArray(value)) return value.map(plain);
  if (value !== null && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  return value;
}

/** The text a command prints for `data` in `format` (`asTable` lays out the default). */
export function render(format: Format, data: unknown, asTable: () => string): string {
  if (format === "json") return JSON.stringify(plain(data), null, 2);
  if (format === "yaml") return toYaml(plain(data)).trimEnd();
  return asTable();
}
