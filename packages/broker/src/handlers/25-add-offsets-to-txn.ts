/**
 * AddOffsetsToTxn (key 25), v0-v4: adds a consumer group to the producer's
 * transaction so its TxnOffsetCommit offsets commit or abort with it (the group
 * coordinator asks txn/ through checkTxnOffsetCommit). Errors as AddPartitionsToTxn;
 * PRODUCER_FENCED is INVALID_PRODUCER_EPOCH below v2 (KIP-588). An empty group id is
 * INVALID_GROUP_ID.
 * ACLs: WRITE on the transactional id, READ on the group.
 */
import { AddOffsetsToTxnApi, createAddOffsetsToTxnResponse, ErrorCode } from "@logbook/protocol";
import { groupAllowed, Op, transactionalIdAllowed } from "../acl/check.js";
import { defineHandler } from "../handler.js";
import { fencedForVersion } from "../txn/index.js";

export const addOffsetsToTxnHandler = defineHandler({
  api: AddOffsetsToTxnApi,
  minVersion: 0,
  maxVersion: 4,
  async handle(req, ctx) {
    if (!transactionalIdAllowed(ctx, Op.WRITE, req.transactionalId))
      return createAddOffsetsToTxnResponse({
        errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED,
      });
    if (!groupAllowed(ctx, Op.READ, req.groupId))
      return createAddOffsetsToTxnResponse({ errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED });
    if (req.groupId === "") {
      return createAddOffsetsToTxnResponse({ errorCode: ErrorCode.INVALID_GROUP_ID });
    }
    const code = await ctx.broker.txn.addOffsets(req, req.groupId);
    return createAddOffsetsToTxnResponse({ errorCode: fencedForVersion(code, ctx.version, 2) });
  },
});
