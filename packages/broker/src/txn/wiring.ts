import type { TxnMarkerWriter, TxnOffsetsCompleter } from "./contracts.js";
import type { TransactionCoordinator } from "./coordinator.js";

/**
 * The data plane and the group coordinator implement their halves of contracts.ts on
 * their own schedule; until their types declare them, the broker finds them at run time
 * so the coordinator is wired the moment they exist (and refuses transactional ids
 * before that instead of accepting transactions nobody can complete).
 */
export function markerWriterOf(candidate: object): TxnMarkerWriter | undefined {
  if (!("writeMarkers" in candidate)) return undefined;
  const fn = candidate.writeMarkers;
  if (typeof fn !== "function") return undefined;
  return {
    writeMarkers: (partitions, marker) =>
      (fn as TxnMarkerWriter["writeMarkers"]).call(candidate, partitions, marker),
  };
}

export function offsetsCompleterOf(candidate: object): TxnOffsetsCompleter | undefined {
  if (!("completeTransaction" in candidate)) return undefined;
  const fn = candidate.completeTransaction;
  if (typeof fn !== "function") return undefined;
  return {
    completeTransaction: (producerId, producerEpoch, commit) =>
      (fn as TxnOffsetsCompleter["completeTransaction"]).call(
        candidate,
        producerId,
        producerEpoch,
        commit,
      ),
  };
}

/** Calls `candidate[method](arg)` when the method exists; false when it does not. */
function offer(candidate: object, method: string, arg: object): boolean {
  if (!(method in candidate)) return false;
  const fn: unknown = Reflect.get(candidate, method);
  if (typeof fn !== "function") return false;
  Reflect.apply(fn, candidate, [arg]);
  return true;
}

/** What wireTransactions needs: the broker's data plane, groups and coordinator. */
export interface TxnWiringHost {
  readonly dataPlane: object;
  readonly groups: object;
  readonly txn: TransactionCoordinator;
}

/**
 * Connects the three parts both ways: the data plane gets the produce check and
 * writes markers; the groups get the TxnOffsetCommit check and complete offsets. A
 * side is attached only when both of its links exist, so transactional ids are
 * refused (txn.available false) until data plane and groups are both complete.
 */
export function wireTransactions(host: TxnWiringHost): void {
  const { dataPlane, groups, txn } = host;
  const markers = markerWriterOf(dataPlane);
  if (markers !== undefined && offer(dataPlane, "setTxnProduceCheck", txn)) {
    txn.attach({ markers });
  }
  const offsets = offsetsCompleterOf(groups);
  if (offsets !== undefined && offer(groups, "attachTransactions", txn)) {
    txn.attach({ offsets });
  }
}
