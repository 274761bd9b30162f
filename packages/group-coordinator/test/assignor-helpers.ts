/** Builders, generators and checks shared by the server-side assignor tests. */
import assert from "node:assert/strict";
import fc from "fast-check";
import type {
  AssignmentInput,
  AssignorMember,
  TargetAssignment,
  TopicPartitions,
} from "../src/assignors/assignor.js";

export function member(
  memberId: string,
  topics: readonly string[],
  current: Record<string, number[]> = {},
  instanceId: string | null = null,
): AssignorMember {
  return {
    memberId,
    instanceId,
    rackId: null,
    subscribedTopics: new Set(topics),
    current: new Map(Object.entries(current)),
  };
}

export function topicCounts(counts: Record<string, number>): Map<string, number> {
  return new Map(Object.entries(counts));
}

/** A target as plain objects, for readable deepEqual failures. */
export function plain(target: TargetAssignment): Record<string, Record<string, number[]>> {
  const out: Record<string, Record<string, number[]>> = {};
  for (const [m, topics] of target) out[m] = Object.fromEntries(topics);
  return out;
}

/** The same group with every member's current assignment replaced by `target`'s. */
export function withCurrent(input: AssignmentInput, target: TargetAssignment): AssignmentInput {
  return {
    topics: input.topics,
    members: input.members.map((m) => ({
      ...m,
      current: (target.get(m.memberId) ?? new Map()) as TopicPartitions,
    })),
  };
}

/** "topic/partition" -> owning member. */
export function owners(target: TargetAssignment): Map<string, string> {
  const out = new Map<string, string>();
  for (const [m, topics] of target) {
    for (const [t, ps] of topics) for (const p of ps) out.set(`${t}/${p}`, m);
  }
  return out;
}

export function partitionCount(target: TargetAssignment, memberId: string): number {
  let n = 0;
  for (const ps of target.get(memberId)?.values() ?? []) n += ps.length;
  return n;
}

/**
 * Every member has an entry; every partition of a subscribed topic is assigned exactly
 * once, to a subscriber; nothing else is assigned; partition lists are sorted.
 */
export function assertComplete(input: AssignmentInput, target: TargetAssignment): void {
  assert.deepEqual(
    [...target.keys()].sort(),
    input.members.map((m) => m.memberId).sort(),
    "one entry per member",
  );
  const seen = new Set<string>();
  for (const m of input.members) {
    for (const [t, ps] of target.get(m.memberId)!) {
      assert.ok(m.subscribedTopics.has(t), `${m.memberId} got ${t} it does not subscribe to`);
      assert.deepEqual(
        ps,
        [...ps].sort((a, b) => a - b),
        "sorted",
      );
      assert.ok(ps.length > 0, "no empty topic entries");
      for (const p of ps) {
        assert.ok(p >= 0 && p < (input.topics.get(t) ?? 0), `${t}/${p} exists`);
        assert.ok(!seen.has(`${t}/${p}`), `${t}/${p} assigned twice`);
        seen.add(`${t}/${p}`);
      }
    }
  }
  const subscribed = new Set(input.members.flatMap((m) => [...m.subscribedTopics]));
  let expected = 0;
  for (const t of subscribed) expected += input.topics.get(t) ?? 0;
  assert.equal(seen.size, expected, "every subscribed partition assigned");
}

const TOPICS = ["t0", "t1", "t2", "t3", "t4"];

/**
 * Random groups: up to 5 topics of 0-12 partitions, 1-8 members subscribing to a
 * random subset (all the same one when `homogeneous`), and current assignments that
 * may overlap, name unsubscribed topics or partitions that no longer exist.
 */
export function groupArb(homogeneous: boolean): fc.Arbitrary<AssignmentInput> {
  return fc
    .record({
      counts: fc.array(fc.integer({ min: 0, max: 12 }), { minLength: 1, maxLength: 5 }),
      memberCount: fc.integer({ min: 1, max: 8 }),
      seed: fc.infiniteStream(fc.integer({ min: 0, max: 1_000_000 })),
      static: fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }),
    })
    .map(({ counts, memberCount, seed, static: isStatic }) => {
      const next = () => seed.next().value as number;
      const topics = TOPICS.slice(0, counts.length);
      const pick = () => topics.filter(() => next() % 2 === 0);
      const shared = pick();
      const members: AssignorMember[] = [];
      for (let i = 0; i < memberCount; i++) {
        const current: Record<string, number[]> = {};
        for (const t of [...topics, "gone"]) {
          if (next() % 3 !== 0) continue;
          const n = next() % 5;
          current[t] = Array.from({ length: n }, () => next() % 14);
        }
        const id = `m${(next() % 1000).toString().padStart(3, "0")}-${i}`;
        members.push(
          member(
            id,
            homogeneous ? shared : pick(),
            current,
            isStatic[i] ? `i${next() % 100}-${i}` : null,
          ),
        );
      }
      return { members, topics: new Map(topics.map((t, k) => [t, counts[k]!])) };
    });
}
