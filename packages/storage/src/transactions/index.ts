export {
  type AbortedTxn,
  decodeTxnIndex,
  encodeTxnIndex,
  TXN_INDEX_ENTRY_SIZE,
} from "./aborted-txn.js";
export { collectAborted, type TxnIndexedSegment } from "./collect-aborted.js";
export { controlTypeAt, OpenTransactions } from "./open-transactions.js";
