/** fast-check arbitraries for any generated message at any version, built from protocol-specs. */
import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { nestedStructs } from "../../../../scripts/protocol-gen/nested-names.js";
import {
  contains,
  elementType,
  type FieldSpec,
  fullName,
  type MessageSpec,
} from "../../../../scripts/protocol-gen/spec-model.js";
import { loadSpecs } from "../../../../scripts/protocol-gen/spec-parser.js";
import * as generated from "../../src/generated/index.js";
import type { UnknownTaggedField } from "../../src/primitives/index.js";

export type Value = Record<string, unknown>;
export type Fn = (...args: unknown[]) => unknown;

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../../../..");
export const specs = await loadSpecs(join(ROOT, "protocol-specs"));
const exports = generated as unknown as Record<string, Fn>;

export function fn(name: string): Fn {
  const f = exports[name];
  assert.equal(typeof f, "function", `generated code lacks ${name}`);
  return f as Fn;
}

const camel = (s: string): string => s.charAt(0).toLowerCase() + s.slice(1);

const INT_RANGES: Record<string, [number, number]> = {
  int8: [-128, 127],
  int16: [-32768, 32767],
  int32: [-2147483648, 2147483647],
  uint16: [0, 65535],
  uint32: [0, 4294967295],
};

const buffer = (min: number, max: number): fc.Arbitrary<Buffer> =>
  fc.uint8Array({ minLength: min, maxLength: max }).map((a) => Buffer.from(a));

export class ArbitraryBuilder {
  constructor(
    private readonly msg: MessageSpec,
    private readonly version: number,
  ) {}

  private tsName(struct: string): string {
    const s = nestedStructs(this.msg).find((n) => n.name === struct);
    assert.ok(s, `unknown struct ${struct}`);
    return s.tsName;
  }

  private structFields(name: string, inline: FieldSpec[] | undefined): FieldSpec[] {
    if (inline !== undefined) return inline;
    const common = this.msg.commonStructs.find((s) => s.name === name);
    assert.ok(common, `unknown struct ${name}`);
    return common.fields;
  }

  private primitive(type: string): fc.Arbitrary<unknown> | undefined {
    const range = INT_RANGES[type];
    if (range !== undefined) return fc.integer({ min: range[0], max: range[1] });
    switch (type) {
      case "int64":
        return fc.bigInt(-(2n ** 63n), 2n ** 63n - 1n);
      case "float64":
        return fc.double();
      case "bool":
        return fc.boolean();
      case "string":
        return fc.string({ unit: "grapheme", maxLength: 12 });
      case "bytes":
      case "records":
        return buffer(0, 24);
      case "uuid":
        return buffer(16, 16);
      default:
        return undefined;
    }
  }

  private element(type: string, inline: FieldSpec[] | undefined): fc.Arbitrary<unknown> {
    return this.primitive(type) ?? this.struct(type, inline);
  }

  field(f: FieldSpec): fc.Arbitrary<unknown> {
    const el = elementType(f.type);
    const base =
      el !== null
        ? fc.array(this.element(el, f.fields), { maxLength: 3 })
        : this.element(f.type, f.fields);
    return contains(f.nullableVersions, this.version) ? fc.option(base, { nil: null }) : base;
  }

  /** A struct value: defaults from the generated constructor, present fields random. */
  struct(name: string, inline: FieldSpec[] | undefined, tsName?: string): fc.Arbitrary<Value> {
    const fields = this.structFields(name, inline);
    const create = fn(`create${tsName ?? this.tsName(name)}`);
    const present: Record<string, fc.Arbitrary<unknown>> = {};
    for (const f of fields) {
      if (contains(f.versions, this.version)) present[camel(f.name)] = this.field(f);
    }
    return fc.record(present).map((r) => create(r) as Value);
  }

  top(): fc.Arbitrary<Value> {
    const name = fullName(this.msg);
    const base = this.struct(name, this.msg.fields, name);
    if (!contains(this.msg.flexibleVersions, this.version)) return base;
    // Tags far above any the schema defines, unique and ascending as on the wire.
    const unknown = fc
      .uniqueArray(fc.integer({ min: 1000, max: 5000 }), { maxLength: 3 })
      .chain((tags) =>
        fc.tuple(
          ...tags.sort((a, b) => a - b).map((tag) => buffer(0, 8).map((data) => ({ tag, data }))),
        ),
      );
    return fc.tuple(base, unknown).map(([v, u]) => {
      if (u.length > 0) v.unknownTaggedFields = u as UnknownTaggedField[];
      return v;
    });
  }
}
