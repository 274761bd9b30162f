/**
 * Uniform assignment when every member subscribes to the same topics. With P partitions
 * and N members each member's quota is floor(P/N), and P mod N members get one more:
 * those that already hold the most, so as few partitions as possible move. A member
 * keeps its current partitions up to its quota (lowest first); the rest, and every
 * partition nobody holds, go to the members still under quota in member id order.
 */
import type { AssignorMember, TargetAssignment } from "./assignor.js";
import { PartitionSpace } from "./partition-space.js";

/** `members` must be in member id order and all subscribe to the same topics. */
export function assignHomogeneous(
  members: readonly AssignorMember[],
  partitionCounts: ReadonlyMap<string, number>,
): TargetAssignment {
  const space = new PartitionSpace(members[0]?.subscribedTopics ?? [], partitionCounts);
  const owner = new Int32Array(space.size).fill(-1);

  // Claim current partitions; a partition two members report goes to the first.
  const claimed = members.map((m, i) => {
    const mine: number[] = [];
    for (const [topic, partitions] of m.current) {
      const t = space.topicIndex(topic);
      if (t === undefined) continue;
      for (const p of partitions) {
        const g = space.globalIndex(t, p);
        if (g >= 0 && owner[g] === -1) {
          owner[g] = i;
          mine.push(g);
        }
      }
    }
    return mine;
  });

  const quota = quotas(space.size, claimed);
  const held = new Int32Array(members.length);
  claimed.forEach((mine, i) => {
    const q = quota[i]!;
    if (mine.length > q) {
      mine.sort((a, b) => a - b);
      for (let k = q; k < mine.length; k++) owner[mine[k]!] = -1;
    }
    held[i] = Math.min(mine.length, q);
  });

  let g = 0;
  for (let i = 0; i < members.length; i++) {
    while (held[i]! < quota[i]!) {
      while (owner[g] !== -1) g++;
      owner[g] = i;
      held[i]!++;
    }
  }
  return space.toTarget(members, owner);
}

/** floor(total/N) each, plus one for the (total mod N) members holding the most now. */
function quotas(total: number, claimed: readonly number[][]): Int32Array {
  const n = claimed.length;
  const quota = new Int32Array(n).fill(Math.floor(total / n));
  const byHeld = claimed
    .map((_, i) => i)
    .sort((a, b) => claimed[b]!.length - claimed[a]!.length || a - b);
  for (let k = 0; k < total % n; k++) quota[byHeld[k]!]!++;
  return quota;
}
