import type { GroupMetadataValueMemberMetadata, OffsetCommitValue } from "@logbook/protocol";
import { ErrorCode } from "@logbook/protocol";
import type { ConsumerGroup } from "./consumer-group.js";
import type { JoinGroupResult, JoinProtocol, SyncGroupResult } from "./coordinator-api.js";
import { GroupStateMachine } from "./group-state.js";

const EMPTY = Buffer.alloc(0);

/** A live member: what it joined with, its assignment and its in-flight requests. */
export interface Member {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  protocolType: string;
  protocols: JoinProtocol[];
  assignment: Buffer;
  /** Set while the member's JoinGroup waits for the rebalance to complete. */
  joinWaiter: ((r: JoinGroupResult) => void) | null;
  /** Set while the member's SyncGroup waits for the leader's assignments. */
  syncWaiter: ((r: SyncGroupResult) => void) | null;
}

export interface CommittedOffset extends OffsetCommitValue {
  topic: string;
  partition: number;
}

/** A TxnOffsetCommit offset waiting for its transaction's end (KIP-98). */
export interface PendingTxnOffset extends CommittedOffset {
  producerEpoch: number;
}

export function tpKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}

/**
 * One classic group. The durable fields (generation, protocol, leader, stored members,
 * offsets) change only in `applyRecord`; the live fields (members, pending members,
 * waiters, state; their timers are the runtime's keyed timers) are the in-memory
 * protocol machinery, rebuilt as Empty after a restart.
 */
export class ClassicGroup {
  readonly sm = new GroupStateMachine("Empty");
  // Durable, from the last GroupMetadata record.
  hasMetadata = false;
  generationId = 0;
  protocolType: string | null = null;
  protocolName: string | null = null;
  leaderId: string | null = null;
  /** When the group last became Empty (ms), -1 if unknown. */
  stateTimestamp = -1;
  storedMembers: GroupMetadataValueMemberMetadata[] = [];
  readonly offsets = new Map<string, CommittedOffset>();
  /** Transactional offsets per producer id, then per tpKey: invisible until the commit. */
  readonly pendingTxnOffsets = new Map<bigint, Map<string, PendingTxnOffset>>();
  /**
   * Set while this group id is a KIP-848 consumer group (from its records): the classic
   * side then stays Empty, and the offsets above are the consumer group's.
   */
  consumer: ConsumerGroup | null = null;
  // Live.
  readonly members = new Map<string, Member>();
  /** KIP-394: member ids handed out with MEMBER_ID_REQUIRED, awaiting the rejoin. */
  readonly pending = new Set<string>();
  /** group.instance.id -> member id. */
  readonly staticMembers = new Map<string, string>();
  /** Deadline of the initial-delay phase of a rebalance from Empty; null outside it. */
  initialDelayUntil: number | null = null;
  rebalanceDeadline = 0;

  constructor(readonly groupId: string) {}

  get state() {
    return this.sm.state;
  }

  /** Whether nothing keeps the group: no metadata, offsets (pending ones too) or members. */
  get isVacant(): boolean {
    return (
      !this.hasMetadata &&
      this.offsets.size === 0 &&
      this.pendingTxnOffsets.size === 0 &&
      this.members.size === 0 &&
      this.consumer === null
    );
  }

  /** Whether some open transaction holds an offset for this partition (require_stable). */
  hasPendingTxnOffset(key: string): boolean {
    for (const byPartition of this.pendingTxnOffsets.values()) {
      if (byPartition.has(key)) return true;
    }
    return false;
  }

  /** Largest rebalance timeout of the members: how long a rebalance waits for rejoins. */
  maxRebalanceTimeoutMs(): number {
    let max = 0;
    for (const m of this.members.values()) max = Math.max(max, m.rebalanceTimeoutMs);
    return max;
  }

  allMembersJoined(): boolean {
    if (this.pending.size > 0) return false;
    for (const m of this.members.values()) if (m.joinWaiter === null) return false;
    return true;
  }

  /** Protocols every member supports (all of a member's protocols when it is alone). */
  candidateProtocols(): Set<string> | null {
    let common: Set<string> | null = null;
    for (const m of this.members.values()) {
      const names = new Set<string>(m.protocols.map((p) => p.name));
      if (common === null) {
        common = names;
      } else {
        for (const n of common) if (!names.has(n)) common.delete(n);
      }
    }
    return common;
  }

  /** Whether a member with these protocols may join (same type, a protocol in common). */
  supportsProtocols(protocolType: string, protocols: JoinProtocol[]): boolean {
    if (protocolType === "" || protocols.length === 0) return false;
    if (this.members.size === 0) return true;
    const first = this.members.values().next().value;
    if (first !== undefined && first.protocolType !== protocolType) return false;
    const common = this.candidateProtocols();
    return common !== null && protocols.some((p) => common.has(p.name));
  }

  /** Kafka's vote: each member votes for its most preferred candidate; most votes win. */
  selectProtocol(): string {
    const candidates = this.candidateProtocols() ?? new Set<string>();
    const votes = new Map<string, number>();
    for (const m of this.members.values()) {
      const choice = m.protocols.find((p) => candidates.has(p.name));
      if (choice !== undefined) votes.set(choice.name, (votes.get(choice.name) ?? 0) + 1);
    }
    let best = "";
    let bestVotes = -1;
    for (const [name, n] of votes) {
      if (n > bestVotes) {
        best = name;
        bestVotes = n;
      }
    }
    return best;
  }

  /** A member's metadata for the chosen protocol (empty when it has none). */
  metadataFor(m: Member, protocol: string | null): Buffer {
    return m.protocols.find((p) => p.name === protocol)?.metadata ?? EMPTY;
  }
}

export function sameProtocols(a: JoinProtocol[], b: JoinProtocol[]): boolean {
  return (
    a.length === b.length &&
    a.every((p, i) => {
      const q = b[i];
      return q !== undefined && p.name === q.name && p.metadata.equals(q.metadata);
    })
  );
}

/**
 * The member checks shared by member requests, in Kafka's order: FENCED_INSTANCE_ID (a
 * group.instance.id now owned by another member id), UNKNOWN_MEMBER_ID,
 * ILLEGAL_GENERATION; NONE for the current member of the current generation.
 */
export function memberIdentityError(
  group: ClassicGroup,
  input: { memberId: string; groupInstanceId: string | null; generationId: number },
): number {
  if (input.groupInstanceId !== null) {
    const current = group.staticMembers.get(input.groupInstanceId);
    if (current !== undefined && current !== input.memberId) return ErrorCode.FENCED_INSTANCE_ID;
  }
  if (!group.members.has(input.memberId)) return ErrorCode.UNKNOWN_MEMBER_ID;
  if (input.generationId !== group.generationId) return ErrorCode.ILLEGAL_GENERATION;
  return ErrorCode.NONE;
}
