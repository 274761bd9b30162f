/**
 * Names of the structs nested in a message: the message's name followed by the struct's own
 * name, minus whatever of the message's name the struct's name repeats. Kafka names nested
 * structs so they are unique across all messages (`DescribeTopicPartitionsResponsePartition`
 * inside `DescribeTopicPartitionsResponse`); prefixing that again made 70-character names.
 */
import {
  elementType,
  type FieldSpec,
  fullName,
  type MessageSpec,
  PRIMITIVES,
} from "./spec-model.js";

export interface NestedStruct {
  /** The struct's name in the spec. */
  name: string;
  /** Its generated TypeScript name (also the suffix of its create/encode/decode/size). */
  tsName: string;
  fields: FieldSpec[];
}

/** Every struct a message uses (inline or shared), depth first in field order, named. */
export function nestedStructs(msg: MessageSpec): NestedStruct[] {
  const found = new Map<string, FieldSpec[]>();
  const full = fullName(msg);
  const visit = (fields: FieldSpec[]): void => {
    for (const f of fields) {
      const name = elementType(f.type) ?? f.type;
      if (PRIMITIVES.has(name)) continue;
      if (f.fields !== undefined) {
        if (found.has(name)) {
          throw new Error(`${msg.file}:${f.line}: struct ${name} defined twice in ${full}`);
        }
        found.set(name, f.fields);
        visit(f.fields);
      } else if (!found.has(name)) {
        const common = msg.commonStructs.find((s) => s.name === name);
        if (common === undefined) {
          throw new Error(`${msg.file}:${f.line}: unknown type ${name} in ${full}`);
        }
        found.set(name, common.fields);
        visit(common.fields);
      }
    }
  };
  visit(msg.fields);
  const names = uniqueNames(msg, [...found.keys()]);
  return [...found].map(([name, fields], i) => ({ name, tsName: names[i] ?? name, fields }));
}

/**
 * Shortened names, except that structs whose shortened names clash keep the message name
 * plus their whole spec name, which is unique because spec names are.
 */
function uniqueNames(msg: MessageSpec, structs: string[]): string[] {
  const full = fullName(msg);
  const names = structs.map((s) => full + ownPart(msg, s));
  for (;;) {
    const count = new Map<string, number>();
    for (const n of names) count.set(n, (count.get(n) ?? 0) + 1);
    let clashed = false;
    names.forEach((n, i) => {
      if ((count.get(n) ?? 0) > 1) {
        names[i] = full + (structs[i] ?? "");
        clashed = true;
      }
    });
    if (!clashed) return names;
  }
}

/**
 * What a struct name adds to its message's name: the struct name without the message name
 * (or the API's base name) where it appears as whole words, else without a leading run of
 * two or more words that the base name contains (`OffsetForLeaderTopic` in
 * `OffsetForLeaderEpoch`, `AlterConfigsResource` in `IncrementalAlterConfigs`). Never empty.
 */
export function ownPart(msg: MessageSpec, struct: string): string {
  const own = words(struct);
  const full = fullName(msg);
  const repeats = full === msg.name ? [full] : [full, msg.name];
  for (const r of repeats) {
    const rw = words(r);
    const at = indexOfRun(own, rw);
    if (at < 0) continue;
    const rest = [...own.slice(0, at), ...own.slice(at + rw.length)];
    return rest.length > 0 ? rest.join("") : struct;
  }
  const base = words(msg.name);
  for (let n = own.length - 1; n >= 2; n--) {
    if (indexOfRun(base, own.slice(0, n)) >= 0) return own.slice(n).join("");
  }
  return struct;
}

/** Camel-case words: `OffsetFetchRequestTopic` -> Offset, Fetch, Request, Topic. */
export function words(name: string): string[] {
  return name.match(/[A-Z][a-z0-9]*|[a-z0-9]+/g) ?? [];
}

/** Where `run` starts in `list` as consecutive elements, or -1. */
export function indexOfRun(list: string[], run: string[]): number {
  for (let i = 0; i + run.length <= list.length; i++) {
    if (run.every((w, j) => list[i + j] === w)) return i;
  }
  return -1;
}
