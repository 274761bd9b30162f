import type { TxnMarkerWriter, TxnOffsetsCompleter, TxnProduceCheck } from "./contracts.js";
import type { TransactionCoordinator } from "./coordinator.js";

/** The data plane's side: writes markers, asks the coordinator about transactional batches. */
export interface TxnDataPlaneSide extends TxnMarkerWriter {
  setTxnProduceCheck(check: TxnProduceCheck | null): void;
}

/** The groups' side: completes pending offsets, asks the coordinator about TxnOffsetCommit. */
export interface TxnGroupsSide extends TxnOffsetsCompleter {
  attachTransactions(check: TransactionCoordinator): void;
}

/**
 * Connects the three parts both ways, once the coordinator has replayed its state:
 * the data plane gets the produce check and writes markers, the groups get the
 * TxnOffsetCommit check and complete offsets. Attaching both writers starts the
 * completion of transactions decided before a restart.
 */
export function wireTransactions(
  host: {
    readonly dataPlane: TxnDataPlaneSide;
    readonly groups: TxnGroupsSide;
    readonly txn: TransactionCoordinator;
  },
  /** Where markers go (brokers sharing a database: each partition's leader); the data plane by default. */
  markers: TxnMarkerWriter = host.dataPlane,
): void {
  const { dataPlane, groups, txn } = host;
  dataPlane.setTxnProduceCheck(txn);
  groups.attachTransactions(txn);
  txn.attach({ markers, offsets: groups });
}
