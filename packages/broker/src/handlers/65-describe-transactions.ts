/**
 * DescribeTransactions (key 65), v0: state, timeout, start time, producer id/epoch
 * and partitions of each requested transactional id, in request order. Unknown (or
 * Dead) ids get TRANSACTIONAL_ID_NOT_FOUND, as in Kafka. A group added with
 * AddOffsetsToTxn shows as its `__consumer_offsets` partition, as in Kafka (partition
 * 0: this broker keeps every group there).
 * ACLs: DESCRIBE on each transactional id, else TRANSACTIONAL_ID_AUTHORIZATION_FAILED.
 */
import {
  createDescribeTransactionsResponse,
  createDescribeTransactionsResponseTopicData,
  createDescribeTransactionsResponseTransactionState,
  DescribeTransactionsApi,
  ErrorCode,
} from "@logbook/protocol";
import { Op, transactionalIdAllowed } from "../acl/check.js";
import { defineHandler } from "../handler.js";
import { TXN_STATE_NAMES, TxnState } from "../txn/index.js";
import { transactionTopics } from "../txn/queries.js";

export const describeTransactionsHandler = defineHandler({
  api: DescribeTransactionsApi,
  minVersion: 0,
  maxVersion: 0,
  handle(req, ctx) {
    const { txn } = ctx.broker;
    return createDescribeTransactionsResponse({
      transactionStates: req.transactionalIds.map((transactionalId) => {
        if (!transactionalIdAllowed(ctx, Op.DESCRIBE, transactionalId))
          return createDescribeTransactionsResponseTransactionState({
            transactionalId,
            errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED,
          });
        const m = txn.get(transactionalId);
        if (!txn.coordinating) {
          return createDescribeTransactionsResponseTransactionState({
            transactionalId,
            errorCode: ErrorCode.NOT_COORDINATOR,
          });
        }
        if (!txn.loaded) {
          return createDescribeTransactionsResponseTransactionState({
            transactionalId,
            errorCode: ErrorCode.COORDINATOR_LOAD_IN_PROGRESS,
          });
        }
        if (m === undefined || m.state === TxnState.DEAD) {
          return createDescribeTransactionsResponseTransactionState({
            transactionalId,
            errorCode: ErrorCode.TRANSACTIONAL_ID_NOT_FOUND,
            // Zeros, not -1: what Kafka sends for an id it does not know.
            transactionState: "",
            producerId: 0n,
            producerEpoch: 0,
            transactionStartTimeMs: 0n,
          });
        }
        return createDescribeTransactionsResponseTransactionState({
          transactionalId,
          errorCode: ErrorCode.NONE,
          transactionState: TXN_STATE_NAMES[m.state],
          transactionTimeoutMs: m.timeoutMs,
          transactionStartTimeMs: BigInt(m.startMs),
          producerId: m.producerId,
          producerEpoch: m.producerEpoch,
          topics: transactionTopics(m).map((t) => createDescribeTransactionsResponseTopicData(t)),
        });
      }),
    });
  },
});
