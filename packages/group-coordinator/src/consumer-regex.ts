import type { ConsumerTopicView } from "./consumer-api.js";
import type { ConsumerGroup, MemberSubscription } from "./consumer-group.js";
import type { ConsumerGroupRecord } from "./consumer-records.js";
import { compileSubscriptionRegex } from "./subscription-regex.js";

/**
 * The topics each subscription regular expression of a group resolves to. One resolution
 * (a kind-16 record) is shared by every member with the same expression and removed when
 * no member uses it any more. Expressions are re-resolved at every heartbeat against the
 * broker's topics, so created and deleted topics are seen at the next heartbeat.
 */

/** Expression -> the (sorted) names of the topics it matched. */
export type ResolvedRegexes = ReadonlyMap<string, readonly string[]>;

/** The topics `regex` matches now (whole names). */
export function resolveRegex(regex: string, view: ConsumerTopicView): string[] {
  const compiled = compileSubscriptionRegex(regex);
  // Expressions are validated before they are stored, so a failure here matches nothing.
  if (!compiled.ok) return [];
  return [...view.names()].filter((name) => compiled.matches(name)).sort();
}

/** Every topic name the member subscribes to, by name or through its expression. */
export function memberTopicNames(m: MemberSubscription, resolved: ResolvedRegexes): string[] {
  const viaRegex =
    m.subscribedTopicRegex === null ? [] : (resolved.get(m.subscribedTopicRegex) ?? []);
  return viaRegex.length === 0 ? m.subscribedTopicNames : [...m.subscribedTopicNames, ...viaRegex];
}

export interface RegexUpdate {
  resolved: Map<string, string[]>;
  records: ConsumerGroupRecord[];
  /** Some expression in use resolved to other topics than before (a new target is due). */
  changed: boolean;
}

/**
 * Resolves the expressions `members` use against the topics now; records the ones whose
 * topics moved and removes the ones nobody uses.
 */
export function updateRegexes(
  group: ConsumerGroup,
  members: ReadonlyMap<string, MemberSubscription>,
  view: ConsumerTopicView,
  now: number,
): RegexUpdate {
  const inUse = regexesInUse(members.values());
  const resolved = new Map<string, string[]>();
  const records: ConsumerGroupRecord[] = [];
  let changed = false;
  for (const regex of inUse) {
    const topics = resolveRegex(regex, view);
    resolved.set(regex, topics);
    const before = group.regexes.get(regex);
    if (before === undefined || !sameNames(before, topics)) {
      records.push(regexRecord(group.groupId, regex, topics, now));
      changed = true;
    }
  }
  for (const regex of group.regexes.keys()) {
    if (!inUse.has(regex)) records.push(regexTombstone(group.groupId, regex));
  }
  return { resolved, records, changed };
}

/**
 * Tombstones of the expressions only `memberId` uses (the member is leaving): the next
 * heartbeat resolves again whatever another member still uses.
 */
export function regexTombstonesWithout(
  group: ConsumerGroup,
  memberIds: readonly string[],
): ConsumerGroupRecord[] {
  const rest = [...group.members.values()].filter((m) => !memberIds.includes(m.memberId));
  const inUse = regexesInUse(rest);
  return [...group.regexes.keys()]
    .filter((regex) => !inUse.has(regex))
    .map((regex) => regexTombstone(group.groupId, regex));
}

export function regexTombstone(group: string, regex: string): ConsumerGroupRecord {
  return { kind: "cg-regex", group, regex, value: null };
}

function regexRecord(
  group: string,
  regex: string,
  topics: string[],
  now: number,
): ConsumerGroupRecord {
  // Topic changes are noticed by resolving again, not by a metadata version: 0.
  return {
    kind: "cg-regex",
    group,
    regex,
    value: { topics, metadataVersion: 0n, timestamp: BigInt(now) },
  };
}

function regexesInUse(members: Iterable<MemberSubscription>): Set<string> {
  const inUse = new Set<string>();
  for (const m of members) if (m.subscribedTopicRegex !== null) inUse.add(m.subscribedTopicRegex);
  return inUse;
}

function sameNames(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((n, i) => n === b[i]);
}
