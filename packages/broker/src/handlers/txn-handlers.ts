import type { Handler } from "../handler.js";
import { addPartitionsToTxnHandler } from "./24-add-partitions-to-txn.js";
import { addOffsetsToTxnHandler } from "./25-add-offsets-to-txn.js";
import { endTxnHandler } from "./26-end-txn.js";
import { describeTransactionsHandler } from "./65-describe-transactions.js";
import { listTransactionsHandler } from "./66-list-transactions.js";

/**
 * The transaction coordinator's APIs (txn/). InitProducerId stays with the data
 * handlers (it serves idempotent producers too); TxnOffsetCommit belongs to the group
 * coordinator.
 */
export const txnHandlers: Handler[] = [
  addPartitionsToTxnHandler,
  addOffsetsToTxnHandler,
  endTxnHandler,
  describeTransactionsHandler,
  listTransactionsHandler,
];
