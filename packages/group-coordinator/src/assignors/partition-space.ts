/**
 * Every partition of a set of topics numbered 0..size-1 (topic keys sorted, partitions
 * ascending), so an assignor can keep owners and counts in typed arrays instead of one
 * object per partition.
 */
import type { AssignorMember, TargetAssignment } from "./assignor.js";

export class PartitionSpace {
  /** Topic keys in ascending order; a topic's index is its position here. */
  readonly topics: readonly string[];
  /** First global index of each topic; `starts[topics.length]` is the size. */
  readonly starts: Int32Array;
  private readonly indexOf = new Map<string, number>();

  constructor(topicKeys: Iterable<string>, partitionCounts: ReadonlyMap<string, number>) {
    this.topics = [...new Set(topicKeys)].sort(compareStrings);
    this.starts = new Int32Array(this.topics.length + 1);
    this.topics.forEach((topic, t) => {
      this.indexOf.set(topic, t);
      // A topic missing from the metadata (deleted meanwhile) has nothing to assign.
      this.starts[t + 1] = this.starts[t]! + Math.max(0, partitionCounts.get(topic) ?? 0);
    });
  }

  get size(): number {
    return this.starts[this.topics.length]!;
  }

  topicIndex(topic: string): number | undefined {
    return this.indexOf.get(topic);
  }

  /** Global index of a partition, or -1 when the topic has no such partition. */
  globalIndex(t: number, partition: number): number {
    const start = this.starts[t]!;
    return Number.isInteger(partition) && partition >= 0 && start + partition < this.starts[t + 1]!
      ? start + partition
      : -1;
  }

  /**
   * The target assignment from `owner` (global index -> index into `members`, -1 for
   * none). Partitions come out sorted because the space is walked in order; topics a
   * member gets nothing of are left out.
   */
  toTarget(members: readonly AssignorMember[], owner: Int32Array): TargetAssignment {
    const perMember = members.map(() => new Map<string, number[]>());
    this.topics.forEach((topic, t) => {
      const start = this.starts[t]!;
      for (let g = start; g < this.starts[t + 1]!; g++) {
        const o = owner[g]!;
        if (o < 0) continue;
        const topics = perMember[o]!;
        let partitions = topics.get(topic);
        if (partitions === undefined) {
          partitions = [];
          topics.set(topic, partitions);
        }
        partitions.push(g - start);
      }
    });
    return new Map(members.map((m, i) => [m.memberId, perMember[i]!]));
  }
}

/** Code-unit order, as Java's String.compareTo (never locale-dependent). */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Members in member id order, so the outcome does not depend on input order. */
export function membersById(members: readonly AssignorMember[]): AssignorMember[] {
  return [...members].sort((a, b) => compareStrings(a.memberId, b.memberId));
}
