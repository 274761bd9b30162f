/**
 * A message's schema as it is at one version: only the fields present at that version,
 * with nullability and tags resolved for it. Comparing two definitions version by
 * version checks every version both serve, whatever older or newer versions each has.
 */
import type { KafkaField, KafkaMessage } from "./kafka-json.js";
import {
  contains,
  type FieldSpec,
  type MessageSpec,
  parseRange,
  type VersionRange,
} from "./spec-model.js";

export interface FieldAt {
  name: string;
  type: string;
  nullable: boolean;
  /** The tag when the field is tagged at this version. */
  tag: number | undefined;
  /** A field-level flexible-versions override, resolved at this version. */
  flexible: boolean | undefined;
  default: string | undefined;
  fields: FieldAt[] | undefined;
}

export interface MessageAt {
  flexible: boolean;
  fields: FieldAt[];
  structs: { name: string; fields: FieldAt[] }[];
}

type Norm = (d: string | number | boolean | undefined) => string | undefined;

const inRange = (text: string | undefined, v: number) =>
  text !== undefined && contains(parseRange(text), v);

/** The field shape both definitions share; `R` is how each writes a version range. */
interface FieldLike<R> {
  name: string;
  type: string;
  versions?: R;
  nullableVersions?: R;
  tag?: number;
  taggedVersions?: R;
  flexibleVersions?: R;
  default?: string | number | boolean;
  fields?: FieldLike<R>[];
}

type Has<R> = (range: R | undefined, v: number) => boolean;

function fieldsAt<R>(fields: FieldLike<R>[], v: number, norm: Norm, has: Has<R>): FieldAt[] {
  return fields
    .filter((f) => has(f.versions, v))
    .map((f) => ({
      name: f.name,
      type: f.type,
      nullable: has(f.nullableVersions, v),
      tag: f.tag !== undefined && has(f.taggedVersions ?? f.versions, v) ? f.tag : undefined,
      flexible: f.flexibleVersions === undefined ? undefined : has(f.flexibleVersions, v),
      default: norm(f.default),
      fields: f.fields === undefined ? undefined : fieldsAt(f.fields, v, norm, has),
    }));
}

const kafkaAt = (fields: KafkaField[], v: number, norm: Norm): FieldAt[] =>
  fieldsAt<string>(fields, v, norm, inRange);

const specAt = (fields: FieldSpec[], v: number, norm: Norm): FieldAt[] =>
  fieldsAt<VersionRange | null>(fields, v, norm, (r, v) => contains(r ?? null, v));

export function kafkaMessageAt(m: KafkaMessage, v: number, norm: Norm): MessageAt {
  return {
    flexible: inRange(m.flexibleVersions, v),
    fields: kafkaAt(m.fields, v, norm),
    structs: (m.commonStructs ?? [])
      .filter((s) => inRange(s.versions, v))
      .map((s) => ({ name: s.name, fields: kafkaAt(s.fields, v, norm) })),
  };
}

export function specMessageAt(m: MessageSpec, v: number, norm: Norm): MessageAt {
  return {
    flexible: contains(m.flexibleVersions, v),
    fields: specAt(m.fields, v, norm),
    structs: m.commonStructs
      .filter((s) => contains(s.versions, v))
      .map((s) => ({ name: s.name, fields: specAt(s.fields, v, norm) })),
  };
}
