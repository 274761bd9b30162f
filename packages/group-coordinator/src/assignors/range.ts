/**
 * The `range` server-side assignor, as Kafka 4's for KIP-848: per topic, its subscribers
 * in a stable order each take one contiguous range, the first (partitions mod
 * subscribers) of them one partition more. Static members come first by instance id,
 * then the others by member id, so a static member bounced under a new member id keeps
 * its ranges; the current assignment is not consulted. When every member subscribes to
 * the same topics and they have equal partition counts, each member gets the same
 * partition numbers of every topic (co-partitioning, for joins).
 */
import type {
  AssignmentInput,
  AssignorMember,
  ServerAssignor,
  TargetAssignment,
} from "./assignor.js";
import { compareStrings } from "./partition-space.js";

export const rangeAssignor: ServerAssignor = {
  name: "range",
  assign(input: AssignmentInput): TargetAssignment {
    const members = [...input.members].sort(rangeOrder);
    const target: TargetAssignment = new Map();
    for (const m of members) target.set(m.memberId, new Map());
    const topics = [...new Set(members.flatMap((m) => [...m.subscribedTopics]))].sort(
      compareStrings,
    );
    for (const topic of topics) {
      const subs = members.filter((m) => m.subscribedTopics.has(topic));
      const partitions = Math.max(0, input.topics.get(topic) ?? 0);
      const base = Math.floor(partitions / subs.length);
      let extra = partitions % subs.length;
      let next = 0;
      for (const m of subs) {
        if (next >= partitions) break;
        const end = next + base + (extra > 0 ? 1 : 0);
        if (extra > 0) extra--;
        target.get(m.memberId)!.set(topic, rangeOf(next, end));
        next = end;
      }
    }
    return target;
  },
};

function rangeOrder(a: AssignorMember, b: AssignorMember): number {
  if (a.instanceId !== null && b.instanceId !== null) {
    return compareStrings(a.instanceId, b.instanceId) || compareStrings(a.memberId, b.memberId);
  }
  if (a.instanceId !== null) return -1;
  if (b.instanceId !== null) return 1;
  return compareStrings(a.memberId, b.memberId);
}

function rangeOf(start: number, end: number): number[] {
  return Array.from({ length: end - start }, (_, k) => start + k);
}
