/**
 * Transaction states as stored in `__transaction_state` (Kafka's TransactionState ids),
 * and the transitions the coordinator may make between them. The table is checked
 * before a record is written, never during replay: compaction may have dropped the
 * intermediate records, so replay installs whatever the latest record says.
 */
export const TxnState = {
  EMPTY: 0,
  ONGOING: 1,
  PREPARE_COMMIT: 2,
  PREPARE_ABORT: 3,
  COMPLETE_COMMIT: 4,
  COMPLETE_ABORT: 5,
  DEAD: 6,
  PREPARE_EPOCH_FENCE: 7,
} as const;

export type TxnStateId = (typeof TxnState)[keyof typeof TxnState];

/** The names DescribeTransactions and ListTransactions use (Kafka's, verbatim). */
export const TXN_STATE_NAMES: Readonly<Record<TxnStateId, string>> = {
  0: "Empty",
  1: "Ongoing",
  2: "PrepareCommit",
  3: "PrepareAbort",
  4: "CompleteCommit",
  5: "CompleteAbort",
  6: "Dead",
  7: "PrepareEpochFence",
};

const { EMPTY, ONGOING, PREPARE_COMMIT, PREPARE_ABORT, COMPLETE_COMMIT, COMPLETE_ABORT } = TxnState;

/** For each target state, the states it may be entered from. */
const VALID_FROM: Readonly<Record<TxnStateId, readonly TxnStateId[]>> = {
  [TxnState.EMPTY]: [EMPTY, COMPLETE_COMMIT, COMPLETE_ABORT],
  // Ongoing -> Ongoing adds partitions or groups to the running transaction.
  [TxnState.ONGOING]: [ONGOING, EMPTY, COMPLETE_COMMIT, COMPLETE_ABORT],
  [TxnState.PREPARE_COMMIT]: [ONGOING],
  // A fenced or timed-out transaction goes through PrepareEpochFence to its abort.
  // Transactions v2 (KIP-890) also abort with nothing open, to bump the epoch.
  [TxnState.PREPARE_ABORT]: [
    ONGOING,
    TxnState.PREPARE_EPOCH_FENCE,
    EMPTY,
    COMPLETE_COMMIT,
    COMPLETE_ABORT,
  ],
  [TxnState.COMPLETE_COMMIT]: [PREPARE_COMMIT],
  [TxnState.COMPLETE_ABORT]: [PREPARE_ABORT],
  [TxnState.DEAD]: [EMPTY, COMPLETE_COMMIT, COMPLETE_ABORT],
  [TxnState.PREPARE_EPOCH_FENCE]: [ONGOING],
};

export class InvalidTxnTransition extends Error {
  constructor(
    readonly from: TxnStateId,
    readonly to: TxnStateId,
  ) {
    super(
      `invalid transaction state transition ${TXN_STATE_NAMES[from]} -> ${TXN_STATE_NAMES[to]}`,
    );
    this.name = "InvalidTxnTransition";
  }
}

export function canTransition(from: TxnStateId, to: TxnStateId): boolean {
  return VALID_FROM[to].includes(from);
}

/** Throws InvalidTxnTransition unless `from -> to` is in the table. */
export function assertTransition(from: TxnStateId, to: TxnStateId): void {
  if (!canTransition(from, to)) throw new InvalidTxnTransition(from, to);
}

export function isTxnStateId(n: number): n is TxnStateId {
  return Number.isInteger(n) && n >= 0 && n <= 7;
}

/** States whose transaction has a decided outcome whose markers may still be missing. */
export function isPrepare(s: TxnStateId): boolean {
  return s === PREPARE_COMMIT || s === PREPARE_ABORT;
}
