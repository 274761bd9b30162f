/**
 * Produce (key 0), advertised v0-v13, served v3-v13.
 *
 * v0-v2 are advertised only because librdkafka ≤ 2.11.0 turns compression off unless
 * Produce min version is 0 (KAFKA-18659); like Kafka 4.0 we answer them with
 * UNSUPPORTED_VERSION per partition. acks must be -1, 0 or 1 (else
 * INVALID_REQUIRED_ACKS); with one node, -1 and 1 mean the same. acks=0 sends no
 * response, and if any partition failed the connection is closed (CloseConnection) so
 * the client notices, as Kafka does.
 *
 * ACLs (as Kafka): transactional batches need a transactional id with WRITE on it
 * (without one, even with no authorizer, TRANSACTIONAL_ID_AUTHORIZATION_FAILED for
 * every partition; the id of non-transactional batches is not checked), then WRITE on
 * each topic (else TOPIC_AUTHORIZATION_FAILED for its partitions, before any other check).
 *
 * Per partition: UNKNOWN_TOPIC_OR_PARTITION (no auto-creation), INVALID_TOPIC_EXCEPTION
 * for internal topics (`__…`), NOT_LEADER_OR_FOLLOWER where another broker of a
 * shared-database cluster leads the partition, then the batch checks of data/produce-validate.ts and
 * the idempotence rules of data/producer-state.ts. Partitions are written
 * concurrently; the response keeps the request's order. A connection's appends reach
 * each partition in the order its requests arrived (data/produce-order.ts), as Kafka,
 * which handles a connection's requests one at a time. log_append_time_ms is -1
 * unless the topic uses LogAppendTime; log_start_offset from v5; record_errors and
 * error_message from v8.
 *
 * Transactional batches go through the transaction coordinator's TxnProduceCheck
 * (data/produce-append.ts): its error per partition, or INVALID_TXN_STATE when no
 * coordinator is attached; the first accepted one opens the producer's transaction in
 * that partition. So a batch for a partition that is not in the producer's ongoing
 * transaction is refused and cannot open a transaction no EndTxn will close (the
 * server-side verification of KIP-890 part 1; TRANSACTION_ABORTABLE from v11,
 * INVALID_TXN_STATE before). v12 (transactions v2, KIP-890 part 2,
 * while transaction.version >= 2) first adds the partition to the transaction
 * itself, as AddPartitionsToTxn would (txn/implicit-add.ts); v13 names topics by id
 * (UNKNOWN_TOPIC_ID for an id we do not know). Simplified: before v12 the request's
 * transactional_id is not compared with the producer id (the coordinator's check
 * covers the epoch). timeout_ms is
 * unused (no replication to wait for). No quotas (throttle 0), no current_leader or
 * node_endpoints hints (v10+): there is no other leader to point to.
 */
import {
  createProduceResponse,
  createProduceResponsePartition,
  createProduceResponseTopic,
  ErrorCode,
  ProduceApi,
  type ProduceRequestPartitionData,
  type ProduceResponsePartition,
} from "@logbook/protocol";
import { Op, topicAllowed, transactionalIdAllowed } from "../acl/check.js";
import { appendProduced } from "../data/produce-append.js";
import { type AppendTurn, takeAppendTurn } from "../data/produce-order.js";
import { validateProducedBatch } from "../data/produce-validate.js";
import { hasTransactionalBatches } from "../data/transactional-batches.js";
import { CloseConnection, defineHandler, NO_RESPONSE, type RequestContext } from "../handler.js";
import { failureCode } from "../server/failed-request.js";
import type { TopicInfo } from "../topics.js";
import { addImplicitly } from "../txn/index.js";

const FIRST_SERVED_VERSION = 3;
const TRANSACTION_ABORTABLE_VERSION = 11;
/** Transactions v2: the partition joins the transaction with its first batch. */
const IMPLICIT_ADD_VERSION = 12;
const FIRST_TOPIC_ID_VERSION = 13;

function failed(
  index: number,
  errorCode: number,
  message: string | null = null,
  logStartOffset = -1,
): ProduceResponsePartition {
  return createProduceResponsePartition({
    index,
    errorCode,
    baseOffset: -1n,
    logAppendTimeMs: -1n,
    logStartOffset: BigInt(logStartOffset),
    errorMessage: message,
  });
}

async function producePartition(
  ctx: RequestContext,
  transactionalId: string | null,
  topic: TopicInfo | undefined,
  data: ProduceRequestPartitionData,
): Promise<ProduceResponsePartition> {
  const { index } = data;
  if (topic === undefined) {
    return failed(
      index,
      ctx.version >= FIRST_TOPIC_ID_VERSION
        ? ErrorCode.UNKNOWN_TOPIC_ID
        : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
    );
  }
  if (topic.internal || topic.name.startsWith("__")) {
    return failed(index, ErrorCode.INVALID_TOPIC_EXCEPTION, `${topic.name} is internal`);
  }
  // Taken before anything awaits, so in the order the connection's requests arrived.
  const turn = takeAppendTurn(ctx.session, topic.name, index);
  try {
    return await checkAndAppend(ctx, transactionalId, topic, data, turn);
  } finally {
    turn.release();
  }
}

async function checkAndAppend(
  ctx: RequestContext,
  transactionalId: string | null,
  topic: TopicInfo,
  data: ProduceRequestPartitionData,
  turn: AppendTurn,
): Promise<ProduceResponsePartition> {
  const { index } = data;
  const log = await ctx.broker.topics.partition(topic.name, index);
  if (log === undefined) return failed(index, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  // Several brokers over one database: only the leader appends, so each producer's
  // sequence is checked by the one broker that holds its state for the partition.
  if (!ctx.broker.cluster.leads(topic.name, index))
    return failed(index, ErrorCode.NOT_LEADER_OR_FOLLOWER);
  await ctx.broker.dataPlane.claim(log);
  const check = await validateProducedBatch(
    data.records,
    ctx.version,
    topic,
    ctx.broker.dataPlane.clock.now(),
  );
  if (!check.ok) {
    const logStart = check.byLog === true ? log.logStartOffset : -1;
    const r = failed(index, check.errorCode, check.message, logStart);
    if (check.recordErrors !== undefined) r.recordErrors = check.recordErrors;
    return r;
  }
  const { header } = check;
  if (
    ctx.version >= IMPLICIT_ADD_VERSION &&
    header.isTransactional &&
    transactionalId !== null &&
    ctx.broker.features.transactionsV2
  ) {
    const refused = await addImplicitly(
      ctx.broker.txn,
      { transactionalId, producerId: header.producerId, producerEpoch: header.producerEpoch },
      { topic: topic.name, partition: index },
    );
    if (refused !== ErrorCode.NONE) return failed(index, refused);
  } else if (header.isTransactional && ctx.broker.cluster.shared) {
    await catchUpWithCoordinator(ctx, header.producerId, header.producerEpoch, {
      topic: topic.name,
      partition: index,
    });
  }
  const outcome = await appendProduced(ctx.broker.dataPlane, log, header, check.records, turn);
  if (!outcome.ok) {
    // Kafka reports the log start offset with what its log refuses (sequence, epoch),
    // not with a transaction-verification refusal or a storage failure.
    if (outcome.byLog === true)
      return failed(index, outcome.errorCode, outcome.message, log.logStartOffset);
    return failed(index, verificationError(outcome.errorCode, ctx.version), outcome.message);
  }
  ctx.broker.metrics?.produced(topic.name, check.records.length, header.recordsCount);
  return createProduceResponsePartition({
    index,
    errorCode: ErrorCode.NONE,
    baseOffset: BigInt(outcome.baseOffset),
    logAppendTimeMs: BigInt(outcome.logAppendTime),
    logStartOffset: BigInt(outcome.logStartOffset),
  });
}

/**
 * Brokers sharing one database: the coordinator that has just added this partition to
 * the producer's transaction may run on another broker, and this one's copy of
 * `__transaction_state` may not have heard of it yet. Before refusing, it rereads.
 */
async function catchUpWithCoordinator(
  ctx: RequestContext,
  producerId: bigint,
  producerEpoch: number,
  tp: { topic: string; partition: number },
): Promise<void> {
  const { txn } = ctx.broker;
  if (txn.checkTransactionalProduce(producerId, producerEpoch, tp) === ErrorCode.NONE) return;
  // Unreadable now: the check below refuses with what this broker knows.
  await txn.refresh().catch((e: unknown) =>
    ctx.broker.logger.warn("rereading __transaction_state failed", {
      error: e instanceof Error ? e.message : String(e),
    }),
  );
}

/**
 * A transactional batch for a partition outside the producer's ongoing transaction:
 * v11+ producers know TRANSACTION_ABORTABLE (KIP-890), which tells them to abort and
 * go on; older ones get INVALID_TXN_STATE, as Kafka answers.
 */
function verificationError(errorCode: number, version: number): number {
  return errorCode === ErrorCode.INVALID_TXN_STATE && version >= TRANSACTION_ABORTABLE_VERSION
    ? ErrorCode.TRANSACTION_ABORTABLE
    : errorCode;
}

/**
 * Partitions fail alone, as in Kafka's ReplicaManager: an unexpected error in one
 * partition is logged with its stack and answered UNKNOWN_SERVER_ERROR for that
 * partition only (KAFKA_STORAGE_ERROR, logged briefly, when the storage was out of reach). Failing the whole request (the dispatcher's policy) would report
 * partitions already written as failed, and producers would write them again.
 */
async function isolated(
  ctx: RequestContext,
  topic: string,
  index: number,
  run: Promise<ProduceResponsePartition>,
): Promise<ProduceResponsePartition> {
  try {
    return await run;
  } catch (err) {
    const code = failureCode(err);
    const where = { peer: ctx.peer, topic, index };
    if (code === ErrorCode.KAFKA_STORAGE_ERROR)
      ctx.broker.logger.warn("storage unavailable for a produce", { ...where, error: String(err) });
    else ctx.broker.logger.error("produce to a partition failed", where, err);
    return failed(index, code);
  }
}

export const produceHandler = defineHandler({
  api: ProduceApi,
  minVersion: 0,
  maxVersion: 13,
  async handle(req, ctx) {
    // As Kafka: transactional batches need a transactional id the caller may WRITE
    // (with or without an authorizer), checked before anything else in the request.
    const refusal =
      ctx.version < FIRST_SERVED_VERSION
        ? ErrorCode.UNSUPPORTED_VERSION
        : hasTransactionalBatches(req) &&
            (req.transactionalId === null ||
              !transactionalIdAllowed(ctx, Op.WRITE, req.transactionalId))
          ? ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED
          : req.acks !== -1 && req.acks !== 0 && req.acks !== 1
            ? ErrorCode.INVALID_REQUIRED_ACKS
            : ErrorCode.NONE;
    const responses = await Promise.all(
      req.topicData.map(async (t) => {
        const { topics } = ctx.broker;
        const byId = ctx.version >= FIRST_TOPIC_ID_VERSION;
        const topic =
          refusal !== ErrorCode.NONE
            ? undefined
            : byId
              ? topics.getById(t.topicId)
              : topics.get(t.name);
        const name = topic?.name ?? t.name;
        // A topic id nobody knows stays UNKNOWN_TOPIC_ID: there is no name to authorise.
        const denied =
          refusal === ErrorCode.NONE &&
          (!byId || topic !== undefined) &&
          !topicAllowed(ctx, Op.WRITE, name);
        const partitionResponses = await Promise.all(
          t.partitionData.map((p) =>
            refusal !== ErrorCode.NONE || denied
              ? Promise.resolve(
                  failed(p.index, denied ? ErrorCode.TOPIC_AUTHORIZATION_FAILED : refusal),
                )
              : isolated(ctx, name, p.index, producePartition(ctx, req.transactionalId, topic, p)),
          ),
        );
        return createProduceResponseTopic({ name: t.name, topicId: t.topicId, partitionResponses });
      }),
    );
    if (req.acks === 0) {
      const bad = responses
        .flatMap((t) => t.partitionResponses)
        .find((p) => p.errorCode !== ErrorCode.NONE);
      // No response to carry the error: closing the connection is the only signal.
      if (bad !== undefined)
        throw new CloseConnection(`acks=0 produce failed with error ${bad.errorCode}`);
      return NO_RESPONSE;
    }
    return createProduceResponse({ responses });
  },
});
