/**
 * EndTxn (key 26), v0-v5, transaction version 1 semantics (we advertise no
 * transaction.version feature, so v5 clients do not expect KIP-890 epoch bumps).
 *
 * Commits or aborts the producer's ongoing transaction: PrepareCommit/PrepareAbort is
 * persisted, markers go to every partition of the transaction, the groups' pending
 * offsets are completed, then CompleteCommit/CompleteAbort. Answered after that first
 * attempt (so the next transaction rarely meets CONCURRENT_TRANSACTIONS); a failed
 * attempt is retried in the background and the decision stands. A retry of a finished
 * EndTxn with the same outcome is NONE; the opposite outcome, or no transaction, is
 * INVALID_TXN_STATE; PRODUCER_FENCED is INVALID_PRODUCER_EPOCH below v2 (KIP-588).
 * producer_id/producer_epoch in the v5 response are the current ones.
 */
import { createEndTxnResponse, EndTxnApi, ErrorCode } from "@logbook/protocol";
import { defineHandler } from "../handler.js";
import { fencedForVersion } from "../txn/index.js";

export const endTxnHandler = defineHandler({
  api: EndTxnApi,
  minVersion: 0,
  maxVersion: 5,
  async handle(req, ctx) {
    const { txn } = ctx.broker;
    const code = await txn.endTxn(req, req.committed);
    const current = txn.get(req.transactionalId);
    const ours = code === ErrorCode.NONE && current !== undefined;
    return createEndTxnResponse({
      errorCode: fencedForVersion(code, ctx.version, 2),
      producerId: ours ? current.producerId : -1n,
      producerEpoch: ours ? current.producerEpoch : -1,
    });
  },
});
