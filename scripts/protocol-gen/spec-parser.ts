import { readdir, readFile } from "node:fs/promises";
import { join, relative } from "node:path";
import {
  type FieldSpec,
  type MessageKind,
  type MessageSpec,
  parseRange,
  type StructSpec,
} from "./spec-model.js";

/**
 * Parser for the protocol-specs DSL (see protocol-specs/README.md):
 *
 *   request Fetch key=1 versions=0-17 flexible=12+
 *     Topics []FetchTopic 0+
 *       Topic string 0-12
 *   struct Shared versions=0+
 *     Name string 0+
 *
 * Indentation (two spaces a level) nests fields; `#` starts a comment line.
 */
export function parseSpec(text: string, file: string): MessageSpec[] {
  const messages: MessageSpec[] = [];
  // Stack of field lists being filled, indexed by nesting depth.
  let stack: FieldSpec[][] = [];
  let current: MessageSpec | undefined;
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i] as string;
    const lineNo = i + 1;
    const where = `${file}:${lineNo}`;
    if (raw.trim() === "" || raw.trimStart().startsWith("#")) continue;
    const indent = raw.length - raw.trimStart().length;
    if (indent % 2 !== 0) throw new Error(`${where}: indentation must be a multiple of two`);
    const words = raw.trim().split(/\s+/);
    if (indent === 0) {
      const [head, name, ...rest] = words;
      if (name === undefined) throw new Error(`${where}: missing name`);
      const attrs = attributes(rest, where);
      if (head === "struct") {
        if (current === undefined) throw new Error(`${where}: struct before any message`);
        const s: StructSpec = {
          name,
          versions: parseRange(req(attrs, "versions", where)),
          fields: [],
        };
        current.commonStructs.push(s);
        stack = [s.fields];
        continue;
      }
      if (head !== "request" && head !== "response" && head !== "header" && head !== "data") {
        throw new Error(`${where}: expected request, response, header, data or struct`);
      }
      const validVersions = parseRange(req(attrs, "versions", where));
      if (validVersions === null) throw new Error(`${where}: versions cannot be none`);
      current = {
        kind: head as MessageKind,
        name,
        validVersions,
        flexibleVersions: parseRange(req(attrs, "flexible", where)),
        fields: [],
        commonStructs: [],
        file,
      };
      if (attrs.has("key")) current.apiKey = Number(attrs.get("key"));
      messages.push(current);
      stack = [current.fields];
      continue;
    }
    const depth = indent / 2;
    const target = stack[depth - 1];
    if (target === undefined) throw new Error(`${where}: unexpected indentation`);
    const [name, type, versions, ...rest] = words;
    if (name === undefined || type === undefined || versions === undefined) {
      throw new Error(`${where}: a field needs a name, a type and versions`);
    }
    const attrs = attributes(rest, where);
    const field: FieldSpec = {
      name,
      type,
      versions: parseRange(versions),
      nullableVersions: attrs.has("nullable") ? parseRange(attrs.get("nullable") as string) : null,
      line: lineNo,
    };
    const tag = attrs.get("tag");
    if (tag !== undefined) {
      const [n, tagged] = tag.split("@");
      field.tag = Number(n);
      field.taggedVersions = tagged === undefined ? field.versions : parseRange(tagged);
    }
    if (attrs.has("flexible")) field.flexibleVersions = parseRange(attrs.get("flexible") as string);
    if (attrs.has("default")) field.default = unquote(attrs.get("default") as string);
    target.push(field);
    stack.length = depth;
    field.fields = [];
    stack.push(field.fields);
  }
  for (const m of messages) {
    pruneEmpty(m.fields);
    for (const c of m.commonStructs) pruneEmpty(c.fields);
  }
  return messages;
}

/** A field with no indented lines below it has no inline struct. */
function pruneEmpty(fields: FieldSpec[]): void {
  for (const f of fields) {
    if (f.fields === undefined) continue;
    if (f.fields.length === 0) delete f.fields;
    else pruneEmpty(f.fields);
  }
}

function attributes(words: string[], where: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const w of words) {
    const eq = w.indexOf("=");
    if (eq <= 0) throw new Error(`${where}: expected key=value, got "${w}"`);
    const key = w.slice(0, eq);
    if (out.has(key)) throw new Error(`${where}: "${key}" given twice`);
    out.set(key, w.slice(eq + 1));
  }
  return out;
}

function req(attrs: Map<string, string>, key: string, where: string): string {
  const v = attrs.get(key);
  if (v === undefined) throw new Error(`${where}: missing ${key}=`);
  return v;
}

function unquote(v: string): string {
  return v.startsWith('"') && v.endsWith('"') ? v.slice(1, -1) : v;
}

/** Every *.lbs file below `dir`, parsed, in path order. */
export async function loadSpecs(dir: string): Promise<MessageSpec[]> {
  const files: string[] = [];
  async function walk(d: string): Promise<void> {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.name.endsWith(".lbs")) files.push(p);
    }
  }
  await walk(dir);
  files.sort();
  const out: MessageSpec[] = [];
  for (const f of files) out.push(...parseSpec(await readFile(f, "utf8"), relative(dir, f)));
  return out;
}
