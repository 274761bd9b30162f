import { ErrorCode } from "@logbook/protocol";
import type { GroupStateName } from "./coordinator-api.js";

/**
 * The classic group protocol as an explicit table (Kafka ClassicGroupState): each state,
 * the states it may be entered from, and what it answers to each request. Anything the
 * table does not allow is a bug, so `transition` throws.
 */
export type GroupState = GroupStateName;

export const GROUP_STATES: readonly GroupState[] = [
  "Empty",
  "PreparingRebalance",
  "CompletingRebalance",
  "Stable",
  "Dead",
];

/** Valid previous states of each state. */
export const VALID_PREVIOUS: Readonly<Record<GroupState, readonly GroupState[]>> = {
  // The last member left or expired while a rebalance completed; or start-up.
  Empty: ["PreparingRebalance"],
  // A join, leave or expiry starts a rebalance from any live state.
  PreparingRebalance: ["Empty", "CompletingRebalance", "Stable"],
  // Every known member rejoined (or the rebalance timeout passed).
  CompletingRebalance: ["PreparingRebalance"],
  // The leader's assignments are stored.
  Stable: ["CompletingRebalance"],
  // Deleted, or its offsets expired while Empty.
  Dead: ["Empty", "PreparingRebalance", "CompletingRebalance", "Stable", "Dead"],
};

export class InvalidTransitionError extends Error {
  constructor(
    readonly from: GroupState,
    readonly to: GroupState,
  ) {
    super(`invalid group state transition ${from} -> ${to}`);
    this.name = "InvalidTransitionError";
  }
}

/** Holds one group's state; the only way to change it is a valid `transition`. */
export class GroupStateMachine {
  private current: GroupState;

  constructor(initial: GroupState = "Empty") {
    this.current = initial;
  }

  get state(): GroupState {
    return this.current;
  }

  is(...states: GroupState[]): boolean {
    return states.includes(this.current);
  }

  /** Start-up only: a group loaded with members resumes Stable (Kafka's loadGroup). */
  loadedWithMembers(): void {
    if (this.current !== "Empty") throw new InvalidTransitionError(this.current, "Stable");
    this.current = "Stable";
  }

  transition(to: GroupState): void {
    if (!VALID_PREVIOUS[to].includes(this.current)) {
      throw new InvalidTransitionError(this.current, to);
    }
    this.current = to;
  }
}

/**
 * What a valid member's request gets in each state, once the group, member and
 * generation checks passed. An error code answers at once; a word names the handling.
 */
export type JoinAnswer = "add-and-rebalance" | "add-and-wait" | "rebalance-unless-unchanged";
export type SyncAnswer = "await-leader" | "current-assignment";
export type CommitAnswer = "simple-or-member" | "member-only";

export interface StateAnswers {
  join: JoinAnswer | number;
  sync: SyncAnswer | number;
  heartbeat: number;
  commit: CommitAnswer | number;
  leave: "remove-members" | number;
}

export const ANSWERS: Readonly<Record<GroupState, StateAnswers>> = {
  Empty: {
    join: "add-and-rebalance",
    // No member exists in an Empty group.
    sync: ErrorCode.UNKNOWN_MEMBER_ID,
    heartbeat: ErrorCode.UNKNOWN_MEMBER_ID,
    commit: "simple-or-member",
    leave: "remove-members",
  },
  PreparingRebalance: {
    join: "add-and-wait",
    sync: ErrorCode.REBALANCE_IN_PROGRESS,
    heartbeat: ErrorCode.REBALANCE_IN_PROGRESS,
    // Members commit what they consumed before rejoining (onPartitionsRevoked).
    commit: "member-only",
    leave: "remove-members",
  },
  CompletingRebalance: {
    join: "rebalance-unless-unchanged",
    sync: "await-leader",
    // Kafka answers NONE: the member has its join response and is about to sync.
    heartbeat: ErrorCode.NONE,
    // The member has no assignment for this generation yet.
    commit: ErrorCode.REBALANCE_IN_PROGRESS,
    leave: "remove-members",
  },
  Stable: {
    join: "rebalance-unless-unchanged",
    sync: "current-assignment",
    heartbeat: ErrorCode.NONE,
    commit: "member-only",
    leave: "remove-members",
  },
  Dead: {
    join: ErrorCode.COORDINATOR_NOT_AVAILABLE,
    sync: ErrorCode.COORDINATOR_NOT_AVAILABLE,
    heartbeat: ErrorCode.COORDINATOR_NOT_AVAILABLE,
    commit: ErrorCode.COORDINATOR_NOT_AVAILABLE,
    leave: ErrorCode.COORDINATOR_NOT_AVAILABLE,
  },
};

/** True while members must rejoin or sync (REBALANCE_IN_PROGRESS territory). */
export function rebalancePending(state: GroupState): boolean {
  return state === "PreparingRebalance" || state === "CompletingRebalance";
}
