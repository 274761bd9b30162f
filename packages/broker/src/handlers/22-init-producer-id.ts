/**
 * InitProducerId (key 22), v0-v5.
 *
 * Without a transactional id: a new producer id with epoch 0 from the durable
 * allocator (data/producer-ids.ts; ids are never reused, even after a restart). With
 * producer_id and producer_epoch set (v3+, KIP-360) the same id comes back with the
 * next epoch; partitions then expect sequence 0 from it. An id we never handed out,
 * or an epoch about to overflow, gets a fresh id instead, which is what Kafka answers
 * every idempotent producer. transaction_timeout_ms is ignored for them, as in Kafka.
 *
 * With a transactional id the transaction coordinator (txn/) answers: the timeout is
 * checked against transaction.max.timeout.ms (INVALID_TRANSACTION_TIMEOUT), the first
 * call allocates a producer id, later calls bump the epoch (fencing the previous
 * producer; an ongoing transaction of it is aborted first and CONCURRENT_TRANSACTIONS
 * answered meanwhile), an exhausted epoch moves to a new id. PRODUCER_FENCED is
 * INVALID_PRODUCER_EPOCH below v4 (KIP-588).
 *
 * An empty transactional id is INVALID_REQUEST, as in Kafka. Until the coordinator is
 * wired to the data plane and the group coordinator, a transactional id is answered
 * with TRANSACTIONAL_ID_AUTHORIZATION_FAILED, a fatal error the producer reports at
 * once (COORDINATOR_NOT_AVAILABLE would make clients retry forever).
 * ACLs: WRITE on the transactional id (TRANSACTIONAL_ID_AUTHORIZATION_FAILED); without
 * one, IDEMPOTENT_WRITE on the cluster or WRITE on some topic (CLUSTER_AUTHORIZATION_FAILED).
 */
import {
  createInitProducerIdResponse,
  ErrorCode,
  InitProducerIdApi,
  type InitProducerIdRequest,
  type InitProducerIdResponse,
} from "@logbook/protocol";
import { AppendError } from "@logbook/storage";
import { idempotentWriteAllowed, Op, transactionalIdAllowed } from "../acl/check.js";
import { defineHandler, type RequestContext } from "../handler.js";
import { fencedForVersion } from "../txn/index.js";

function fail(errorCode: number): InitProducerIdResponse {
  return createInitProducerIdResponse({ errorCode, producerId: -1n, producerEpoch: -1 });
}

export const initProducerIdHandler = defineHandler({
  api: InitProducerIdApi,
  minVersion: 0,
  maxVersion: 5,
  async handle(req, ctx) {
    try {
      return await initProducerId(req, ctx);
    } catch (err) {
      // The storage refused the write of __producer_ids or __transaction_state (disk
      // full, read-only): retriable, the client asks again. Anything else is a bug.
      if (err instanceof AppendError && err.reason === "storage")
        return fail(ErrorCode.COORDINATOR_NOT_AVAILABLE);
      throw err;
    }
  },
});

async function initProducerId(
  req: InitProducerIdRequest,
  ctx: RequestContext,
): Promise<InitProducerIdResponse> {
  if (req.transactionalId !== null && !transactionalIdAllowed(ctx, Op.WRITE, req.transactionalId))
    return fail(ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
  if (req.transactionalId === null && !idempotentWriteAllowed(ctx))
    return fail(ErrorCode.CLUSTER_AUTHORIZATION_FAILED);
  // Kafka: an empty transactional id is malformed, not "no transactions".
  if (req.transactionalId === "") return fail(ErrorCode.INVALID_REQUEST);
  if (req.transactionalId !== null) {
    const { txn } = ctx.broker;
    if (!txn.available) return fail(ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
    const expected =
      ctx.version >= 3 && req.producerId >= 0n && req.producerEpoch >= 0
        ? { producerId: req.producerId, producerEpoch: req.producerEpoch }
        : null;
    const r = await txn.initProducerId(req.transactionalId, req.transactionTimeoutMs, expected);
    return createInitProducerIdResponse({
      errorCode: fencedForVersion(r.errorCode, ctx.version, 4),
      producerId: r.producerId,
      producerEpoch: r.producerEpoch,
    });
  }
  const ids = await ctx.broker.dataPlane.producerIds();
  if (req.producerId >= 0n && req.producerEpoch >= 0) {
    const grant = await ids.bump(req.producerId, req.producerEpoch);
    if (!grant.ok) return fail(grant.errorCode);
    return createInitProducerIdResponse({
      errorCode: ErrorCode.NONE,
      producerId: grant.producerId,
      producerEpoch: grant.producerEpoch,
    });
  }
  return createInitProducerIdResponse({
    errorCode: ErrorCode.NONE,
    producerId: await ids.allocate(),
    producerEpoch: 0,
  });
}
