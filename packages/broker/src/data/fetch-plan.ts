import { ErrorCode, type FetchRequest } from "@logbook/protocol";
import {
  type FetchSession,
  type FetchSessionCache,
  type SessionPartition,
  sessionKey,
} from "./fetch-sessions.js";

/** Fetch v13 replaced topic names with topic ids (KIP-516). */
export const FIRST_TOPIC_ID_FETCH_VERSION = 13;

const INVALID_SESSION_ID = 0;
const INITIAL_EPOCH = 0;
const FINAL_EPOCH = -1;

export type FetchPlan =
  | { kind: "error"; errorCode: number }
  | {
      kind: "full";
      /** The session created by this request, or null when sessionless. */
      session: FetchSession | null;
      partitions: SessionPartition[];
    }
  | { kind: "incremental"; session: FetchSession; partitions: SessionPartition[] };

type RequestTopic = FetchRequest["topics"][number];

function sessionPartition(
  t: RequestTopic,
  p: RequestTopic["partitions"][number],
): SessionPartition {
  return {
    topic: t.topic,
    topicId: t.topicId,
    partition: p.partition,
    fetchOffset: p.fetchOffset,
    partitionMaxBytes: p.partitionMaxBytes,
    currentLeaderEpoch: p.currentLeaderEpoch,
    sentHighWatermark: -1n,
    sentLastStableOffset: -1n,
    sentLogStartOffset: -1n,
  };
}

/**
 * The request's partitions by session key. A partition named twice is kept once, at its
 * first place with its last values, as Kafka's map of a request's partitions does.
 */
function requested(req: FetchRequest, usesTopicIds: boolean): Map<string, SessionPartition> {
  const out = new Map<string, SessionPartition>();
  for (const t of req.topics) {
    for (const p of t.partitions)
      out.set(sessionKey(usesTopicIds, t.topic, t.topicId, p.partition), sessionPartition(t, p));
  }
  return out;
}

/**
 * A sessionless fetch's partitions, as `requested` gives them. Clients that keep no
 * session (librdkafka) send one with every fetch, each naming every partition: without
 * a repeat, they are listed as they come, with no key string and map entry each.
 */
function requestedOnce(req: FetchRequest, usesTopicIds: boolean): SessionPartition[] {
  if (namesAPartitionTwice(req, usesTopicIds)) return [...requested(req, usesTopicIds).values()];
  const out: SessionPartition[] = [];
  for (const t of req.topics) for (const p of t.partitions) out.push(sessionPartition(t, p));
  return out;
}

/** Past this many topics, `namesAPartitionTwice` leaves the check to the keyed way. */
const MAX_TOPICS_COMPARED = 32;
/** Reused, and left empty: one check runs at a time. */
const seenPartitions = new Set<number>();

/** Whether a partition may be named twice (a topic named twice counts as such). */
function namesAPartitionTwice(req: FetchRequest, usesTopicIds: boolean): boolean {
  const topics = req.topics;
  if (topics.length > MAX_TOPICS_COMPARED) return true;
  for (let i = 0; i < topics.length; i++) {
    const t = topics[i] as RequestTopic;
    for (let j = 0; j < i; j++) {
      const other = topics[j] as RequestTopic;
      if (usesTopicIds ? other.topicId.equals(t.topicId) : other.topic === t.topic) return true;
    }
    let repeated = false;
    for (const p of t.partitions) {
      if (seenPartitions.has(p.partition)) repeated = true;
      seenPartitions.add(p.partition);
    }
    seenPartitions.clear();
    if (repeated) return true;
  }
  return false;
}

function nextEpoch(epoch: number): number {
  return epoch >= 0x7fffffff ? 1 : epoch + 1;
}

/**
 * Applies a Fetch request to the session cache (KIP-227, Kafka's FetchManager):
 * session 0 with epoch -1 is sessionless; epoch -1 with a session id closes that
 * session and fetches sessionless; epoch 0 (re)creates a session from the request's
 * partitions; any other epoch is an incremental request that must match the session's
 * expected epoch, updates the partitions it names, drops the forgotten ones, and
 * fetches all of the session's partitions.
 */
export function planFetch(req: FetchRequest, version: number, cache: FetchSessionCache): FetchPlan {
  const usesTopicIds = version >= FIRST_TOPIC_ID_FETCH_VERSION;
  const { sessionId, sessionEpoch } = req;
  if (sessionEpoch === FINAL_EPOCH || sessionEpoch === INITIAL_EPOCH) {
    if (sessionId !== INVALID_SESSION_ID) cache.remove(sessionId);
    if (sessionEpoch === FINAL_EPOCH)
      return { kind: "full", session: null, partitions: requestedOnce(req, usesTopicIds) };
    const partitions = requested(req, usesTopicIds);
    const session = cache.create(usesTopicIds);
    for (const [k, p] of partitions) session.partitions.set(k, p);
    return { kind: "full", session, partitions: [...partitions.values()] };
  }
  if (sessionId === INVALID_SESSION_ID)
    return { kind: "error", errorCode: ErrorCode.FETCH_SESSION_ID_NOT_FOUND };
  const session = cache.get(sessionId);
  if (session === undefined)
    return { kind: "error", errorCode: ErrorCode.FETCH_SESSION_ID_NOT_FOUND };
  if (session.epoch !== sessionEpoch)
    return { kind: "error", errorCode: ErrorCode.INVALID_FETCH_SESSION_EPOCH };
  if (session.usesTopicIds !== usesTopicIds) {
    return { kind: "error", errorCode: ErrorCode.FETCH_SESSION_TOPIC_ID_ERROR };
  }
  for (const [k, p] of requested(req, usesTopicIds)) {
    const known = session.partitions.get(k);
    if (known === undefined) {
      session.partitions.set(k, p);
    } else {
      known.fetchOffset = p.fetchOffset;
      known.partitionMaxBytes = p.partitionMaxBytes;
      known.currentLeaderEpoch = p.currentLeaderEpoch;
    }
  }
  for (const f of req.forgottenTopicsData) {
    for (const partition of f.partitions) {
      session.partitions.delete(sessionKey(usesTopicIds, f.topic, f.topicId, partition));
    }
  }
  session.epoch = nextEpoch(session.epoch);
  return { kind: "incremental", session, partitions: [...session.partitions.values()] };
}
