import { answer } from "@logbook/group-coordinator";
import { ErrorCode } from "@logbook/protocol";
import type { TxnMetadata } from "./records.js";
import { isPrepare, TxnState } from "./state.js";
import {
  fenceAndAbort,
  MAX_PRODUCER_EPOCH,
  type TxnOpContext,
  transitionTo,
} from "./txn-operations.js";
import { type TxnResult, type TxnShardState, transitionRecord } from "./txn-shard.js";

export interface ProducerIdAndEpoch {
  errorCode: number;
  producerId: bigint;
  producerEpoch: number;
}

export interface InitProducerIdInput {
  transactionalId: string;
  timeoutMs: number;
  /** The KIP-360 producer id and epoch (v3+), or null. */
  expected: { producerId: bigint; producerEpoch: number } | null;
}

export function initProducerIdError(errorCode: number): ProducerIdAndEpoch {
  return { errorCode, producerId: -1n, producerEpoch: -1 };
}

/**
 * InitProducerId with a transactional id: a new id starts at epoch 0; a known one is
 * bumped (or moved to a new producer id when its epoch is exhausted); an ongoing
 * transaction is fenced and aborted first (CONCURRENT_TRANSACTIONS: the producer
 * retries). Errors use PRODUCER_FENCED; the handler maps it for old versions.
 */
export async function planInitProducerId(
  s: TxnShardState,
  input: InitProducerIdInput,
  ctx: TxnOpContext & { allocateProducerId: () => Promise<bigint> },
): Promise<TxnResult<ProducerIdAndEpoch>> {
  const { transactionalId, timeoutMs, expected } = input;
  const cur = s.txns.get(transactionalId);
  const write = (next: TxnMetadata, response: ProducerIdAndEpoch) => ({
    records: [transitionRecord(cur, next)],
    response,
    failed: initProducerIdError,
  });
  if (cur === undefined) {
    const producerId = await ctx.allocateProducerId();
    return write(
      {
        transactionalId,
        producerId,
        previousProducerId: -1n,
        nextProducerId: -1n,
        producerEpoch: 0,
        lastProducerEpoch: -1,
        timeoutMs,
        state: TxnState.EMPTY,
        partitions: new Map(),
        groups: new Set(),
        lastUpdateMs: ctx.now,
        startMs: -1,
      },
      { errorCode: ErrorCode.NONE, producerId, producerEpoch: 0 },
    );
  }
  if (expected !== null) {
    const matchesCurrent =
      expected.producerId === cur.producerId && expected.producerEpoch === cur.producerEpoch;
    // A retry of a bump whose answer the producer never saw: hand out the same again.
    const isRetry =
      (expected.producerId === cur.producerId || expected.producerId === cur.previousProducerId) &&
      cur.lastProducerEpoch >= 0 &&
      expected.producerEpoch === cur.lastProducerEpoch;
    if (isRetry && !isPrepare(cur.state) && cur.state !== TxnState.ONGOING) {
      return answer({
        errorCode: ErrorCode.NONE,
        producerId: cur.producerId,
        producerEpoch: cur.producerEpoch,
      });
    }
    if (!matchesCurrent) return answer(initProducerIdError(ErrorCode.PRODUCER_FENCED));
  }
  switch (cur.state) {
    case TxnState.ONGOING:
      // Fence the zombie (its epoch is now stale), abort its transaction; the new
      // producer retries and gets the next epoch once the abort is complete.
      return {
        ...fenceAndAbort(cur, ctx),
        response: initProducerIdError(ErrorCode.CONCURRENT_TRANSACTIONS),
        failed: initProducerIdError,
      };
    case TxnState.EMPTY:
    case TxnState.COMPLETE_COMMIT:
    case TxnState.COMPLETE_ABORT: {
      const exhausted = cur.producerEpoch >= MAX_PRODUCER_EPOCH;
      const producerId = exhausted ? await ctx.allocateProducerId() : cur.producerId;
      const producerEpoch = exhausted ? 0 : cur.producerEpoch + 1;
      return write(
        transitionTo(cur, TxnState.EMPTY, ctx.now, {
          producerId,
          previousProducerId: exhausted ? cur.producerId : cur.previousProducerId,
          producerEpoch,
          // Only a bump the producer asked for by its id and epoch can be retried
          // (a producer starting afresh sends none), as Kafka's lastProducerEpoch.
          lastProducerEpoch: expected === null ? -1 : cur.producerEpoch,
          timeoutMs,
          partitions: new Map(),
          groups: new Set(),
          startMs: -1,
        }),
        { errorCode: ErrorCode.NONE, producerId, producerEpoch },
      );
    }
    default:
      // PrepareCommit/PrepareAbort/PrepareEpochFence complete on their own; Dead is
      // never written by this coordinator. Either way: ask again later.
      return answer(initProducerIdError(ErrorCode.CONCURRENT_TRANSACTIONS));
  }
}
