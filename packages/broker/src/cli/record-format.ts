/**
 * Record format strings, as rpk and kcat write them: `%t` topic, `%k` key, `%v` value,
 * `%p` partition, `%o` offset, `%d` timestamp (ms), `%h` headers, `%%` a percent sign,
 * and the escapes `\n`, `\t`, `\\`. `json` instead of a format means one JSON object per
 * record. The same tokens parse `logbook produce` input (there `%h` is a JSON object and
 * `%d` a timestamp in ms).
 */
import type { ConsumedRecord, ProduceRecord } from "@logbook/client";
import { UsageError } from "./commands/usage-error.js";

type Field = "t" | "k" | "v" | "p" | "o" | "d" | "h";
type Token = { readonly literal: string } | { readonly field: Field };

const FIELDS = new Set<string>(["t", "k", "v", "p", "o", "d", "h"]);
const ESCAPES: Record<string, string> = { n: "\n", t: "\t", r: "\r", "\\": "\\" };

export function parseFormat(format: string): Token[] {
  const tokens: Token[] = [];
  let literal = "";
  for (let i = 0; i < format.length; i++) {
    const c = format[i] as string;
    const next = format[i + 1];
    if (c === "\\" && next !== undefined && next in ESCAPES) {
      literal += ESCAPES[next];
      i++;
    } else if (c === "%" && next === "%") {
      literal += "%";
      i++;
    } else if (c === "%" && next !== undefined && FIELDS.has(next)) {
      if (literal !== "") tokens.push({ literal });
      literal = "";
      tokens.push({ field: next as Field });
      i++;
    } else if (c === "%") {
      throw new UsageError(
        `format "${format}": %${next ?? ""} is not one of %t %k %v %p %o %d %h %%`,
      );
    } else literal += c;
  }
  if (literal !== "") tokens.push({ literal });
  return tokens;
}

const text = (b: Buffer | null): string => (b === null ? "" : b.toString("utf8"));

function headersText(r: ConsumedRecord): string {
  return r.headers.map((h) => `${h.key}=${text(h.value)}`).join(",");
}

/** One record as the format prints it. */
export function formatRecord(tokens: readonly Token[], r: ConsumedRecord): string {
  let out = "";
  for (const t of tokens) {
    if ("literal" in t) out += t.literal;
    else if (t.field === "t") out += r.topic;
    else if (t.field === "k") out += text(r.key);
    else if (t.field === "v") out += text(r.value);
    else if (t.field === "p") out += String(r.partition);
    else if (t.field === "o") out += r.offset.toString();
    else if (t.field === "d") out += r.timestamp.toString();
    else out += headersText(r);
  }
  return out;
}

/** One record as a JSON line (key, value and header values as UTF-8 text; null stays null). */
export function jsonRecord(r: ConsumedRecord): string {
  return `${JSON.stringify({
    topic: r.topic,
    partition: r.partition,
    offset: Number(r.offset),
    timestamp: Number(r.timestamp),
    key: r.key === null ? null : text(r.key),
    value: r.value === null ? null : text(r.value),
    headers: Object.fromEntries(
      r.headers.map((h) => [h.key, h.value === null ? null : text(h.value)]),
    ),
  })}\n`;
}

/**
 * Parses one input line by a format (a trailing newline in the format is the line end).
 * Each field reads up to the literal that follows it; the last field takes the rest.
 */
export function parseLine(tokens: readonly Token[], line: string): ProduceRecord {
  const fields = new Map<Field, string>();
  let pos = 0;
  const body = tokens.filter(
    (t, i) => !(i === tokens.length - 1 && "literal" in t && t.literal === "\n"),
  );
  for (let i = 0; i < body.length; i++) {
    const t = body[i] as Token;
    if ("literal" in t) {
      if (!line.startsWith(t.literal, pos))
        throw new UsageError(
          `input "${line}" does not match the format (expected "${t.literal}" at ${pos})`,
        );
      pos += t.literal.length;
      continue;
    }
    const after = body[i + 1];
    const end =
      after !== undefined && "literal" in after ? line.indexOf(after.literal, pos) : line.length;
    if (end < 0)
      throw new UsageError(
        `input "${line}" does not match the format (no "${(after as { literal: string }).literal}")`,
      );
    fields.set(t.field, line.slice(pos, end));
    pos = end;
  }
  return recordOf(fields, line);
}

function recordOf(fields: ReadonlyMap<Field, string>, line: string): ProduceRecord {
  const key = fields.get("k");
  const value = fields.get("v");
  const partition = fields.get("p");
  const timestamp = fields.get("d");
  const headers = fields.get("h");
  return {
    key: key === undefined ? null : Buffer.from(key),
    value: value === undefined ? null : Buffer.from(value),
    headers: headers === undefined ? [] : headersFromJson(headers, line),
    ...(partition === undefined ? {} : { partition: integer(partition, "partition", line) }),
    ...(timestamp === undefined
      ? {}
      : { timestamp: BigInt(integer(timestamp, "timestamp", line)) }),
  };
}

function integer(text: string, what: string, line: string): number {
  if (!/^\d+$/.test(text))
    throw new UsageError(`input "${line}": ${what} "${text}" is not a number`);
  return Number(text);
}

function headersFromJson(json: string, line: string): { key: string; value: Buffer | null }[] {
  let doc: unknown;
  try {
    doc = JSON.parse(json);
  } catch {
    throw new UsageError(`input "${line}": headers are not a JSON object`);
  }
  if (typeof doc !== "object" || doc === null || Array.isArray(doc))
    throw new UsageError(`input "${line}": headers are not a JSON object`);
  return Object.entries(doc).map(([k, v]) => ({
    key: k,
    value: v === null ? null : Buffer.from(String(v)),
  }));
}

/** A JSON input line: {"key", "value", "headers", "partition", "timestamp"}, all optional. */
export function parseJsonLine(line: string): ProduceRecord {
  let doc: unknown;
  try {
    doc = JSON.parse(line);
  } catch {
    throw new UsageError(`input "${line}" is not JSON`);
  }
  if (typeof doc !== "object" || doc === null || Array.isArray(doc))
    throw new UsageError(`input "${line}" is not a JSON object`);
  const o = doc as Record<string, unknown>;
  const str = (v: unknown) =>
    v === undefined || v === null
      ? null
      : Buffer.from(typeof v === "string" ? v : JSON.stringify(v));
  const headers =
    typeof o.headers === "object" && o.headers !== null && !Array.isArray(o.headers)
      ? Object.entries(o.headers).map(([key, v]) => ({ key, value: str(v) }))
      : [];
  return {
    key: str(o.key),
    value: str(o.value),
    headers,
    ...(typeof o.partition === "number" ? { partition: o.partition } : {}),
    ...(typeof o.timestamp === "number" ? { timestamp: BigInt(o.timestamp) } : {}),
  };
}
