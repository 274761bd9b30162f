/**
 * Compares two decoded protocol objects field by field, generically: objects by field
 * name, arrays of keyed elements (topics, partitions, configs, …) by their key so that
 * order does not matter, other arrays by position, byte fields by content.
 *
 * A difference is reported with a path such as
 * `topics[name="t1"].partitions[partitionIndex=0].errorCode`.
 */

export interface Difference {
  path: string;
  kafka: unknown;
  logbook: unknown;
}

/** Fields that identify an element of an array, tried in this order. */
const KEY_FIELDS = [
  "apiKey",
  "name",
  "topic",
  "topicName",
  "groupId",
  "transactionalId",
  "resourceName",
  "partitionIndex",
  "partition",
  "partitionId",
  "memberId",
  "nodeId",
  "brokerId",
  "producerId",
] as const;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
}

function keyFieldOf(kafka: readonly unknown[], logbook: readonly unknown[]): string | undefined {
  const all = [...kafka, ...logbook];
  if (!isPlainObject(all[0])) return undefined;
  // A key must tell the elements of each side apart (aborted transactions repeat a producer id).
  const unique = (items: readonly unknown[], k: string) =>
    new Set(items.map((i) => show((i as Record<string, unknown>)[k]))).size === items.length;
  return KEY_FIELDS.find(
    (k) => all.every((i) => isPlainObject(i) && k in i) && unique(kafka, k) && unique(logbook, k),
  );
}

function show(v: unknown): string {
  if (typeof v === "bigint") return `${v}n`;
  if (v instanceof Uint8Array) return `bytes(${v.length})`;
  return JSON.stringify(v) ?? String(v);
}

/** Every difference between `kafka` and `logbook`, with paths under `path`. */
export function diff(kafka: unknown, logbook: unknown, path = ""): Difference[] {
  const out: Difference[] = [];
  walk(kafka, logbook, path, out);
  return out;
}

function walk(k: unknown, l: unknown, path: string, out: Difference[]): void {
  if (k instanceof Uint8Array || l instanceof Uint8Array) {
    const same =
      k instanceof Uint8Array && l instanceof Uint8Array && Buffer.from(k).equals(Buffer.from(l));
    if (!same) out.push({ path, kafka: k, logbook: l });
    return;
  }
  if (Array.isArray(k) && Array.isArray(l)) {
    walkArray(k, l, path, out);
    return;
  }
  if (isPlainObject(k) && isPlainObject(l)) {
    for (const f of new Set([...Object.keys(k), ...Object.keys(l)])) {
      walk(k[f], l[f], path === "" ? f : `${path}.${f}`, out);
    }
    return;
  }
  if (k !== l) out.push({ path, kafka: k, logbook: l });
}

function walkArray(k: unknown[], l: unknown[], path: string, out: Difference[]): void {
  const key = keyFieldOf(k, l);
  if (key === undefined) {
    if (k.length !== l.length) {
      out.push({ path: `${path}.length`, kafka: k.length, logbook: l.length });
    }
    for (let i = 0; i < Math.min(k.length, l.length); i++) walk(k[i], l[i], `${path}[${i}]`, out);
    return;
  }
  const byKey = (items: unknown[]): Map<string, unknown> =>
    new Map(items.map((i) => [show((i as Record<string, unknown>)[key]), i]));
  const km = byKey(k);
  const lm = byKey(l);
  for (const id of new Set([...km.keys(), ...lm.keys()])) {
    const p = `${path}[${key}=${id}]`;
    if (!km.has(id)) out.push({ path: p, kafka: undefined, logbook: "present" });
    else if (!lm.has(id)) out.push({ path: p, kafka: "present", logbook: undefined });
    else walk(km.get(id), lm.get(id), p, out);
  }
}

export function describeDifference(d: Difference): string {
  return `${d.path}: kafka ${show(d.kafka)}, logbook ${show(d.logbook)}`;
}
