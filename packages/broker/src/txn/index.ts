export type {
  TopicPartitionRef,
  TxnMarker,
  TxnMarkerWriter,
  TxnOffsetsCompleter,
  TxnProduceCheck,
} from "./contracts.js";
export { tpKey } from "./contracts.js";
export {
  MAX_PRODUCER_EPOCH,
  type ProducerIdAndEpoch,
  TRANSACTION_STATE_PARTITION,
  TransactionCoordinator,
  type TxnCoordinatorOptions,
  type TxnProducer,
} from "./coordinator.js";
export { fencedForVersion } from "./errors.js";
export type { TxnList, TxnListFilter } from "./queries.js";
export type { TxnMetadata } from "./records.js";
export { InvalidTxnTransition, TXN_STATE_NAMES, TxnState, type TxnStateId } from "./state.js";
export { type TxnDataPlaneSide, type TxnGroupsSide, wireTransactions } from "./wiring.js";
