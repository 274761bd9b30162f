import { ErrorCode } from "@logbook/protocol";

/** ShareSessionEpoch 0 opens a session (closing any the member had). */
export const INITIAL_SHARE_EPOCH = 0;
/** ShareSessionEpoch -1 closes the session (releasing what the member holds). */
export const FINAL_SHARE_EPOCH = -1;

/** A topic-partition named by topic id, as share requests name them. */
export interface ShareTopicPartition {
  readonly topicId: Buffer;
  readonly partition: number;
}

/** A map key for a topic-partition named by id. */
export const tpId = (tp: ShareTopicPartition): string =>
  `${tp.topicId.toString("hex")}:${tp.partition}`;

/** One member's share session: the partitions it fetches and the epoch it must send next. */
export class ShareSession {
  readonly partitions = new Map<string, ShareTopicPartition>();
  epoch = 1;

  constructor(
    readonly groupId: string,
    readonly memberId: string,
  ) {}

  add(tps: readonly ShareTopicPartition[]): void {
    for (const tp of tps) this.partitions.set(tpId(tp), tp);
  }

  forget(tps: readonly ShareTopicPartition[]): void {
    for (const tp of tps) this.partitions.delete(tpId(tp));
  }

  list(): ShareTopicPartition[] {
    return [...this.partitions.values()];
  }

  bump(): void {
    this.epoch = this.epoch === 0x7fffffff ? 1 : this.epoch + 1;
  }
}

export type ShareSessionContext =
  | { readonly kind: "error"; readonly errorCode: ErrorCode }
  /** `opened`: the session was (re)opened by this request (a full fetch). */
  | { readonly kind: "open"; readonly session: ShareSession; readonly opened: boolean }
  /** The session is closed by this request: it is no longer in the cache. */
  | { readonly kind: "final"; readonly session: ShareSession };

/**
 * The broker's share sessions (KIP-932), one per (group, member), like KIP-227 fetch
 * sessions: epoch 0 opens (replacing the member's previous session), each later request
 * carries the epoch the previous one left, -1 closes. At most `maxSessions` are open.
 */
export class ShareSessionCache {
  private readonly sessions = new Map<string, ShareSession>();

  constructor(private readonly maxSessions: number) {}

  get size(): number {
    return this.sessions.size;
  }

  /** Whether any member of `groupId` has a share session open (a consumer is active). */
  hasSessions(groupId: string): boolean {
    for (const s of this.sessions.values()) if (s.groupId === groupId) return true;
    return false;
  }

  /**
   * The session a ShareFetch works in. Epoch 0 may not carry acknowledgements (nothing
   * is acquired yet: INVALID_REQUEST).
   */
  forFetch(
    groupId: string,
    memberId: string,
    epoch: number,
    toFetch: readonly ShareTopicPartition[],
    toForget: readonly ShareTopicPartition[],
    hasAcknowledgements: boolean,
  ): ShareSessionContext {
    const key = sessionKey(groupId, memberId);
    if (epoch === INITIAL_SHARE_EPOCH) {
      if (hasAcknowledgements) return { kind: "error", errorCode: ErrorCode.INVALID_REQUEST };
      const replaced = this.sessions.delete(key);
      if (!replaced && this.sessions.size >= this.maxSessions)
        return { kind: "error", errorCode: ErrorCode.SHARE_SESSION_LIMIT_REACHED };
      const session = new ShareSession(groupId, memberId);
      session.add(toFetch);
      this.sessions.set(key, session);
      return { kind: "open", session, opened: true };
    }
    // Partitions named on the closing epoch carry acknowledgements; from v1 there is no
    // per-partition max bytes to ask for more, so Kafka 4.4 accepts them.
    if (epoch === FINAL_SHARE_EPOCH) return this.close(key);
    const session = this.sessions.get(key);
    if (session === undefined)
      return { kind: "error", errorCode: ErrorCode.SHARE_SESSION_NOT_FOUND };
    if (session.epoch !== epoch)
      return { kind: "error", errorCode: ErrorCode.INVALID_SHARE_SESSION_EPOCH };
    session.add(toFetch);
    session.forget(toForget);
    session.bump();
    return { kind: "open", session, opened: false };
  }

  /** The session a ShareAcknowledge works in; it cannot open one (epoch 0). */
  forAcknowledge(groupId: string, memberId: string, epoch: number): ShareSessionContext {
    const key = sessionKey(groupId, memberId);
    if (epoch === INITIAL_SHARE_EPOCH)
      return { kind: "error", errorCode: ErrorCode.INVALID_SHARE_SESSION_EPOCH };
    if (epoch === FINAL_SHARE_EPOCH) return this.close(key);
    const session = this.sessions.get(key);
    if (session === undefined)
      return { kind: "error", errorCode: ErrorCode.SHARE_SESSION_NOT_FOUND };
    if (session.epoch !== epoch)
      return { kind: "error", errorCode: ErrorCode.INVALID_SHARE_SESSION_EPOCH };
    session.bump();
    return { kind: "open", session, opened: false };
  }

  /** Forgets a member's session (it left the group); true when there was one. */
  drop(groupId: string, memberId: string): boolean {
    return this.sessions.delete(sessionKey(groupId, memberId));
  }

  private close(key: string): ShareSessionContext {
    const session = this.sessions.get(key);
    if (session === undefined)
      return { kind: "error", errorCode: ErrorCode.SHARE_SESSION_NOT_FOUND };
    this.sessions.delete(key);
    return { kind: "final", session };
  }
}

function sessionKey(groupId: string, memberId: string): string {
  return `${groupId.length}:${groupId}:${memberId}`;
}
