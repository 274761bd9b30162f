import { camel } from "./emit-message.js";
import { ERROR_RESPONSE_OVERRIDES, type MirrorOverride } from "./error-response-overrides.js";
import { nestedStructs } from "./nested-names.js";
import {
  elementType,
  type FieldSpec,
  fullName,
  type MessageSpec,
  PRIMITIVES,
  type VersionRange,
} from "./spec-model.js";

/**
 * Emits, for an API spec file, `<Api>ErrorResponse(request, errorCode)`: the response a
 * broker sends when it could not handle the request (Kafka's getErrorResponse). Every
 * int16 field named `…ErrorCode` gets the code. A response array whose elements hold an
 * error code somewhere is rebuilt from the request array it mirrors (one element per
 * requested topic, partition, group...), copying the identity fields both elements
 * share (same name and type); any other field keeps its schema default. The mirror is
 * the request array, at the same depth, whose elements share the most such fields;
 * where the request lists bare values or names differ, error-response-overrides.ts
 * says so, and the generator fails on an override that names no field.
 */
export function emitErrorResponse(messages: MessageSpec[]): string[] {
  const req = messages.find((m) => m.kind === "request");
  const res = messages.find((m) => m.kind === "response");
  if (req === undefined || res === undefined) return [];
  const emitter = new ErrorResponseEmitter(req, res);
  const body = emitter.fields(res.fields, req.fields, "request", res.name, 1);
  emitter.checkOverridesUsed();
  // Parameters a response without mirrored arrays or error fields leaves unread.
  const request = /\brequest\./.test(body) ? "request" : "_request";
  const errorCode = /\berrorCode\b/.test(body) ? "errorCode" : "_errorCode";
  return [
    `/** The response to a request that failed as a whole: \`errorCode\` in every error field. */
export function ${req.name}ErrorResponse(${request}: ${fullName(req)}, ${errorCode}: number): ${fullName(res)} {
  return create${fullName(res)}({${body}});
}`,
  ];
}

/** Copied into a mirrored element when both sides have them: never counters or offsets. */
const IDENTITY_TYPES = new Set(["string", "int8", "int32", "uuid"]);

class ErrorResponseEmitter {
  private readonly overrides: Record<string, MirrorOverride>;
  private readonly visited = new Set<string>();

  constructor(
    private readonly req: MessageSpec,
    private readonly res: MessageSpec,
  ) {
    this.overrides = ERROR_RESPONSE_OVERRIDES[req.name] ?? {};
  }

  /** An override naming a field that no longer exists would silently stop applying. */
  checkOverridesUsed(): void {
    for (const path of Object.keys(this.overrides)) {
      if (!this.visited.has(path))
        throw new Error(`error-response override ${path}: no such field`);
    }
  }

  /** Object-literal entries for response `fields`; `reqFields` is the mirrored request element. */
  fields(
    resFields: FieldSpec[],
    reqFields: FieldSpec[],
    reqVar: string,
    path: string,
    depth: number,
  ): string {
    const out: string[] = [];
    for (const f of resFields) {
      const prop = camel(f.name);
      const here = `${path}.${f.name}`;
      this.visited.add(here);
      const value = this.overrides[here]?.value;
      if (value !== undefined) {
        out.push(`${prop}: ${value}`);
        continue;
      }
      if (isErrorCode(f)) {
        out.push(`${prop}: errorCode`);
        continue;
      }
      const el = elementType(f.type);
      if (el !== null && !PRIMITIVES.has(el)) {
        const mirrored = this.mirror(f, reqFields, reqVar, here, depth);
        if (mirrored !== null) out.push(`${prop}: ${mirrored}`);
        continue;
      }
      // Top-level scalars keep their defaults: only a mirrored element has an identity
      // (of an identity type, or one an override names).
      const named = this.overrides[here]?.from;
      if (depth === 1 || el !== null || (!IDENTITY_TYPES.has(f.type) && named === undefined))
        continue;
      const source = named ?? f.name;
      const r = reqFields.find((q) => q.name === source && q.type === f.type);
      if (r === undefined) continue;
      const x = `${reqVar}.${camel(r.name)}`;
      const fallback = f.type === "string" ? `""` : f.type === "uuid" ? "Buffer.alloc(16)" : "0";
      // A request value that may be null where the response's may not gets the type's zero.
      const nullSafe = nullableWherever(f.nullableVersions, r.nullableVersions);
      out.push(`${prop}: ${nullSafe ? x : `${x} ?? ${fallback}`}`);
    }
    return out.join(",\n");
  }

  /** `request.xs.map(...)` for a response array that mirrors a request array, or null. */
  private mirror(
    f: FieldSpec,
    reqFields: FieldSpec[],
    reqVar: string,
    path: string,
    depth: number,
  ): string | null {
    const resEl = structFields(this.res, f);
    if (!carriesErrorCode(resEl, this.res)) return null;
    const override = this.overrides[path];
    const named = override?.mirror;
    const sources =
      named === undefined
        ? [this.bestMirror(resEl, reqFields)].filter((q) => q !== undefined)
        : (Array.isArray(named) ? named : [named]).map((name) => {
            const q = reqFields.find((x) => x.name === name);
            if (q === undefined) throw new Error(`${path}: no request field ${name}`);
            return q;
          });
    if (sources.length === 0) return null;
    const lists = sources.map((source) => this.mapped(f, resEl, source, reqVar, path, depth));
    // Arrays of different versions: only one of them holds anything in a decoded request.
    return lists.length === 1
      ? (lists[0] as string)
      : `[${lists.map((l) => `...${l}`).join(", ")}]`;
  }

  /** `request.xs.map(...)`: one response element per element of request array `source`. */
  private mapped(
    f: FieldSpec,
    resEl: FieldSpec[],
    source: FieldSpec,
    reqVar: string,
    path: string,
    depth: number,
  ): string {
    const item = `r${depth}`;
    const list =
      source.nullableVersions !== null
        ? `(${reqVar}.${camel(source.name)} ?? [])`
        : `${reqVar}.${camel(source.name)}`;
    const create = structConstructor(this.res, elementType(f.type) as string);
    const reqElType = elementType(source.type) as string;
    if (PRIMITIVES.has(reqElType)) {
      const key = this.overrides[path]?.item;
      if (key === undefined)
        throw new Error(`${path}: ${source.name} lists values; say which field takes them`);
      const inner = this.fields(resEl, [], item, path, depth + 1);
      return `${list}.map((${item}) => ${create}({${camel(key)}: ${item}${inner === "" ? "" : `, ${inner}`}}))`;
    }
    const inner = this.fields(resEl, structFields(this.req, source), item, path, depth + 1);
    // A result that copies nothing from its request item (CreateAcls) only counts them.
    const param = new RegExp(`\\b${item}\\b`).test(inner) ? item : `_${item}`;
    return `${list}.map((${param}) => ${create}({${inner}}))`;
  }

  /** The request struct array whose elements share the most identity fields with `resEl`. */
  private bestMirror(resEl: FieldSpec[], reqFields: FieldSpec[]): FieldSpec | undefined {
    let best: FieldSpec | undefined;
    let bestScore = 0;
    for (const q of reqFields) {
      const el = elementType(q.type);
      if (el === null || PRIMITIVES.has(el)) continue;
      const qFields = structFields(this.req, q);
      const score = resEl.filter(
        (r) =>
          IDENTITY_TYPES.has(r.type) && qFields.some((x) => x.name === r.name && x.type === r.type),
      ).length;
      if (score > bestScore) {
        best = q;
        bestScore = score;
      }
    }
    return best;
  }
}

/** The fields of struct (or struct array) field `f`: inline, or a common struct of `msg`. */
function structFields(msg: MessageSpec, f: FieldSpec): FieldSpec[] {
  if (f.fields !== undefined) return f.fields;
  const base = elementType(f.type) ?? f.type;
  const common = msg.commonStructs.find((s) => s.name === base);
  if (common === undefined) throw new Error(`${msg.file}: unknown struct ${base}`);
  return common.fields;
}

/** The constructor emit-message.ts generates for struct `name` of `msg` (same naming). */
function structConstructor(msg: MessageSpec, name: string): string {
  const s = nestedStructs(msg).find((n) => n.name === name);
  if (s === undefined) throw new Error(`${msg.file}: unknown struct ${name}`);
  return `create${s.tsName}`;
}

/** Is the response field nullable in every version the request field is? */
function nullableWherever(res: VersionRange | null, req: VersionRange | null): boolean {
  if (req === null) return true;
  return res !== null && res.min <= req.min && res.max >= req.max;
}

function isErrorCode(f: FieldSpec): boolean {
  return f.type === "int16" && f.name.endsWith("ErrorCode");
}

function carriesErrorCode(fields: FieldSpec[], msg: MessageSpec): boolean {
  return fields.some(
    (f) =>
      isErrorCode(f) ||
      (!PRIMITIVES.has(elementType(f.type) ?? f.type) &&
        carriesErrorCode(structFields(msg, f), msg)),
  );
}
