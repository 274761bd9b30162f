/**
 * ListTransactions (key 66), v0-v1: every transactional id (Dead ones excepted)
 * matching all given filters: state names (Kafka's, e.g. "Ongoing"; unknown names are
 * echoed in unknown_state_filters), producer ids, and in v1 duration_filter (only
 * transactions open longer than that many ms; -1 = no filter).
 * ACLs: lists only the transactional ids the principal may DESCRIBE.
 */
import {
  createListTransactionsResponse,
  createListTransactionsResponseTransactionState,
  ErrorCode,
  ListTransactionsApi,
} from "@logbook/protocol";
import { AclResourceType } from "../acl/acl-types.js";
import { allowed, Op } from "../acl/check.js";
import { defineHandler } from "../handler.js";

export const listTransactionsHandler = defineHandler({
  api: ListTransactionsApi,
  minVersion: 0,
  maxVersion: 1,
  handle(req, ctx) {
    const { txn } = ctx.broker;
    if (!txn.loaded) {
      return createListTransactionsResponse({ errorCode: ErrorCode.COORDINATOR_LOAD_IN_PROGRESS });
    }
    const listed = txn.list({
      states: req.stateFilters,
      producerIds: req.producerIdFilters,
      durationMs: ctx.version >= 1 ? Number(req.durationFilter) : -1,
    });
    return createListTransactionsResponse({
      errorCode: ErrorCode.NONE,
      unknownStateFilters: listed.unknownStates,
      // Only the transactional ids the principal may DESCRIBE.
      // Each broker lists the transactions it coordinates (the admin client asks them all).
      transactionStates: (txn.coordinating ? listed.transactions : [])
        .filter((t) =>
          allowed(ctx, Op.DESCRIBE, AclResourceType.TRANSACTIONAL_ID, t.transactionalId, true),
        )
        .map((t) =>
          createListTransactionsResponseTransactionState({
            transactionalId: t.transactionalId,
            producerId: t.producerId,
            transactionState: t.state,
          }),
        ),
    });
  },
});
