export type {
  TopicPartitionRef,
  TxnMarker,
  TxnMarkerWriter,
  TxnOffsetsCompleter,
  TxnProduceCheck,
} from "./contracts.js";
export { tpKey } from "./contracts.js";
export {
  TRANSACTION_STATE_PARTITION,
  TransactionCoordinator,
  type TxnCoordinatorOptions,
} from "./coordinator.js";
export { fencedForVersion } from "./errors.js";
export { addImplicitly, addOffsetsImplicitly } from "./implicit-add.js";
export type { ProducerIdAndEpoch } from "./init-producer-id.js";
export type { TxnList, TxnListFilter } from "./queries.js";
export type { TxnMetadata } from "./records.js";
export { InvalidTxnTransition, TXN_STATE_NAMES, TxnState, type TxnStateId } from "./state.js";
export { MAX_PRODUCER_EPOCH, type TxnProducer } from "./txn-operations.js";
export { type TxnDataPlaneSide, type TxnGroupsSide, wireTransactions } from "./wiring.js";
