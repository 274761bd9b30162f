/**
 * The `uniform` server-side assignor (KIP-848's default): spreads the subscribed
 * partitions evenly over the members and keeps each member's current partitions where
 * balance allows. Balance comes first, stickiness second; racks are not considered.
 *
 * When every member subscribes to the same topics the quota path is used (exactly
 * balanced, fewest moves); otherwise the general path (balanced among the members that
 * could take each partition). Both are deterministic: ties go by member id.
 */
import type { AssignmentInput, ServerAssignor, TargetAssignment } from "./assignor.js";
import { membersById } from "./partition-space.js";
import { assignHeterogeneous } from "./uniform-heterogeneous.js";
import { assignHomogeneous } from "./uniform-homogeneous.js";

export const uniformAssignor: ServerAssignor = {
  name: "uniform",
  assign(input: AssignmentInput): TargetAssignment {
    const members = membersById(input.members);
    const first = members[0];
    if (first === undefined) return new Map();
    const same = members.every(
      (m) =>
        m.subscribedTopics.size === first.subscribedTopics.size &&
        [...m.subscribedTopics].every((t) => first.subscribedTopics.has(t)),
    );
    return same
      ? assignHomogeneous(members, input.topics)
      : assignHeterogeneous(members, input.topics);
  },
};
