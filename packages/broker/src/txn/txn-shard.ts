import {
  type CoordinatorResult,
  type CoordinatorRuntime,
  type ShardLog,
  sharedShardLog,
} from "@logbook/group-coordinator";
import type { InternalLog, Logger } from "@logbook/storage";
import { decodeTxnRecord, encodeTxnKey, encodeTxnRecord, type TxnMetadata } from "./records.js";
import { assertTransition, TxnState } from "./state.js";

/** One record of `__transaction_state`: an id's latest metadata, or null (forgotten). */
export interface TxnRecord {
  readonly transactionalId: string;
  readonly metadata: TxnMetadata | null;
}

/** The transaction coordinator's durable state, changed only by `replayTxnRecord`. */
export interface TxnShardState {
  readonly txns: Map<string, TxnMetadata>;
  readonly byProducerId: Map<bigint, string>;
}

export type TxnRuntime = CoordinatorRuntime<TxnShardState, TxnRecord>;
export type TxnResult<R> = CoordinatorResult<TxnRecord, R>;

export function emptyTxnState(): TxnShardState {
  return { txns: new Map(), byProducerId: new Map() };
}

/** Installs one record: at start-up and after every append alike. */
export function replayTxnRecord(state: TxnShardState, record: TxnRecord): void {
  const { transactionalId, metadata } = record;
  const before = state.txns.get(transactionalId);
  if (before !== undefined && state.byProducerId.get(before.producerId) === transactionalId) {
    state.byProducerId.delete(before.producerId);
  }
  if (metadata === null) {
    state.txns.delete(transactionalId);
    return;
  }
  state.txns.set(transactionalId, metadata);
  state.byProducerId.set(metadata.producerId, transactionalId);
}

/**
 * The next record of an id, checked against the transition table from `current` (the
 * id's state before it, undefined for a new id, which starts Empty).
 */
export function transitionRecord(current: TxnMetadata | undefined, next: TxnMetadata): TxnRecord {
  if (current === undefined) {
    if (next.state !== TxnState.EMPTY) assertTransition(TxnState.DEAD, next.state);
  } else {
    assertTransition(current.state, next.state);
  }
  return { transactionalId: next.transactionalId, metadata: next };
}

/** The tombstone forgetting an idle id (through Dead, checked against the table). */
export function tombstoneRecord(current: TxnMetadata): TxnRecord {
  assertTransition(current.state, TxnState.DEAD);
  return { transactionalId: current.transactionalId, metadata: null };
}

/**
 * The shard's records on `__transaction_state`. A batch is stamped with its last
 * metadata's update time (the clock's time for tombstones); unknown records are skipped.
 * Brokers sharing one database all follow this log and may append to it (a partition
 * leader adding its partition to a transaction, transactions v2): see sharedShardLog.
 */
export function txnShardLog(
  log: InternalLog,
  now: () => number,
  logger: Logger,
): ShardLog<TxnRecord> {
  return sharedShardLog<TxnRecord>(
    log,
    {
      encode: (records) => ({
        records: records.map((r) =>
          r.metadata === null
            ? { key: encodeTxnKey(r.transactionalId), value: null }
            : encodeTxnRecord(r.metadata),
        ),
        timestamp: records[records.length - 1]?.metadata?.lastUpdateMs ?? now(),
      }),
      decode: (raw) => {
        const decoded = decodeTxnRecord(raw);
        return decoded.kind === "txn" ? decoded : undefined;
      },
    },
    (records) => logger.info("transaction state replayed", { records }),
  );
}

export const TXN_TIMER_KEYS = {
  abortTimedOut: "abort-timed-out-transactions",
  expireIds: "expire-transactional-ids",
} as const;
