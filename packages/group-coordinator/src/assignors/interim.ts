import type { AssignmentInput, ServerAssignor, TargetAssignment } from "./assignor.js";

/**
 * INTERIM, until the real `uniform` and `range` assignors land: a small balanced and
 * sticky assignor answering under whichever name it is given. First every member keeps
 * what it holds while it is subscribed and under its fair share, then each partition
 * still free goes to the subscribed member holding the fewest.
 */
export function interimAssignor(name: string): ServerAssignor {
  return { name, assign: balancedAssign };
}

function balancedAssign(input: AssignmentInput): TargetAssignment {
  const result: TargetAssignment = new Map();
  const counts = new Map<string, number>();
  for (const m of input.members) {
    result.set(m.memberId, new Map());
    counts.set(m.memberId, 0);
  }
  const give = (memberId: string, topic: string, partition: number) => {
    const byTopic = result.get(memberId);
    if (byTopic === undefined) return;
    byTopic.set(topic, [...(byTopic.get(topic) ?? []), partition]);
    counts.set(memberId, (counts.get(memberId) ?? 0) + 1);
  };
  const subscribers = (topic: string) =>
    input.members.filter((m) => m.subscribedTopics.has(topic)).map((m) => m.memberId);
  let total = 0;
  for (const [topic, n] of input.topics) if (subscribers(topic).length > 0) total += n;
  const fairShare = Math.ceil(total / Math.max(1, input.members.length));
  const taken = new Set<string>();
  const topics = [...input.topics.keys()].sort();
  for (const m of [...input.members].sort((a, b) => a.memberId.localeCompare(b.memberId))) {
    for (const topic of topics) {
      if (!m.subscribedTopics.has(topic)) continue;
      const partitions = input.topics.get(topic) ?? 0;
      for (const p of m.current.get(topic) ?? []) {
        const key = `${topic}:${p}`;
        if (p >= partitions || taken.has(key) || (counts.get(m.memberId) ?? 0) >= fairShare) {
          continue;
        }
        taken.add(key);
        give(m.memberId, topic, p);
      }
    }
  }
  for (const topic of topics) {
    const candidates = subscribers(topic).sort();
    for (let p = 0; p < (input.topics.get(topic) ?? 0); p++) {
      if (taken.has(`${topic}:${p}`) || candidates.length === 0) continue;
      let best = candidates[0] as string;
      for (const c of candidates) if ((counts.get(c) ?? 0) < (counts.get(best) ?? 0)) best = c;
      give(best, topic, p);
    }
  }
  for (const byTopic of result.values())
    for (const ps of byTopic.values()) ps.sort((a, b) => a - b);
  return result;
}
