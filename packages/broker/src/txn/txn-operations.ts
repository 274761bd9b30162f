import { answer } from "@logbook/group-coordinator";
import { ErrorCode } from "@logbook/protocol";
import type { Logger } from "@logbook/storage";
import { type TopicPartitionRef, tpKey } from "./contracts.js";
import type { TxnMetadata } from "./records.js";
import { TxnState, type TxnStateId } from "./state.js";
import {
  type TxnResult,
  type TxnShardState,
  tombstoneRecord,
  transitionRecord,
} from "./txn-shard.js";

/** Kafka's isEpochExhausted: the last epoch handed out before moving to a new producer id. */
export const MAX_PRODUCER_EPOCH = 32766;

/** The producer a transactional request names (checked against the coordinator's state). */
export interface TxnProducer {
  transactionalId: string;
  producerId: bigint;
  producerEpoch: number;
}

/** What the transaction operations need beside the state. */
export interface TxnOpContext {
  readonly now: number;
  readonly logger: Logger;
  /** Starts (or joins) the background completion of a decided transaction. */
  complete(transactionalId: string): void;
}

const NONE = ErrorCode.NONE;
const passCode = (errorCode: number) => errorCode;

/** The id's next metadata in `state`, stamped `now`. */
export function transitionTo(
  m: TxnMetadata,
  state: TxnStateId,
  now: number,
  change: Partial<Omit<TxnMetadata, "transactionalId" | "state">> = {},
): TxnMetadata {
  return { ...m, ...change, state, lastUpdateMs: now };
}

/**
 * Ongoing -> PrepareEpochFence (epoch + 1, so the old producer is fenced) ->
 * PrepareAbort in one batch; once stored, the abort completes in the background.
 */
export function fenceAndAbort(
  cur: TxnMetadata,
  ctx: TxnOpContext,
): Omit<TxnResult<undefined>, "failed"> {
  // At the last epoch there is nothing left to bump to; the abort still happens.
  const producerEpoch =
    cur.producerEpoch < MAX_PRODUCER_EPOCH ? cur.producerEpoch + 1 : cur.producerEpoch;
  // The fenced producer must not pass off its epoch as a retry of an earlier bump.
  const fenced = transitionTo(cur, TxnState.PREPARE_EPOCH_FENCE, ctx.now, {
    producerEpoch,
    lastProducerEpoch: -1,
  });
  const aborting = transitionTo(fenced, TxnState.PREPARE_ABORT, ctx.now);
  return {
    records: [transitionRecord(cur, fenced), transitionRecord(fenced, aborting)],
    response: undefined,
    appended: () => ctx.complete(cur.transactionalId),
  };
}

/** AddPartitionsToTxn / AddOffsetsToTxn: adds to the transaction, starting it if needed. */
export function planAdd(
  s: TxnShardState,
  p: TxnProducer,
  partitions: readonly TopicPartitionRef[],
  groups: readonly string[],
  now: number,
): TxnResult<number> {
  const cur = s.txns.get(p.transactionalId);
  if (cur === undefined || cur.producerEpoch !== p.producerEpoch) {
    return answer(ErrorCode.PRODUCER_FENCED);
  }
  if (
    cur.state !== TxnState.ONGOING &&
    cur.state !== TxnState.EMPTY &&
    cur.state !== TxnState.COMPLETE_COMMIT &&
    cur.state !== TxnState.COMPLETE_ABORT
  ) {
    return answer(ErrorCode.CONCURRENT_TRANSACTIONS);
  }
  const ongoing = cur.state === TxnState.ONGOING;
  const nextPartitions = new Map(ongoing ? cur.partitions : []);
  for (const tp of partitions) nextPartitions.set(tpKey(tp), tp);
  const nextGroups = new Set(ongoing ? cur.groups : []);
  for (const g of groups) nextGroups.add(g);
  if (
    ongoing &&
    nextPartitions.size === cur.partitions.size &&
    nextGroups.size === cur.groups.size
  ) {
    return answer(NONE); // all there already: nothing to write
  }
  const next = transitionTo(cur, TxnState.ONGOING, now, {
    partitions: nextPartitions,
    groups: nextGroups,
    startMs: ongoing ? cur.startMs : now,
  });
  return { records: [transitionRecord(cur, next)], response: NONE, failed: passCode };
}

/** What `planEndTxn` answers when it decided the outcome (the completion follows). */
export const DECIDED = -1;

/**
 * EndTxn's decision: Ongoing -> PrepareCommit/PrepareAbort, or the answer for any other
 * state. With transactions v2 (`tv2`, EndTxn v5+, KIP-890) every decision bumps the
 * epoch (the markers carry the new one, so a late batch of the ended transaction is
 * fenced), the epoch it ended is kept as lastProducerEpoch so a retry that still names
 * it is recognised, and an abort with no transaction open bumps the epoch too (the
 * producer may have sent batches whose implicit add never happened).
 */
export async function planEndTxn(
  s: TxnShardState,
  p: TxnProducer,
  commit: boolean,
  now: number,
  tv2: boolean,
  allocateProducerId: () => Promise<bigint>,
): Promise<TxnResult<number>> {
  const cur = s.txns.get(p.transactionalId);
  // A retry may name the id an exhausted epoch moved the producer away from.
  const known =
    cur !== undefined &&
    (cur.producerId === p.producerId || (tv2 && cur.previousProducerId === p.producerId));
  if (cur === undefined || !known) return answer(ErrorCode.INVALID_PRODUCER_ID_MAPPING);
  const retry = tv2 && cur.lastProducerEpoch >= 0 && p.producerEpoch === cur.lastProducerEpoch;
  if ((cur.producerEpoch !== p.producerEpoch || cur.producerId !== p.producerId) && !retry)
    return answer(
      cur.producerId === p.producerId
        ? ErrorCode.PRODUCER_FENCED
        : ErrorCode.INVALID_PRODUCER_ID_MAPPING,
    );
  const decide = async (from: TxnMetadata): Promise<TxnResult<number>> => {
    // Kafka's isEpochExhausted: the last bump goes to the epoch no producer gets, the
    // markers carry it, and the producer continues under a new id at epoch 0.
    const exhausted = tv2 && from.producerEpoch >= MAX_PRODUCER_EPOCH;
    const next = transitionTo(
      from,
      commit ? TxnState.PREPARE_COMMIT : TxnState.PREPARE_ABORT,
      now,
      tv2
        ? {
            producerEpoch: from.producerEpoch + 1,
            lastProducerEpoch: from.producerEpoch,
            nextProducerId: exhausted ? await allocateProducerId() : -1n,
          }
        : {},
    );
    return { records: [transitionRecord(from, next)], response: DECIDED, failed: passCode };
  };
  const sameOutcome = (state: TxnStateId) =>
    state === (commit ? TxnState.COMPLETE_COMMIT : TxnState.COMPLETE_ABORT);
  if (tv2) {
    if (retry) {
      // The retried EndTxn finished (or is finishing) with the outcome it asked for.
      if (sameOutcome(cur.state)) return answer(NONE);
      if (isPrepareOf(cur.state, commit)) return answer(ErrorCode.CONCURRENT_TRANSACTIONS);
      return answer(ErrorCode.INVALID_TXN_STATE);
    }
    if (
      !commit &&
      (cur.state === TxnState.EMPTY ||
        cur.state === TxnState.COMPLETE_COMMIT ||
        cur.state === TxnState.COMPLETE_ABORT)
    ) {
      return decide({ ...cur, partitions: new Map(), groups: new Set() });
    }
  }
  switch (cur.state) {
    case TxnState.ONGOING:
      return decide(cur);
    // A retry of a completed EndTxn with the same outcome is NONE, as in Kafka (v1:
    // the epoch did not move, so a retry names the current one).
    case TxnState.COMPLETE_COMMIT:
    case TxnState.COMPLETE_ABORT:
      return answer(!tv2 && sameOutcome(cur.state) ? NONE : ErrorCode.INVALID_TXN_STATE);
    case TxnState.PREPARE_COMMIT:
    case TxnState.PREPARE_ABORT:
      return answer(
        isPrepareOf(cur.state, commit)
          ? ErrorCode.CONCURRENT_TRANSACTIONS
          : ErrorCode.INVALID_TXN_STATE,
      );
    case TxnState.PREPARE_EPOCH_FENCE:
      return answer(ErrorCode.CONCURRENT_TRANSACTIONS);
    default:
      return answer(ErrorCode.INVALID_TXN_STATE); // Empty (nothing begun) or Dead
  }
}

function isPrepareOf(state: TxnStateId, commit: boolean): boolean {
  return state === (commit ? TxnState.PREPARE_COMMIT : TxnState.PREPARE_ABORT);
}

/**
 * Forgets transactional ids with no open transaction (Empty, CompleteCommit,
 * CompleteAbort) whose last update is older than `ttlMs`: they pass through Dead
 * (checked against the table) and a tombstone removes them from `__transaction_state`,
 * so replay and compaction forget them too. Answers the ids.
 */
export function planExpireIds(
  s: TxnShardState,
  ttlMs: number,
  now: number,
  logger: Logger,
): TxnResult<string[]> {
  const expired = [...s.txns.values()].filter(
    (m) =>
      (m.state === TxnState.EMPTY ||
        m.state === TxnState.COMPLETE_COMMIT ||
        m.state === TxnState.COMPLETE_ABORT) &&
      m.lastUpdateMs + ttlMs < now,
  );
  return {
    records: expired.map(tombstoneRecord),
    response: expired.map((m) => m.transactionalId),
    appended: () => {
      if (expired.length > 0) logger.info("expired transactional ids", { count: expired.length });
    },
  };
}

/**
 * Aborts every Ongoing transaction open longer than its timeout, bumping the epoch so
 * the producer that left it is fenced (Kafka's abortTimedOutTransactions). Answers the
 * ids aborted.
 */
export function planAbortTimedOut(s: TxnShardState, ctx: TxnOpContext): TxnResult<string[]> {
  const due = [...s.txns.values()].filter(
    (m) => m.state === TxnState.ONGOING && m.startMs >= 0 && m.startMs + m.timeoutMs < ctx.now,
  );
  const aborts = due.map((m) => {
    ctx.logger.info("aborting a timed-out transaction", {
      transactionalId: m.transactionalId,
      producerId: String(m.producerId),
      timeoutMs: m.timeoutMs,
    });
    return fenceAndAbort(m, ctx);
  });
  return {
    records: aborts.flatMap((a) => a.records),
    response: due.map((m) => m.transactionalId),
    appended: () => {
      for (const a of aborts) a.appended?.();
    },
  };
}
