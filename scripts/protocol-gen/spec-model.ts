/** The in-memory form of a protocol-specs/ file, shared by the generator and the conformance test. */

/** An inclusive version range; `max` is Infinity for an open range ("3+"). null = "none". */
export interface VersionRange {
  min: number;
  max: number;
}

export type MessageKind = "request" | "response" | "header" | "data";

export interface FieldSpec {
  name: string;
  /** int8 … float64, bool, string, bytes, records, uuid, a struct name, or `[]` + one of those. */
  type: string;
  versions: VersionRange | null;
  nullableVersions: VersionRange | null;
  tag?: number;
  taggedVersions?: VersionRange | null;
  /** A field-level override of the message's flexible versions (only "none" is used). */
  flexibleVersions?: VersionRange | null;
  default?: string;
  /** Inline struct definition (for struct and struct-array types). */
  fields?: FieldSpec[];
  line: number;
}

export interface StructSpec {
  name: string;
  versions: VersionRange | null;
  fields: FieldSpec[];
}

export interface MessageSpec {
  kind: MessageKind;
  /** Base name: "Fetch" for FetchRequest/FetchResponse; the full name for headers and data. */
  name: string;
  apiKey?: number;
  validVersions: VersionRange;
  flexibleVersions: VersionRange | null;
  fields: FieldSpec[];
  commonStructs: StructSpec[];
  file: string;
}

export const PRIMITIVES = new Set([
  "int8",
  "int16",
  "int32",
  "int64",
  "uint16",
  "uint32",
  "float64",
  "bool",
  "string",
  "bytes",
  "records",
  "uuid",
]);

export function fullName(m: MessageSpec): string {
  if (m.kind === "request") return `${m.name}Request`;
  if (m.kind === "response") return `${m.name}Response`;
  return m.name;
}

/** Parses Kafka's version notation: "3", "3+", "3-5", "none". */
export function parseRange(text: string): VersionRange | null {
  if (text === "none") return null;
  const open = /^(\d+)\+$/.exec(text);
  if (open) return { min: Number(open[1]), max: Number.POSITIVE_INFINITY };
  const span = /^(\d+)-(\d+)$/.exec(text);
  if (span) return { min: Number(span[1]), max: Number(span[2]) };
  if (/^\d+$/.test(text)) return { min: Number(text), max: Number(text) };
  throw new Error(`bad version range "${text}"`);
}

export function formatRange(r: VersionRange | null): string {
  if (r === null) return "none";
  if (r.max === Number.POSITIVE_INFINITY) return `${r.min}+`;
  return r.min === r.max ? `${r.min}` : `${r.min}-${r.max}`;
}

export function contains(r: VersionRange | null, v: number): boolean {
  return r !== null && v >= r.min && v <= r.max;
}

export function elementType(type: string): string | null {
  return type.startsWith("[]") ? type.slice(2) : null;
}
