/**
 * Uniform assignment when members subscribe to different topics. Members keep what they
 * hold of their subscriptions; each partition nobody holds goes to its least loaded
 * subscriber (topics with the fewest subscribers first, as they have the least choice);
 * then partitions move from an owner to a subscriber of their topic holding at least two
 * fewer (those just handed out before those a member held), until no such move is left.
 * At the end no partition's owner holds more than one partition over any other
 * subscriber of its topic, so members with the same subscription differ by at most one.
 * Every move lowers the sum of squared counts, so the loop ends; an assignment that is
 * already balanced is returned unchanged.
 */
import type { AssignorMember, TargetAssignment } from "./assignor.js";
import { PartitionSpace } from "./partition-space.js";

/** `members` must be in member id order. */
export function assignHeterogeneous(
  members: readonly AssignorMember[],
  partitionCounts: ReadonlyMap<string, number>,
): TargetAssignment {
  const space = new PartitionSpace(
    members.flatMap((m) => [...m.subscribedTopics]),
    partitionCounts,
  );
  const topicCount = space.topics.length;
  const subscribers = space.topics.map((topic) =>
    members.flatMap((m, i) => (m.subscribedTopics.has(topic) ? [i] : [])),
  );
  const owner = new Int32Array(space.size).fill(-1);
  const count = new Int32Array(members.length);
  /** 1 for a partition its owner already held: moved only when nothing fresh will do. */
  const kept = new Uint8Array(space.size);

  // Keep current partitions of subscribed topics; a partition two members report goes
  // to the first.
  members.forEach((m, i) => {
    for (const [topic, partitions] of m.current) {
      const t = space.topicIndex(topic);
      if (t === undefined || !m.subscribedTopics.has(topic)) continue;
      for (const p of partitions) {
        const g = space.globalIndex(t, p);
        if (g >= 0 && owner[g] === -1) {
          owner[g] = i;
          kept[g] = 1;
          count[i]!++;
        }
      }
    }
  });

  const byChoice = Array.from({ length: topicCount }, (_, t) => t).sort(
    (a, b) => subscribers[a]!.length - subscribers[b]!.length || a - b,
  );
  for (const t of byChoice) {
    const subs = subscribers[t]!;
    for (let g = space.starts[t]!; g < space.starts[t + 1]!; g++) {
      if (owner[g] !== -1) continue;
      const s = leastLoaded(subs, count);
      owner[g] = s;
      count[s]!++;
    }
  }

  for (let moved = true; moved; ) {
    moved = false;
    for (let t = 0; t < topicCount; t++) {
      const subs = subscribers[t]!;
      if (subs.length < 2) continue;
      let lo = leastLoaded(subs, count);
      // Partitions handed out above first, then ones members held before.
      for (const wasKept of [0, 1]) {
        for (let g = space.starts[t]!; g < space.starts[t + 1]!; g++) {
          const o = owner[g]!;
          if (kept[g] !== wasKept || count[o]! - count[lo]! < 2) continue;
          owner[g] = lo;
          kept[g] = 0;
          count[o]!--;
          count[lo]!++;
          moved = true;
          lo = leastLoaded(subs, count);
        }
      }
    }
  }
  return space.toTarget(members, owner);
}

/** The subscriber with the fewest partitions; the first (lowest member id) on a tie. */
function leastLoaded(subs: readonly number[], count: Int32Array): number {
  let best = subs[0]!;
  for (const s of subs) if (count[s]! < count[best]!) best = s;
  return best;
}
