/**
 * EndTxn (key 26), v0-v5.
 *
 * Commits or aborts the producer's ongoing transaction: PrepareCommit/PrepareAbort is
 * persisted, markers go to every partition of the transaction, the groups' pending
 * offsets are completed, then CompleteCommit/CompleteAbort. Answered after that first
 * attempt (so the next transaction rarely meets CONCURRENT_TRANSACTIONS); a failed
 * attempt is retried in the background and the decision stands. PRODUCER_FENCED is
 * INVALID_PRODUCER_EPOCH below v2 (KIP-588).
 *
 * v0-v4 (transactions v1): a retry of a finished EndTxn with the same outcome is NONE;
 * the opposite outcome, or no transaction, is INVALID_TXN_STATE.
 *
 * v5 while transaction.version >= 2 (transactions v2, KIP-890 part 2): every end bumps
 * the producer epoch and the markers carry the new one, so nothing the ended
 * transaction still has in flight can join the next; the response carries the producer
 * id and the new epoch, which the producer uses from then on. A retry naming the epoch
 * before the bump gets NONE if it asked for the outcome that happened; an abort with no
 * transaction open still bumps the epoch. At the last epoch (32766) the markers carry
 * 32767 and the producer moves to a new producer id at epoch 0, which the response
 * carries (even while the completion is still being retried).
 * ACLs: WRITE on the transactional id (TRANSACTIONAL_ID_AUTHORIZATION_FAILED).
 */
import { createEndTxnResponse, EndTxnApi, ErrorCode } from "@logbook/protocol";
import { Op, transactionalIdAllowed } from "../acl/check.js";
import { defineHandler } from "../handler.js";
import { fencedForVersion } from "../txn/index.js";

/** The first version whose producers expect the transactions v2 epoch bump. */
const TV2_VERSION = 5;

export const endTxnHandler = defineHandler({
  api: EndTxnApi,
  minVersion: 0,
  maxVersion: 5,
  async handle(req, ctx) {
    if (!transactionalIdAllowed(ctx, Op.WRITE, req.transactionalId))
      return createEndTxnResponse({
        errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED,
        producerId: -1n,
        producerEpoch: -1,
      });
    const { txn, features } = ctx.broker;
    const tv2 = ctx.version >= TV2_VERSION && features.transactionsV2;
    const code = await txn.endTxn(req, req.committed, tv2);
    const current = txn.get(req.transactionalId);
    if (code !== ErrorCode.NONE || current === undefined) {
      return createEndTxnResponse({
        errorCode: fencedForVersion(code, ctx.version, 2),
        producerId: -1n,
        producerEpoch: -1,
      });
    }
    const moving = current.nextProducerId >= 0n;
    return createEndTxnResponse({
      errorCode: ErrorCode.NONE,
      producerId: moving ? current.nextProducerId : current.producerId,
      producerEpoch: moving ? 0 : current.producerEpoch,
    });
  },
});
