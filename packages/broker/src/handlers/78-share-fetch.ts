/**
 * ShareFetch (key 78), v1-v2 (KIP-932 share groups; v0 was early access and Kafka 4.4
 * no longer serves it).
 *
 * Order, as Kafka: the share session is opened (epoch 0; acknowledgements there are
 * INVALID_REQUEST), continued (the epoch the last request left; SHARE_SESSION_NOT_FOUND
 * / INVALID_SHARE_SESSION_EPOCH otherwise) or closed (-1); piggy-backed
 * acknowledgements are applied per partition and answered in AcknowledgeErrorCode;
 * then, for a member of the share group (Kafka 4.4 answers a member its group does not
 * know with no partitions and no error), the session's partitions are fetched: records
 * are acquired for the member (lock of group.share.record.lock.duration.ms, answered in
 * AcquisitionLockTimeoutMs) and answered as AcquiredRecords ranges with their delivery
 * counts, with the stored batches that hold them. MaxRecords bounds the records
 * acquired over the whole request; once MaxBytes of batches are read, later partitions
 * acquire nothing. When nothing could be acquired the request waits up to MaxWaitMs,
 * woken by appends to the session's partitions or by a lock lapsing. Closing the
 * session (-1) acknowledges, then releases what the member still holds.
 *
 * v2 (KIP-1206, KIP-1222): ShareAcquireMode 0 (batch_optimized) or 1 (record_limit);
 * both acquire at most MaxRecords records, cutting inside a stored batch where needed
 * (the batch is sent whole; the consumer keeps the acquired offsets), which is what
 * record_limit promises; another mode fails the fetch with UNKNOWN_SERVER_ERROR once the
 * session and acknowledgements are done, as in Kafka 4.4. IsRenewAck marks a request
 * whose acknowledgements may hold RENEW (4), which keeps a record acquired with its
 * lock restarted; such a request only acknowledges: MaxBytes, MinBytes, MaxRecords and
 * MaxWaitMs must be 0 (else INVALID_REQUEST) and nothing is fetched. RENEW at v1 or
 * without IsRenewAck fails its partition with INVALID_REQUEST, as malformed batches do.
 *
 * Simplified: MinBytes and BatchSize are soft (a wait ends once anything is acquired;
 * whole stored batches are sent, so one partition's batches may pass MaxBytes);
 * batch_optimized does not round up to the end of a stored batch as Kafka's does (it
 * keeps to MaxRecords like record_limit); a single node, so
 * CurrentLeader is left unset (0, 0) as Kafka sends it and NodeEndpoints is empty. A
 * missing group id is INVALID_GROUP_ID (Kafka 4.4 fails each partition with
 * UNKNOWN_SERVER_ERROR). An incremental response holds the partitions with records, an
 * error or an acknowledgement result; the response opening a session holds them all.
 *
 * With share.version finalized at 0 share groups are off: UNSUPPORTED_VERSION, as
 * Kafka answers.
 * ACLs: READ on the group, else GROUP_AUTHORIZATION_FAILED; READ on each topic fetched,
 * else TOPIC_AUTHORIZATION_FAILED for its partitions; READ on each acknowledged topic,
 * else TOPIC_AUTHORIZATION_FAILED as the partition's AcknowledgeErrorCode.
 */
import type { SharePartitionKey } from "@logbook/group-coordinator";
import {
  createShareFetchResponse,
  createShareFetchResponseAcquiredRecords,
  createShareFetchResponsePartitionData,
  createShareFetchResponseShareFetchableTopicResponse,
  ErrorCode,
  ShareFetchApi,
  type ShareFetchResponse,
  type ShareFetchResponsePartitionData,
} from "@logbook/protocol";
import type { PartitionLog } from "@logbook/storage";
import { groupAllowed, Op, topicAllowed } from "../acl/check.js";
import { applyReadableAcks } from "../acl/readable-acks.js";
import { AppendWatch } from "../data/fetch-wait.js";
import { defineHandler, type RequestContext } from "../handler.js";
import { ackRules, applyAcks, requestAcks } from "../share/share-acks.js";
import { acquireAndRead, type ShareRead } from "../share/share-fetch-read.js";
import {
  mayAcquire,
  resolveSharePartition,
  shareGroupsOff,
  shareRequestError,
} from "../share/share-request-checks.js";
import { type ShareTopicPartition, tpId } from "../share/share-sessions.js";

interface Target extends ShareTopicPartition {
  readonly log: PartitionLog | undefined;
  readonly errorCode: ErrorCode;
}

export const shareFetchHandler = defineHandler({
  api: ShareFetchApi,
  minVersion: 1,
  maxVersion: 2,
  async handle(req, ctx): Promise<ShareFetchResponse> {
    const share = ctx.broker.share;
    const fail = (errorCode: ErrorCode) => createShareFetchResponse({ errorCode });
    if (shareGroupsOff(ctx)) return fail(ErrorCode.UNSUPPORTED_VERSION);
    if (req.groupId !== null && !groupAllowed(ctx, Op.READ, req.groupId))
      return fail(ErrorCode.GROUP_AUTHORIZATION_FAILED);
    const checked =
      shareRequestError(share, req.groupId, req.memberId) ?? v2Error(ctx.version, req);
    if (checked !== null) return fail(checked);
    const renewOnly = ctx.version >= 2 && req.isRenewAck;
    const groupId = req.groupId as string;
    const memberId = req.memberId as string;
    const toFetch = req.topics.flatMap((t) =>
      t.partitions.map((p) => ({ topicId: t.topicId, partition: p.partitionIndex })),
    );
    const toForget = req.forgottenTopicsData.flatMap((t) =>
      t.partitions.map((partition) => ({ topicId: t.topicId, partition })),
    );
    const acks = requestAcks(req.topics);
    const context = share.sessions.forFetch(
      groupId,
      memberId,
      req.shareSessionEpoch,
      toFetch,
      toForget,
      acks.length > 0,
    );
    if (context.kind === "error") return fail(context.errorCode);

    const exists = (tp: ShareTopicPartition) => resolveSharePartition(ctx, tp) !== null;
    const rules = ackRules(ctx.version, req.isRenewAck);
    const ackCodes = await applyReadableAcks(ctx, acks, (readable) =>
      applyAcks(share, exists, groupId, memberId, readable, rules),
    );
    const partitions = new Map<string, ShareFetchResponsePartitionData>();
    const entry = (tp: ShareTopicPartition) => {
      let p = partitions.get(tpId(tp));
      if (p === undefined) {
        p = createShareFetchResponsePartitionData({ partitionIndex: tp.partition });
        partitions.set(tpId(tp), p);
      }
      return p;
    };
    acks.forEach((a, i) => {
      entry(a).acknowledgeErrorCode = ackCodes[i] ?? ErrorCode.NONE;
    });

    if (context.kind === "final") {
      const keys = context.session.list().map((tp) => ({ groupId, ...tp }));
      await share.state?.releaseMember(keys, memberId);
      return respond(ctx, groupId, partitions);
    }

    if (!renewOnly && !knownAcquireMode(ctx.version, req.shareAcquireMode))
      return fail(ErrorCode.UNKNOWN_SERVER_ERROR);
    if (renewOnly || !mayAcquire(share, groupId, memberId))
      return respond(ctx, groupId, partitions);
    const targets = await Promise.all(context.session.list().map((tp) => target(ctx, tp)));
    const reads = await fetchWithWait(ctx, groupId, memberId, targets, req);
    targets.forEach((t, i) => {
      const read = reads[i] as ShareRead;
      const changed = t.errorCode !== ErrorCode.NONE || read.ranges.length > 0;
      if (!changed && !context.opened && !partitions.has(tpId(t))) return;
      const p = entry(t);
      p.errorCode = t.errorCode !== ErrorCode.NONE ? t.errorCode : read.errorCode;
      p.records = read.records;
      p.acquiredRecords = read.ranges.map((r) => createShareFetchResponseAcquiredRecords(r));
    });
    return respond(ctx, groupId, partitions);
  },
});

/** ShareAcquireMode values (KIP-1206). */
const AcquireMode = { BATCH_OPTIMIZED: 0, RECORD_LIMIT: 1 } as const;

/** Whether a fetch's ShareAcquireMode is one Kafka knows (v1 has none: batch mode). */
function knownAcquireMode(version: number, mode: number): boolean {
  return version < 2 || mode === AcquireMode.BATCH_OPTIMIZED || mode === AcquireMode.RECORD_LIMIT;
}

/** An IsRenewAck request (v2) must ask for no records: its fetch parameters all 0. */
function v2Error(
  version: number,
  req: {
    isRenewAck: boolean;
    maxBytes: number;
    minBytes: number;
    maxRecords: number;
    maxWaitMs: number;
  },
): ErrorCode | null {
  if (version < 2) return null;
  const asksForRecords =
    req.maxBytes !== 0 || req.minBytes !== 0 || req.maxRecords !== 0 || req.maxWaitMs !== 0;
  return req.isRenewAck && asksForRecords ? ErrorCode.INVALID_REQUEST : null;
}

async function target(ctx: RequestContext, tp: ShareTopicPartition): Promise<Target> {
  const resolved = resolveSharePartition(ctx, tp);
  if (resolved === null)
    return { ...tp, log: undefined, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION };
  if (!topicAllowed(ctx, Op.READ, resolved.topic))
    return { ...tp, log: undefined, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED };
  const log = await ctx.broker.topics.partition(resolved.topic, tp.partition);
  if (log === undefined)
    return { ...tp, log: undefined, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION };
  return { ...tp, log, errorCode: ErrorCode.NONE };
}

/**
 * Acquires from every partition, MaxRecords over the whole request; when nothing was
 * acquired, waits for an append or a lapsing lock and tries again, until MaxWaitMs.
 */
async function fetchWithWait(
  ctx: RequestContext,
  groupId: string,
  memberId: string,
  targets: readonly Target[],
  req: { maxWaitMs: number; maxRecords: number; maxBytes: number },
): Promise<ShareRead[]> {
  const share = ctx.broker.share;
  const plane = ctx.broker.dataPlane;
  const clock = plane.clock;
  const deadline = clock.now() + req.maxWaitMs;
  const logs = targets.flatMap((t) => (t.log === undefined ? [] : [t.log]));
  const keys: SharePartitionKey[] = targets.map((t) => ({ groupId, ...t }));
  const watch = new AppendWatch(req.maxWaitMs > 0 ? logs : [], plane.closing, clock);
  try {
    for (;;) {
      let budget = req.maxRecords > 0 ? req.maxRecords : Number.MAX_SAFE_INTEGER;
      let bytes = 0;
      const reads: ShareRead[] = [];
      for (const [i, t] of targets.entries()) {
        const read =
          t.log === undefined
            ? { errorCode: ErrorCode.NONE, ranges: [], records: Buffer.alloc(0) }
            : await acquireAndRead(
                share,
                plane,
                keys[i] as SharePartitionKey,
                t.log,
                memberId,
                budget,
              );
        for (const r of read.ranges) budget -= Number(r.lastOffset - r.firstOffset + 1n);
        // MaxBytes: once reached, later partitions acquire nothing (the first is whole).
        bytes += read.records.length;
        if (bytes >= req.maxBytes) budget = 0;
        reads.push(read);
      }
      const done = reads.some((r) => r.ranges.length > 0 || r.errorCode !== ErrorCode.NONE);
      const now = clock.now();
      if (done || now >= deadline || plane.closing.aborted || logs.length === 0) return reads;
      const lapse = share.state?.nextLockExpiry(keys) ?? null;
      await watch.next(Math.min(deadline, lapse ?? deadline) - now);
    }
  } finally {
    watch.close();
  }
}

function respond(
  ctx: RequestContext,
  groupId: string,
  partitions: ReadonlyMap<string, ShareFetchResponsePartitionData>,
): ShareFetchResponse {
  const byTopic = new Map<
    string,
    ReturnType<typeof createShareFetchResponseShareFetchableTopicResponse>
  >();
  for (const [id, p] of partitions) {
    const hex = id.slice(0, id.indexOf(":"));
    let topic = byTopic.get(hex);
    if (topic === undefined) {
      topic = createShareFetchResponseShareFetchableTopicResponse({
        topicId: Buffer.from(hex, "hex"),
        partitions: [],
      });
      byTopic.set(hex, topic);
    }
    topic.partitions.push(p);
  }
  return createShareFetchResponse({
    acquisitionLockTimeoutMs: ctx.broker.share.settingsOf(groupId).lockDurationMs,
    responses: [...byTopic.values()],
  });
}
