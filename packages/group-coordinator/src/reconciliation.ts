import {
  type Assignment,
  addPartition,
  type CurrentAssignment,
  hasPartition,
  partitionsOf,
  tpEpochKey,
} from "./consumer-group.js";

export interface ReconcileInput {
  current: CurrentAssignment;
  target: Assignment;
  targetEpoch: number;
  /** What the member reports owning in this heartbeat; null when it did not say. */
  owned: Assignment | null;
  /**
   * The member's report is exact even about partitions it was only just given: a classic
   * member's JoinGroup comes after it revoked. A consumer-protocol member's report lags a
   * reconciliation it has not finished, so partitions it does not list yet may still come
   * into its hands, and it is always asked to revoke first.
   */
  ownedIsExact: boolean;
  /** Whether another member still owns the partition (assigned or pending revocation). */
  ownedByOther: (topic: string, partition: number) => boolean;
}

/**
 * Moves one member towards its target, revoking before assigning (Kafka's
 * CurrentAssignmentBuilder): partitions leaving the member are first put pending
 * revocation, and the member's epoch does not move until it reports them gone; a
 * partition is only handed over once no other member owns it, so no partition is ever
 * owned by two members at once. Pure: returns the next state (or `current` unchanged).
 */
export function reconcile(input: ReconcileInput): CurrentAssignment {
  const { current } = input;
  switch (current.state) {
    case "unrevoked":
      if (input.owned === null || ownsAny(input.owned, current.pendingRevocation)) return current;
      return nextAssignment(input, current.assigned);
    case "stable":
      if (current.memberEpoch === input.targetEpoch) return current;
      return nextAssignment(input, current.assigned);
    case "unreleased":
      return nextAssignment(input, current.assigned);
  }
}

function nextAssignment(input: ReconcileInput, assigned: Assignment): CurrentAssignment {
  const { current, target } = input;
  const keep: Assignment = new Map();
  const revoke: Assignment = new Map();
  for (const [t, p] of partitionsOf(assigned)) {
    addPartition(hasPartition(target, t, p) ? keep : revoke, t, p);
  }
  const epochs = new Map<string, number>();
  for (const [t, p] of partitionsOf(keep)) {
    const k = tpEpochKey(t, p);
    epochs.set(k, current.assignedEpochs.get(k) ?? current.memberEpoch);
  }
  // A classic member that says it no longer owns them has revoked them already.
  if (
    revoke.size > 0 &&
    (!input.ownedIsExact || input.owned === null || ownsAny(input.owned, revoke))
  ) {
    return {
      memberEpoch: current.memberEpoch,
      previousMemberEpoch: current.previousMemberEpoch,
      state: "unrevoked",
      assigned: keep,
      pendingRevocation: revoke,
      assignedEpochs: epochs,
    };
  }
  let unreleased = false;
  for (const [t, p] of partitionsOf(target)) {
    if (hasPartition(keep, t, p)) continue;
    if (input.ownedByOther(t, p)) unreleased = true;
    else {
      addPartition(keep, t, p);
      epochs.set(tpEpochKey(t, p), input.targetEpoch);
    }
  }
  return {
    memberEpoch: input.targetEpoch,
    previousMemberEpoch:
      input.targetEpoch === current.memberEpoch ? current.previousMemberEpoch : current.memberEpoch,
    state: unreleased ? "unreleased" : "stable",
    assigned: keep,
    pendingRevocation: new Map(),
    assignedEpochs: epochs,
  };
}

function ownsAny(owned: Assignment, partitions: Assignment): boolean {
  for (const [t, p] of partitionsOf(partitions)) if (hasPartition(owned, t, p)) return true;
  return false;
}
