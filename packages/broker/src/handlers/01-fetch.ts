/**
 * Fetch (key 1), v4-v17.
 *
 * Every requested partition is answered (the Java client drops a full response that
 * lacks one): data as whole stored batches (a fetch inside a batch returns all of it),
 * or an error with -1 offsets, as Kafka answers (UNKNOWN_TOPIC_OR_PARTITION,
 * UNKNOWN_TOPIC_ID from v13 where topics are named by id, OFFSET_OUT_OF_RANGE,
 * FENCED/UNKNOWN_LEADER_EPOCH); stored batches go out in any codec at any version, as
 * Kafka 4 sends zstd below v10. max_bytes and partition_max_bytes are soft
 * (data/fetch-read.ts). min_bytes and
 * max_wait_ms long-poll: the request waits for appends to the partitions it reads
 * (log.onAppend, no polling) until enough bytes, an error, or the deadline.
 * isolation_level 1 bounds reads by the last stable offset. Incremental fetch
 * sessions (KIP-227, v7+) live in data/fetch-sessions.ts and data/fetch-plan.ts; an
 * incremental response holds only partitions with records, an error, or a changed
 * high watermark / last stable offset / log start offset.
 *
 * ACLs: READ on each topic, else TOPIC_AUTHORIZATION_FAILED for its partitions. A
 * follower's fetch (replica id >= 0) needs CLUSTER_ACTION on the cluster instead, else
 * every partition is TOPIC_AUTHORIZATION_FAILED, as Kafka answers.
 *
 * Followers: a single node has no follower replica, so an allowed follower's fetch of
 * an existing partition gets what Kafka 4.4 answers a replica id outside the replica
 * set, after the leader epoch check: NOT_LEADER_OR_FOLLOWER (UNKNOWN_LEADER_EPOCH when
 * the request gives the current epoch), and from v16 current_leader naming this node
 * (no node_endpoints: Kafka sends those to consumers only).
 *
 * Simplified: a single node, so preferred_read_replica is -1, no diverging epoch, no
 * current_leader / node_endpoints hints to consumers, no rack awareness.
 *
 * Transactions: under read_committed the producer state is loaded first (it installs
 * the LSO hook, so a transaction recovered open after a crash holds the bound), reads
 * stop below the LSO, and aborted_transactions lists (producer_id, first_offset) of
 * the aborted transactions overlapping the returned batches, from the log's
 * per-segment transaction indexes (PartitionLog.abortedTransactions). Under
 * read_uncommitted it is null, as Kafka sends.
 */
import {
  createFetchResponse,
  createFetchResponseAbortedTransaction,
  createFetchResponseFetchableTopicResponse,
  createFetchResponseLeaderIdAndEpoch,
  createFetchResponsePartitionData,
  ErrorCode,
  FetchApi,
  type FetchRequest,
  type FetchResponseFetchableTopicResponse,
} from "@logbook/protocol";
import { type PartitionLog, StorageUnavailableError } from "@logbook/storage";
import { clusterAllowed, Op, topicAllowed } from "../acl/check.js";
import { FIRST_TOPIC_ID_FETCH_VERSION, planFetch } from "../data/fetch-plan.js";
import { type FetchTarget, type PartitionRead, readPartitions } from "../data/fetch-read.js";
import type { SessionPartition } from "../data/fetch-sessions.js";
import { AppendWatch } from "../data/fetch-wait.js";
import { defineHandler, type RequestContext } from "../handler.js";
import { sendWhenFilled } from "../server/response-frame.js";
import type { TopicInfo } from "../topics.js";

const READ_COMMITTED = 1;

/** Whether the fetch comes from a follower: the replica id moved into replica_state in v15. */
function fromFollower(req: FetchRequest, version: number): boolean {
  return (version >= 15 ? req.replicaState.replicaId : req.replicaId) >= 0;
}

/**
 * A target built with one object shape: a long poll over many partitions resolves
 * every partition of the session on each request, and spreading the session entry
 * made each one a slow map transition (docs/performance.md, "Many partitions").
 */
function target(
  p: SessionPartition,
  fromFollower: boolean,
  topic: string,
  topicId: Buffer,
  log: PartitionLog | undefined,
  errorCode: number,
): FetchTarget {
  return {
    topic,
    topicId,
    partition: p.partition,
    fetchOffset: p.fetchOffset,
    partitionMaxBytes: p.partitionMaxBytes,
    currentLeaderEpoch: p.currentLeaderEpoch,
    fromFollower,
    log,
    errorCode,
  };
}

/**
 * `followerAllowed` is null for a consumer's fetch (READ checked per topic), else the
 * follower's CLUSTER_ACTION answer, which decides every partition alike. Answered at
 * once where the log is open (a long poll resolves every partition of its session on
 * each request, and a promise each was a large part of what a fetch allocated), else
 * once the log opens.
 */
function resolveTarget(
  ctx: RequestContext,
  p: SessionPartition,
  byId: boolean,
  followerAllowed: boolean | null,
): FetchTarget | Promise<FetchTarget> {
  const topics = ctx.broker.topics;
  const topic = byId ? topics.getById(p.topicId) : topics.get(p.topic);
  const follower = followerAllowed !== null;
  // A topic id nobody knows has no name to authorise: UNKNOWN_TOPIC_ID comes first.
  const denied =
    followerAllowed === null
      ? (!byId || topic !== undefined) && !topicAllowed(ctx, Op.READ, topic?.name ?? p.topic)
      : !followerAllowed;
  if (denied)
    return target(p, follower, p.topic, p.topicId, undefined, ErrorCode.TOPIC_AUTHORIZATION_FAILED);
  if (topic === undefined) {
    const code = byId ? ErrorCode.UNKNOWN_TOPIC_ID : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
    return target(p, follower, p.topic, p.topicId, undefined, code);
  }
  const opened = topics.openedPartition(topic.name, p.partition);
  if (opened !== null) return withLog(p, follower, topic, opened);
  return topics.partition(topic.name, p.partition).then(
    (log) => withLog(p, follower, topic, log),
    (e: unknown) => {
      // Only this partition fails, and retriably, as Kafka answers a failing log directory.
      if (!(e instanceof StorageUnavailableError)) throw e;
      return target(p, follower, topic.name, topic.id, undefined, ErrorCode.KAFKA_STORAGE_ERROR);
    },
  );
}

/** The target of an existing topic's partition, from its log (undefined: no such partition). */
function withLog(
  p: SessionPartition,
  follower: boolean,
  topic: TopicInfo,
  log: PartitionLog | undefined,
): FetchTarget {
  return log === undefined
    ? target(p, follower, topic.name, topic.id, undefined, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
    : target(p, follower, topic.name, topic.id, log, ErrorCode.NONE);
}

/** Every target, without a promise when none had to wait for its log to open. */
function resolveTargets(
  ctx: RequestContext,
  partitions: readonly SessionPartition[],
  byId: boolean,
  followerAllowed: boolean | null,
): FetchTarget[] | Promise<FetchTarget[]> {
  const targets = partitions.map((p) => resolveTarget(ctx, p, byId, followerAllowed));
  return targets.some((t) => t instanceof Promise)
    ? Promise.all(targets)
    : (targets as FetchTarget[]);
}

/** KIP-227: what an incremental response must include; also remembers what was sent. */
function mustRespond(p: SessionPartition, r: PartitionRead): boolean {
  const changed =
    r.records.length > 0 ||
    r.errorCode !== ErrorCode.NONE ||
    r.highWatermark !== p.sentHighWatermark ||
    r.lastStableOffset !== p.sentLastStableOffset ||
    r.logStartOffset !== p.sentLogStartOffset;
  remember(p, r);
  return changed;
}

function remember(p: SessionPartition, r: PartitionRead): void {
  // After an error, -1 makes the partition come back once the error is gone.
  p.sentHighWatermark = r.errorCode === ErrorCode.NONE ? r.highWatermark : -1n;
  p.sentLastStableOffset = r.lastStableOffset;
  p.sentLogStartOffset = r.logStartOffset;
}

export const fetchHandler = defineHandler({
  api: FetchApi,
  minVersion: 4,
  maxVersion: 17,
  async handle(req, ctx) {
    const plane = ctx.broker.dataPlane;
    const plan = planFetch(req, ctx.version, plane.fetchSessions);
    if (plan.kind === "error")
      return createFetchResponse({ errorCode: plan.errorCode, sessionId: 0 });
    const byId = ctx.version >= FIRST_TOPIC_ID_FETCH_VERSION;
    const followerAllowed = fromFollower(req, ctx.version)
      ? clusterAllowed(ctx, Op.CLUSTER_ACTION)
      : null;
    const resolved = resolveTargets(ctx, plan.partitions, byId, followerAllowed);
    const targets = Array.isArray(resolved) ? resolved : await resolved;
    const readCommitted = req.isolationLevel === READ_COMMITTED;
    const opts = {
      maxBytes: req.maxBytes,
      minBytes: req.minBytes,
      readCommitted,
      version: ctx.version,
      leaderEpoch: ctx.broker.cluster.leaderEpoch,
      producerState: (log: PartitionLog) => plane.producerState(log),
      loadedProducerState: (log: PartitionLog) => plane.loadedProducerState(log),
    };
    const logs = targets.flatMap((t): PartitionLog[] => (t.log === undefined ? [] : [t.log]));
    const clock = plane.clock;
    const deadline = clock.now() + req.maxWaitMs;
    const watch = new AppendWatch(req.maxWaitMs > 0 ? logs : [], plane.closing, clock);
    let result: Awaited<ReturnType<typeof readPartitions>>;
    try {
      result = await readPartitions(targets, opts);
      const done = (): boolean =>
        result.bytes >= req.minBytes || result.reads.some((r) => r.errorCode !== ErrorCode.NONE);
      while (!done() && clock.now() < deadline && !plane.closing.aborted && logs.length > 0) {
        await watch.next(deadline - clock.now());
        result = await readPartitions(targets, opts);
      }
    } finally {
      watch.close();
    }

    const byTopic = new Map<string, FetchResponseFetchableTopicResponse>();
    result.reads.forEach((r, i) => {
      const p = plan.partitions[i] as SessionPartition;
      if (plan.kind === "incremental") {
        if (!mustRespond(p, r)) return;
      } else if (plan.session !== null) {
        remember(p, r);
      }
      const t = targets[i] as FetchTarget;
      if (r.filled !== undefined) sendWhenFilled(r.records, r.filled);
      ctx.broker.metrics?.fetched(t.topic, r.records.length);
      const key = byId ? t.topicId.toString("hex") : t.topic;
      let topic = byTopic.get(key);
      if (topic === undefined) {
        topic = createFetchResponseFetchableTopicResponse({
          topic: t.topic,
          topicId: t.topicId,
          partitions: [],
        });
        byTopic.set(key, topic);
      }
      topic.partitions.push(
        createFetchResponsePartitionData({
          partitionIndex: t.partition,
          errorCode: r.errorCode,
          highWatermark: r.highWatermark,
          lastStableOffset: r.lastStableOffset,
          logStartOffset: r.logStartOffset,
          // A failed partition carries what fetch-read decided ([] or null, as Kafka);
          // records read under read_committed carry their list, else null.
          abortedTransactions:
            r.errorCode !== ErrorCode.NONE
              ? r.abortedTransactions === null
                ? null
                : []
              : readCommitted
                ? (r.abortedTransactions ?? []).map((a) =>
                    createFetchResponseAbortedTransaction({
                      producerId: a.producerId,
                      firstOffset: BigInt(a.firstOffset),
                    }),
                  )
                : null,
          preferredReadReplica: -1,
          records: r.records,
          ...(r.errorCode === ErrorCode.NOT_LEADER_OR_FOLLOWER && ctx.version >= 16
            ? {
                currentLeader: createFetchResponseLeaderIdAndEpoch({
                  leaderId: ctx.broker.config.nodeId,
                  leaderEpoch: ctx.broker.cluster.leaderEpoch,
                }),
              }
            : {}),
        }),
      );
    });
    return createFetchResponse({
      errorCode: ErrorCode.NONE,
      sessionId: plan.session?.id ?? 0,
      responses: [...byTopic.values()],
    });
  },
});
