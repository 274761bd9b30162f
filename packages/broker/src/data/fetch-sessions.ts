import { randomInt } from "node:crypto";

/** A partition a session fetches, with what the client last told us and what we last sent. */
export interface SessionPartition {
  /** Topic name (empty when the client uses ids and the id is unknown). */
  topic: string;
  /** 16-byte topic id, or all zero before Fetch v13. */
  topicId: Buffer;
  partition: number;
  fetchOffset: bigint;
  partitionMaxBytes: number;
  currentLeaderEpoch: number;
  /** Last values sent to the client; -1 forces the partition into the next response. */
  sentHighWatermark: bigint;
  sentLastStableOffset: bigint;
  sentLogStartOffset: bigint;
}

export interface FetchSession {
  readonly id: number;
  /** The epoch the next incremental request must carry. */
  epoch: number;
  /** Whether the session was created by Fetch v13+ (topic ids) or below (names). */
  readonly usesTopicIds: boolean;
  /** Insertion order = the order partitions were added, which responses follow. */
  readonly partitions: Map<string, SessionPartition>;
}

/** The key of a partition inside a session: its topic id (v13+) or name, and index. */
export function sessionKey(
  usesTopicIds: boolean,
  topic: string,
  topicId: Buffer,
  partition: number,
): string {
  return `${usesTopicIds ? topicId.toString("hex") : topic}:${partition}`;
}

/**
 * Incremental fetch sessions (KIP-227), bounded in number: when full, creating a
 * session evicts the least recently used one (Kafka also prefers evicting small or
 * follower sessions; a single-node broker has only consumers, so plain LRU).
 */
export class FetchSessionCache {
  /** Map order doubles as the LRU order: a touched session is re-inserted at the end. */
  private readonly sessions = new Map<number, FetchSession>();

  constructor(readonly maxSessions = 1000) {}

  get size(): number {
    return this.sessions.size;
  }

  create(usesTopicIds: boolean): FetchSession {
    while (this.sessions.size >= this.maxSessions) {
      const oldest = this.sessions.keys().next();
      if (oldest.done === true) break;
      this.sessions.delete(oldest.value);
    }
    let id = randomInt(1, 0x7fffffff);
    while (this.sessions.has(id)) id = randomInt(1, 0x7fffffff);
    const session: FetchSession = { id, epoch: 1, usesTopicIds, partitions: new Map() };
    this.sessions.set(id, session);
    return session;
  }

  /** Looks a session up and marks it recently used. */
  get(id: number): FetchSession | undefined {
    const s = this.sessions.get(id);
    if (s !== undefined) {
      this.sessions.delete(id);
      this.sessions.set(id, s);
    }
    return s;
  }

  remove(id: number): boolean {
    return this.sessions.delete(id);
  }

  clear(): void {
    this.sessions.clear();
  }
}
