import type { AssignedTopic } from "./share-group.js";

/** A subscribed topic as the assignor sees it. */
export interface ShareTopic {
  readonly topicId: Buffer;
  readonly partitions: number;
}

export interface AssignorInput {
  /** Member id -> the topic names it subscribes to. */
  readonly members: ReadonlyMap<string, readonly string[]>;
  /** The subscribed topics that exist. */
  readonly topics: ReadonlyMap<string, ShareTopic>;
  /** The previous target, kept where still balanced (stickiness). */
  readonly previous: ReadonlyMap<string, readonly AssignedTopic[]>;
}

export const SIMPLE_ASSIGNOR_NAME = "simple";

/**
 * The share-group assignor (the role of Kafka's SimpleAssignor). Records of a share
 * partition are handed out record by record, so a partition may serve several members:
 * with fewer partitions than members each partition is shared by ceil(members /
 * partitions) members; otherwise partitions are spread evenly and nobody shares. Members
 * with the same subscription share one pool of partitions; when subscriptions differ
 * each topic is balanced over its own subscribers. Partitions a member already holds
 * stay with it as long as neither it nor the partition is over its share.
 */
export function assignShareGroup(input: AssignorInput): Map<string, AssignedTopic[]> {
  const memberIds = [...input.members.keys()].sort();
  const byMember = new Map<string, Set<string>>(memberIds.map((m) => [m, new Set<string>()]));
  const previous = new Map<string, Set<string>>();
  for (const [m, topics] of input.previous) {
    previous.set(m, new Set(topics.flatMap((t) => t.partitions.map((p) => slotKey(t.topic, p)))));
  }
  for (const pool of pools(memberIds, input)) {
    const assigned = assignPool(pool.members, pool.partitions, previous);
    for (const [m, keys] of assigned) for (const k of keys) byMember.get(m)?.add(k);
  }
  const out = new Map<string, AssignedTopic[]>();
  for (const [m, keys] of byMember) out.set(m, toTopics(keys, input.topics));
  return out;
}

interface Pool {
  members: string[];
  partitions: string[];
}

function pools(memberIds: string[], input: AssignorInput): Pool[] {
  const existing = (names: readonly string[]): string[] =>
    [...new Set(names)].filter((n) => input.topics.has(n)).sort();
  const subs = memberIds.map((m) => existing(input.members.get(m) ?? []));
  const partitionsOf = (topic: string): string[] => {
    const count = input.topics.get(topic)?.partitions ?? 0;
    return Array.from({ length: count }, (_, p) => slotKey(topic, p));
  };
  const first = subs[0]?.join("\0");
  if (subs.every((s) => s.join("\0") === first)) {
    return [{ members: memberIds, partitions: (subs[0] ?? []).flatMap(partitionsOf) }];
  }
  return [...input.topics.keys()].sort().map((topic) => ({
    members: memberIds.filter((_, i) => subs[i]?.includes(topic) === true),
    partitions: partitionsOf(topic),
  }));
}

function assignPool(
  members: string[],
  partitions: string[],
  previous: ReadonlyMap<string, ReadonlySet<string>>,
): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>(members.map((m) => [m, new Set<string>()]));
  if (members.length === 0 || partitions.length === 0) return out;
  const sharing = Math.ceil(members.length / partitions.length);
  const slots = partitions.length * sharing;
  const valid = new Set(partitions);
  const held = (m: string): string[] => [...(previous.get(m) ?? [])].filter((k) => valid.has(k));
  // The members that get one more than the even share are those already holding most.
  const order = [...members].sort((a, b) => held(b).length - held(a).length || cmp(a, b));
  const desired = new Map<string, number>();
  order.forEach((m, i) => {
    desired.set(m, Math.floor(slots / members.length) + (i < slots % members.length ? 1 : 0));
  });
  const holders = new Map<string, number>(partitions.map((p) => [p, 0]));
  const give = (m: string, p: string): void => {
    out.get(m)?.add(p);
    holders.set(p, (holders.get(p) ?? 0) + 1);
  };
  // Keep what each member holds, within its share and the partition's sharing.
  for (const m of members) {
    for (const p of held(m).sort(cmp)) {
      if ((out.get(m)?.size ?? 0) >= (desired.get(m) ?? 0)) break;
      if ((holders.get(p) ?? 0) < sharing) give(m, p);
    }
  }
  // Fill the rest round by round, least-loaded member first.
  for (let round = 0; round < sharing; round++) {
    for (const p of partitions) {
      if ((holders.get(p) ?? 0) > round) continue;
      const free = members.filter((m) => out.get(m)?.has(p) !== true);
      const withRoom = free.filter((m) => (out.get(m)?.size ?? 0) < (desired.get(m) ?? 0));
      const pick = leastLoaded(withRoom.length > 0 ? withRoom : free, out);
      if (pick !== undefined) give(pick, p);
    }
  }
  return out;
}

function leastLoaded(
  candidates: string[],
  out: ReadonlyMap<string, ReadonlySet<string>>,
): string | undefined {
  let best: string | undefined;
  for (const m of candidates) {
    if (best === undefined || (out.get(m)?.size ?? 0) < (out.get(best)?.size ?? 0)) best = m;
  }
  return best;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** "topic\0partition": topic names cannot hold NUL. */
function slotKey(topic: string, partition: number): string {
  return `${topic}\0${partition}`;
}

function toTopics(
  keys: ReadonlySet<string>,
  topics: ReadonlyMap<string, ShareTopic>,
): AssignedTopic[] {
  const byTopic = new Map<string, number[]>();
  for (const k of keys) {
    const cut = k.lastIndexOf("\0");
    const topic = k.slice(0, cut);
    const list = byTopic.get(topic) ?? [];
    list.push(Number(k.slice(cut + 1)));
    byTopic.set(topic, list);
  }
  const out: AssignedTopic[] = [];
  for (const topic of [...byTopic.keys()].sort()) {
    const t = topics.get(topic);
    if (t === undefined) continue;
    out.push({
      topicId: t.topicId,
      topic,
      partitions: (byTopic.get(topic) ?? []).sort((a, b) => a - b),
    });
  }
  return out;
}
