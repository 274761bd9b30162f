import type { AssignorMember } from "./assignors/assignor.js";
import { serverAssignorByName } from "./assignors/index.js";
import type { CoordinatorConfig } from "./config.js";
import type { ConsumerTopicView } from "./consumer-api.js";
import {
  type Assignment,
  addPartition,
  type MemberSubscription,
  type TopicSnapshot,
} from "./consumer-group.js";
import { memberTopicNames, type ResolvedRegexes } from "./consumer-regex.js";

/**
 * The target assignment of a consumer group: the subscribed topics (by name or through a
 * resolved expression) as they exist now,
 * the server-side assignor the members prefer, and its answer per member.
 */

export function subscribedTopics(
  members: ReadonlyMap<string, MemberSubscription>,
  resolved: ResolvedRegexes,
  view: ConsumerTopicView,
): Map<string, TopicSnapshot> {
  const names = new Set<string>();
  for (const m of members.values()) for (const n of memberTopicNames(m, resolved)) names.add(n);
  const topics = new Map<string, TopicSnapshot>();
  for (const name of [...names].sort()) {
    const t = view.byName(name);
    if (t !== undefined) {
      topics.set(name, { id: t.id.toString("hex"), name, partitions: t.partitions });
    }
  }
  return topics;
}

export function sameTopics(
  a: ReadonlyMap<string, TopicSnapshot>,
  b: ReadonlyMap<string, TopicSnapshot>,
): boolean {
  if (a.size !== b.size) return false;
  for (const [name, t] of a) {
    const o = b.get(name);
    if (o === undefined || o.id !== t.id || o.partitions !== t.partitions) return false;
  }
  return true;
}

/** The assignor most members ask for, else the first configured one (Kafka's choice). */
export function preferredAssignor(
  config: CoordinatorConfig,
  members: Iterable<MemberSubscription>,
): string {
  const votes = new Map<string, number>();
  for (const m of members) {
    if (m.serverAssignor !== null)
      votes.set(m.serverAssignor, (votes.get(m.serverAssignor) ?? 0) + 1);
  }
  let best = config.consumerAssignors[0] ?? "uniform";
  let bestVotes = 0;
  for (const [name, n] of votes) {
    if (n > bestVotes) {
      best = name;
      bestVotes = n;
    }
  }
  return best;
}

export function computeTargets(
  config: CoordinatorConfig,
  members: ReadonlyMap<string, MemberSubscription>,
  resolved: ResolvedRegexes,
  targets: ReadonlyMap<string, Assignment>,
  topics: ReadonlyMap<string, TopicSnapshot>,
): Map<string, Assignment> {
  const name = preferredAssignor(config, members.values());
  const assignor = serverAssignorByName(name);
  if (assignor === undefined) throw new Error(`server assignor ${name} is not available`);
  const input: AssignorMember[] = [...members.values()].map((m) => ({
    memberId: m.memberId,
    instanceId: m.instanceId,
    rackId: m.rackId,
    subscribedTopics: new Set(
      memberTopicNames(m, resolved).flatMap((n) => {
        const t = topics.get(n);
        return t === undefined ? [] : [t.id];
      }),
    ),
    current: new Map(
      [...(targets.get(m.memberId) ?? new Map<string, Set<number>>())].map(([t, ps]) => [
        t,
        [...ps].sort((x, y) => x - y),
      ]),
    ),
  }));
  const computed = assignor.assign({
    members: input,
    topics: new Map([...topics.values()].map((t) => [t.id, t.partitions])),
  });
  const result = new Map<string, Assignment>();
  for (const m of members.values()) {
    const a: Assignment = new Map();
    for (const [t, ps] of computed.get(m.memberId) ?? []) for (const p of ps) addPartition(a, t, p);
    result.set(m.memberId, a);
  }
  return result;
}
