import { ErrorCode } from "@logbook/protocol";
import type { JoinGroupResult, SyncGroupResult } from "./coordinator-api.js";
import type { ClassicGroup, Member } from "./group.js";

export const EMPTY = Buffer.alloc(0);

export function joinError(errorCode: number, memberId = ""): JoinGroupResult {
  return {
    errorCode,
    generationId: -1,
    protocolType: null,
    protocolName: null,
    leader: "",
    skipAssignment: false,
    memberId,
    members: [],
  };
}

export function syncError(errorCode: number): SyncGroupResult {
  return { errorCode, protocolType: null, protocolName: null, assignment: EMPTY };
}

/** Answers every waiting sync of the group with `answer(member)`. */
export function answerSyncs(group: ClassicGroup, answer: (m: Member) => SyncGroupResult): void {
  for (const m of group.members.values()) {
    const waiter = m.syncWaiter;
    m.syncWaiter = null;
    waiter?.(answer(m));
  }
}

/** A member's current assignment as SyncGroup answers it. */
export function syncAnswer(group: ClassicGroup, m: Member): SyncGroupResult {
  return {
    errorCode: ErrorCode.NONE,
    protocolType: group.protocolType,
    protocolName: group.protocolName,
    assignment: m.assignment,
  };
}
