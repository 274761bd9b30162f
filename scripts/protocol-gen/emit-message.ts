import { nestedStructs } from "./nested-names.js";
import {
  contains,
  elementType,
  type FieldSpec,
  fullName,
  type MessageSpec,
  PRIMITIVES,
  type VersionRange,
} from "./spec-model.js";

/**
 * Emits the TypeScript for one message (and its nested structs): an interface, a
 * `create*` constructor that applies the schema defaults, and `encode*`, `decode*`
 * and `size*` functions that take the version as a parameter.
 */

interface StructInfo {
  tsName: string;
  fields: FieldSpec[];
}

interface Ctx {
  msg: MessageSpec;
  full: string;
  structs: Map<string, StructInfo>;
  /** Structs that need an `isDefault*` helper (tagged, non-nullable struct fields). */
  needsIsDefault: Set<string>;
}

const NUMBER_TYPES = new Set(["int8", "int16", "int32", "uint16", "uint32", "float64"]);
const MIN_SIZE: Record<string, number> = {
  int8: 1,
  int16: 2,
  int32: 4,
  int64: 8,
  uint16: 2,
  uint32: 4,
  float64: 8,
  bool: 1,
  uuid: 16,
  string: 1,
  bytes: 1,
  records: 1,
};

export function camel(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}

/** JavaScript condition for "version is inside r", simplified against the message's range. */
function cond(r: VersionRange | null | undefined, ctx: Ctx): string {
  if (r === null || r === undefined) return "false";
  const valid = ctx.msg.validVersions;
  if (r.max < valid.min || r.min > valid.max) return "false";
  const parts: string[] = [];
  if (r.min > valid.min) parts.push(`version >= ${r.min}`);
  if (r.max < valid.max) parts.push(`version <= ${r.max}`);
  return parts.length === 0 ? "true" : parts.join(" && ");
}

/** Does `outer` include every version of `inner` (within the message's valid range)? */
function covers(outer: VersionRange | null, inner: VersionRange | null): boolean {
  if (inner === null) return true;
  if (outer === null) return false;
  return outer.min <= inner.min && outer.max >= inner.max;
}

function and(a: string, b: string): string {
  if (a === "false" || b === "false") return "false";
  if (a === "true") return b;
  if (b === "true") return a;
  return `${a} && ${b}`;
}

function isStruct(t: string): boolean {
  return !PRIMITIVES.has(t);
}

function collectStructs(ctx: Ctx): void {
  for (const s of nestedStructs(ctx.msg)) ctx.structs.set(s.name, s);
}

function structInfo(base: string, ctx: Ctx): StructInfo {
  const s = ctx.structs.get(base);
  if (s === undefined) throw new Error(`unknown struct ${base} in ${ctx.full}`);
  return s;
}

function tsBase(t: string, ctx: Ctx): string {
  if (NUMBER_TYPES.has(t)) return "number";
  if (t === "int64") return "bigint";
  if (t === "bool") return "boolean";
  if (t === "string") return "string";
  if (t === "bytes" || t === "records" || t === "uuid") return "Buffer";
  return structInfo(t, ctx).tsName;
}

function tsType(f: FieldSpec, ctx: Ctx): string {
  const el = elementType(f.type);
  const t = el === null ? tsBase(f.type, ctx) : `${tsBase(el, ctx)}[]`;
  return f.nullableVersions !== null ? `${t} | null` : t;
}

/** The default value expression of a field, from its schema default or its type's zero. */
function defaultExpr(f: FieldSpec, ctx: Ctx): string {
  const d = f.default;
  if (d === "null") {
    if (f.nullableVersions === null) throw new Error(`${ctx.msg.file}:${f.line}: null default`);
    return "null";
  }
  if (elementType(f.type) !== null) return "[]";
  switch (f.type) {
    case "int64":
      return `${d === undefined ? 0n : BigInt(d)}n`;
    case "bool":
      return d === "true" ? "true" : "false";
    case "string":
      return JSON.stringify(d ?? "");
    case "bytes":
    case "records":
      return f.nullableVersions !== null && d === undefined && f.type === "records"
        ? "null"
        : "Buffer.alloc(0)";
    case "uuid":
      return "Buffer.alloc(16)";
    default:
      if (NUMBER_TYPES.has(f.type)) return d === undefined ? "0" : String(Number(d));
      return `create${structInfo(f.type, ctx).tsName}()`;
  }
}

/** Is the default a constant that needs no allocation (so decode can start from it)? */
function cheapDefault(expr: string): boolean {
  return !expr.includes("(") && expr !== "[]";
}

/** Expression that is true when `x` differs from the field's default (decides tagged writes). */
function notDefault(f: FieldSpec, x: string, ctx: Ctx): string {
  const d = defaultExpr(f, ctx);
  if (d === "null") return `${x} !== null`;
  const nullable = f.nullableVersions !== null;
  const orNull = (e: string): string => (nullable ? `(${x} === null || ${e})` : e);
  if (elementType(f.type) !== null) return orNull(`${x}.length !== 0`);
  if (f.type === "bytes" || f.type === "records") return orNull(`${x}.length !== 0`);
  if (f.type === "uuid") return `!isZeroUuid(${x})`;
  if (isStruct(f.type)) {
    const s = structInfo(f.type, ctx);
    ctx.needsIsDefault.add(f.type);
    return orNull(`!isDefault${s.tsName}(${x})`);
  }
  return `${x} !== ${d}`;
}

function nullError(f: FieldSpec, ctx: Ctx, owner: string): string {
  return `throw new EncodeError(\`${owner}.${camel(f.name)} is null, not allowed in ${ctx.full} v\${version}\`);`;
}

/** Statements that write value `x` of the field's type. `fx` = flexible encoding expression. */
function writeStmts(f: FieldSpec, x: string, fx: string, ctx: Ctx, owner: string): string {
  const nullCond = cond(f.nullableVersions, ctx);
  const el = elementType(f.type);
  const nullable = f.nullableVersions !== null;
  const guard =
    nullable && !covers(f.nullableVersions, f.versions) && nullCond !== "true"
      ? `if (${x} === null && !(${nullCond})) ${nullError(f, ctx, owner)}\n`
      : "";
  if (el !== null) {
    const body = `w.arrayLength(${x}.length, ${fx});\nfor (const e of ${x}) { ${writeOne(el, "e", fx, ctx)} }`;
    if (!nullable) return body;
    return `${guard}if (${x} === null) w.arrayLength(-1, ${fx});\nelse {\n${body}\n}`;
  }
  if (f.type === "string")
    return nullable ? `${guard}w.nullableString(${x}, ${fx});` : `w.string(${x}, ${fx});`;
  if (f.type === "bytes" || f.type === "records") {
    return nullable ? `${guard}w.nullableBytes(${x}, ${fx});` : `w.bytes(${x}, ${fx});`;
  }
  if (isStruct(f.type) && nullable) {
    const enc = `encode${structInfo(f.type, ctx).tsName}(w, ${x}, version);`;
    if (nullCond === "true") return `if (${x} === null) w.int8(-1);\nelse { w.int8(1); ${enc} }`;
    return `${guard}if (${nullCond}) {\nif (${x} === null) w.int8(-1);\nelse { w.int8(1); ${enc} }\n} else if (${x} !== null) ${enc}`;
  }
  return writeOne(f.type, x, fx, ctx);
}

function writeOne(t: string, x: string, fx: string, ctx: Ctx): string {
  switch (t) {
    case "string":
      return `w.string(${x}, ${fx});`;
    case "bytes":
    case "records":
      return `w.bytes(${x}, ${fx});`;
    case "int8":
    case "int16":
    case "int32":
    case "int64":
    case "uint16":
    case "uint32":
    case "float64":
    case "bool":
    case "uuid":
      return `w.${t}(${x});`;
    default:
      return `encode${structInfo(t, ctx).tsName}(w, ${x}, version);`;
  }
}

/** Statements adding the encoded size of `x` to variable `s`. */
function sizeStmts(f: FieldSpec, x: string, fx: string, ctx: Ctx, s: string): string {
  const nullCond = cond(f.nullableVersions, ctx);
  const el = elementType(f.type);
  const nullable = f.nullableVersions !== null;
  if (el !== null) {
    const fixed = MIN_SIZE[el];
    const fixedWidth = fixed !== undefined && !["string", "bytes", "records"].includes(el);
    const body = fixedWidth
      ? `${s} += arrayPrefixSize(${x}.length, ${fx}) + ${x}.length * ${fixed};`
      : `${s} += arrayPrefixSize(${x}.length, ${fx});\nfor (const e of ${x}) ${s} += ${sizeOne(el, "e", fx, ctx)};`;
    if (!nullable) return body;
    return `if (${x} === null) ${s} += arrayPrefixSize(-1, ${fx});\nelse {\n${body}\n}`;
  }
  if (isStruct(f.type) && nullable) {
    const inner = `size${structInfo(f.type, ctx).tsName}(${x}, version)`;
    if (nullCond === "true") return `${s} += ${x} === null ? 1 : 1 + ${inner};`;
    return `if (${nullCond}) ${s} += ${x} === null ? 1 : 1 + ${inner};\nelse if (${x} !== null) ${s} += ${inner};`;
  }
  return `${s} += ${sizeOne(f.type, x, fx, ctx)};`;
}

function sizeOne(t: string, x: string, fx: string, ctx: Ctx): string {
  switch (t) {
    case "string":
      return `stringSize(${x}, ${fx})`;
    case "bytes":
    case "records":
      return `bytesSize(${x}, ${fx})`;
    default: {
      const fixed = MIN_SIZE[t];
      if (fixed !== undefined) return String(fixed);
      return `size${structInfo(t, ctx).tsName}(${x}, version)`;
    }
  }
}

/** Statements that read the field into variable `x` using reader `r`. */
function readStmts(f: FieldSpec, x: string, r: string, fx: string, ctx: Ctx): string {
  const nullCond = cond(f.nullableVersions, ctx);
  const el = elementType(f.type);
  const nullable = f.nullableVersions !== null;
  const nullArg = nullable ? nullCond : "false";
  if (el !== null) {
    const min = minSize(el, ctx);
    return `{
      const n = ${r}.arrayLength(${fx}, ${min}, ${nullArg});
      ${nullable ? `if (n < 0) ${x} = null;\nelse {` : "{"}
        const a: ${tsBase(el, ctx)}[] = new Array(n);
        for (let i = 0; i < n; i++) a[i] = ${readOne(el, r, fx, ctx)};
        ${x} = a;
      }
    }`;
  }
  if (f.type === "string") {
    return nullable
      ? `${x} = ${r}.nullableString(${fx}${nullCond === "true" ? "" : `, ${nullCond}`});`
      : `${x} = ${r}.string(${fx});`;
  }
  if (f.type === "bytes" || f.type === "records") {
    return nullable
      ? `${x} = ${r}.nullableBytes(${fx}${nullCond === "true" ? "" : `, ${nullCond}`});`
      : `${x} = ${r}.bytes(${fx});`;
  }
  if (isStruct(f.type) && nullable) {
    const dec = `decode${structInfo(f.type, ctx).tsName}(${r}, version)`;
    const marked = `${x} = ${r}.int8() < 0 ? null : ${dec};`;
    return nullCond === "true" ? marked : `if (${nullCond}) ${marked}\nelse ${x} = ${dec};`;
  }
  return `${x} = ${readOne(f.type, r, fx, ctx)};`;
}

function readOne(t: string, r: string, fx: string, ctx: Ctx): string {
  switch (t) {
    case "string":
      return `${r}.string(${fx})`;
    case "bytes":
    case "records":
      return `${r}.bytes(${fx})`;
    case "int8":
    case "int16":
    case "int32":
    case "int64":
    case "uint16":
    case "uint32":
    case "float64":
    case "bool":
    case "uuid":
      return `${r}.${t}()`;
    default:
      return `decode${structInfo(t, ctx).tsName}(${r}, version)`;
  }
}

/** Fewest bytes one element can take in any version; bounds array counts before looping. */
function minSize(t: string, ctx: Ctx): number {
  const fixed = MIN_SIZE[t];
  if (fixed !== undefined) return fixed;
  const s = structInfo(t, ctx);
  let best = Number.POSITIVE_INFINITY;
  const { min, max } = ctx.msg.validVersions;
  for (let v = min; v <= max; v++) {
    let size = contains(ctx.msg.flexibleVersions, v) ? 1 : 0;
    for (const f of s.fields) {
      if (
        !contains(f.versions, v) ||
        (f.tag !== undefined && contains(f.taggedVersions ?? null, v))
      ) {
        continue;
      }
      const el = elementType(f.type);
      if (el !== null) size += 1;
      else if (isStruct(f.type)) size += f.nullableVersions !== null ? 1 : minSize(f.type, ctx);
      else size += MIN_SIZE[f.type] ?? 1;
    }
    best = Math.min(best, size);
  }
  return Math.max(1, best === Number.POSITIVE_INFINITY ? 1 : best);
}

function fieldFx(f: FieldSpec, ctx: Ctx, inTag: boolean): string {
  if (f.flexibleVersions !== undefined) return cond(f.flexibleVersions, ctx);
  if (inTag) return "true";
  return cond(ctx.msg.flexibleVersions, ctx) === "false" ? "false" : "flexible";
}

function inlineCond(f: FieldSpec, ctx: Ctx): string {
  const present = cond(f.versions, ctx);
  if (f.tag === undefined) return present;
  if (covers(f.taggedVersions ?? null, f.versions)) return "false";
  const tagged = cond(f.taggedVersions, ctx);
  if (tagged === "true") return "false";
  if (tagged === "false") return present;
  return and(present, `!(${tagged})`);
}

function taggedFields(fields: FieldSpec[]): FieldSpec[] {
  return fields.filter((f) => f.tag !== undefined).sort((a, b) => (a.tag ?? 0) - (b.tag ?? 0));
}

function guarded(c: string, body: string): string {
  if (c === "false") return "";
  if (c === "true") return body;
  return `if (${c}) {\n${body}\n}`;
}

function emitStruct(tsName: string, fields: FieldSpec[], ctx: Ctx): string {
  const flexCond = cond(ctx.msg.flexibleVersions, ctx);
  const hasFlex = flexCond !== "false";
  const tagged = taggedFields(fields);
  const out: string[] = [];

  // Interface.
  const members = fields.map((f) => `  ${camel(f.name)}: ${tsType(f, ctx)};`);
  if (hasFlex) {
    members.push("  /** Tagged fields unknown to this schema; kept for re-encoding. */");
    members.push("  unknownTaggedFields?: UnknownTaggedField[];");
  }
  out.push(`export interface ${tsName} {\n${members.join("\n")}\n}`);

  // Constructor with defaults.
  const initFields = fields
    .map(
      (f) =>
        `${camel(f.name)}: init.${camel(f.name)} === undefined ? ${defaultExpr(f, ctx)} : init.${camel(f.name)},`,
    )
    .join("\n");
  out.push(`export function create${tsName}(init: Partial<${tsName}> = {}): ${tsName} {
    const v: ${tsName} = {\n${initFields}\n};
    ${hasFlex ? "if (init.unknownTaggedFields !== undefined) v.unknownTaggedFields = init.unknownTaggedFields;" : ""}
    return v;
  }`);

  // Encode.
  const enc: string[] = [];
  for (const f of fields) {
    enc.push(
      guarded(
        inlineCond(f, ctx),
        writeStmts(f, `v.${camel(f.name)}`, fieldFx(f, ctx, false), ctx, tsName),
      ),
    );
  }
  if (hasFlex) {
    const flags: string[] = [];
    const writes: string[] = [];
    let prev = 0;
    for (const f of tagged) {
      const t = f.tag as number;
      const flag = `t${t}`;
      const x = `v.${camel(f.name)}`;
      flags.push(
        `const ${flag} = ${and(cond(f.taggedVersions, ctx), notDefault(f, x, ctx))};\nif (${flag}) nt++;`,
      );
      writes.push(`${prev < t ? `writeUnknownTags(w, u, ${prev}, ${t});` : ""}
        if (${flag}) {
          let s = 0;
          ${sizeStmts(f, x, fieldFx(f, ctx, true), ctx, "s")}
          w.uvarint(${t});
          w.uvarint(s);
          ${writeStmts(f, x, fieldFx(f, ctx, true), ctx, tsName)}
        } else writeUnknownTags(w, u, ${t}, ${t + 1});`);
      prev = t + 1;
    }
    enc.push(`if (flexible) {
      const u = v.unknownTaggedFields;
      let nt = u === undefined ? 0 : u.length;
      ${flags.join("\n")}
      w.uvarint(nt);
      if (nt > 0) {
        ${writes.join("\n")}
        writeUnknownTags(w, u, ${prev}, Number.POSITIVE_INFINITY);
      }
    }`);
  }
  const encBody = enc.filter((s) => s !== "").join("\n");
  out.push(
    fnWithVersion(
      `export function encode${tsName}(w: Writer, v: ${tsName}, version: number): void`,
      `${hasFlex ? `const flexible = ${flexCond};` : ""}\n${encBody}`,
    ),
  );

  // Size.
  const sz: string[] = [];
  for (const f of fields) {
    sz.push(
      guarded(
        inlineCond(f, ctx),
        sizeStmts(f, `v.${camel(f.name)}`, fieldFx(f, ctx, false), ctx, "s"),
      ),
    );
  }
  if (hasFlex) {
    const parts = tagged.map((f) => {
      const x = `v.${camel(f.name)}`;
      return `if (${and(cond(f.taggedVersions, ctx), notDefault(f, x, ctx))}) {
        let ts = 0;
        ${sizeStmts(f, x, fieldFx(f, ctx, true), ctx, "ts")}
        nt++;
        s += uvarintSize(${f.tag}) + uvarintSize(ts) + ts;
      }`;
    });
    sz.push(`if (flexible) {
      const u = v.unknownTaggedFields;
      let nt = u === undefined ? 0 : u.length;
      s += unknownTagsSize(u);
      ${parts.join("\n")}
      s += uvarintSize(nt);
    }`);
  }
  out.push(
    fnWithVersion(
      `export function size${tsName}(v: ${tsName}, version: number): number`,
      `${hasFlex ? `const flexible = ${flexCond};` : ""}\nlet s = 0;\n${sz.filter((x) => x !== "").join("\n")}\nreturn s;`,
    ),
  );

  // Decode.
  const dec: string[] = [];
  const names: string[] = [];
  for (const f of fields) {
    const name = camel(f.name);
    const local = `f_${name}`;
    names.push(`${name}: ${local}`);
    const d = defaultExpr(f, ctx);
    const ty = tsType(f, ctx);
    const c = inlineCond(f, ctx);
    if (c === "true" && f.tag === undefined) {
      const read = readStmts(f, local, "r", fieldFx(f, ctx, false), ctx);
      const single = read.startsWith(`${local} = `) && !read.includes("\n");
      dec.push(single ? `const ${read}` : `let ${local}: ${ty};\n${read}`);
      continue;
    }
    if (cheapDefault(d)) {
      dec.push(`let ${local}: ${ty} = ${d};`);
      names[names.length - 1] = `${name}: ${local}`;
    } else {
      dec.push(`let ${local}: ${ty} | undefined;`);
      names[names.length - 1] = `${name}: ${local} === undefined ? ${d} : ${local}`;
    }
    if (c !== "false") dec.push(guarded(c, readStmts(f, local, "r", fieldFx(f, ctx, false), ctx)));
  }
  if (hasFlex) {
    const branches = tagged.map(
      (f) => `if (tag === ${f.tag} && ${cond(f.taggedVersions, ctx)}) {
        ${readStmts(f, `f_${camel(f.name)}`, "t", fieldFx(f, ctx, true), ctx)}
      } else`,
    );
    dec.push(`let unknown: UnknownTaggedField[] | undefined;
      if (flexible) {
        const nt = r.taggedFieldCount();
        for (let i = 0; i < nt; i++) {
          const tag = r.uvarint();
          const t = r.sub(r.uvarint());
          ${branches.join(" ")} {
            if (unknown === undefined) unknown = [];
            unknown.push({ tag, data: t.raw(t.remaining()) });
          }
        }
      }`);
  }
  out.push(
    fnWithVersion(
      `export function decode${tsName}(r: Reader, version: number): ${tsName}`,
      `${hasFlex ? `const flexible = ${flexCond};` : ""}
      ${dec.filter((x) => x !== "").join("\n")}
      const v: ${tsName} = { ${names.join(", ")} };
      ${hasFlex ? "if (unknown !== undefined) v.unknownTaggedFields = unknown;" : ""}
      return v;`,
    ),
  );
  return out.join("\n\n");
}

/** Renames unused `version` / `v` parameters so the linter accepts the generated function. */
function fnWithVersion(signature: string, body: string): string {
  let sig = /\bversion\b/.test(body)
    ? signature
    : signature.replace("version: number", "_version: number");
  if (!/\bv\b/.test(body)) sig = sig.replace(/\bv: /, "_v: ");
  return `${sig} {\n${body}\n}`;
}

function emitIsDefault(base: string, ctx: Ctx): string {
  const s = structInfo(base, ctx);
  const checks = s.fields.map((f) => `!(${notDefault(f, `v.${camel(f.name)}`, ctx)})`);
  checks.push("(v.unknownTaggedFields === undefined || v.unknownTaggedFields.length === 0)");
  return `function isDefault${s.tsName}(v: ${s.tsName}): boolean {
    return ${checks.join(" &&\n")};
  }`;
}

export interface EmittedMessage {
  code: string;
  tsName: string;
}

export function emitMessage(msg: MessageSpec): EmittedMessage {
  const ctx: Ctx = { msg, full: fullName(msg), structs: new Map(), needsIsDefault: new Set() };
  collectStructs(ctx);
  const parts: string[] = [];
  parts.push(emitStruct(ctx.full, msg.fields, ctx));
  for (const s of ctx.structs.values()) parts.push(emitStruct(s.tsName, s.fields, ctx));
  // isDefault helpers may pull in nested structs; emit until no new ones appear.
  const done = new Set<string>();
  let pending = [...ctx.needsIsDefault];
  while (pending.length > 0) {
    for (const b of pending) {
      if (done.has(b)) continue;
      done.add(b);
      parts.push(emitIsDefault(b, ctx));
    }
    pending = [...ctx.needsIsDefault].filter((b) => !done.has(b));
  }
  return { code: parts.join("\n\n"), tsName: ctx.full };
}
