import { floorIndex } from "../floor-index.js";
import type { AbortedTxn } from "./aborted-txn.js";

/** A segment's transaction index as the lookup sees it. */
export interface TxnIndexedSegment {
  readonly baseOffset: number;
  /** Aborted transactions whose ABORT marker lies in this segment, in marker order. */
  readonly abortedTxns: readonly AbortedTxn[];
}

/**
 * The aborted transactions overlapping [fetchOffset, upperBoundOffset) (marker at or
 * above fetchOffset, first offset below the bound), oldest first, from the indexes of
 * `segments` (ascending by base offset) alone. Segments wholly before the one holding
 * fetchOffset hold only markers below it, so the walk starts there; it stops at the
 * first entry whose last stable offset reaches the bound, because every transaction
 * aborted after that one started at or above it (Kafka's collectAbortedTxns).
 * `pending` are entries of markers appended but not yet written to a segment.
 */
export function collectAborted(
  segments: readonly TxnIndexedSegment[],
  fetchOffset: number,
  upperBoundOffset: number,
  pending: readonly AbortedTxn[] = [],
): AbortedTxn[] {
  const out: AbortedTxn[] = [];
  if (fetchOffset >= upperBoundOffset) return out;
  const visit = (entries: readonly AbortedTxn[]): boolean => {
    for (const e of entries) {
      if (e.lastOffset >= fetchOffset && e.firstOffset < upperBoundOffset) out.push({ ...e });
      if (e.lastStableOffset >= upperBoundOffset) return true;
    }
    return false;
  };
  let complete = false;
  for (let i = floorIndex(segments, fetchOffset); i < segments.length && !complete; i++)
    complete = visit((segments[i] as TxnIndexedSegment).abortedTxns);
  if (!complete) visit(pending);
  return out.sort((a, b) => a.firstOffset - b.firstOffset || a.lastOffset - b.lastOffset);
}
