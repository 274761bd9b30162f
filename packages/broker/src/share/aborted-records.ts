import type { AcquiredRange } from "@logbook/group-coordinator";
import { iterateRecords } from "@logbook/protocol";
import type { AbortedTxn } from "@logbook/storage";

/** An inclusive run of offsets. */
export interface OffsetRange {
  readonly firstOffset: bigint;
  readonly lastOffset: bigint;
}

/**
 * The offsets of the data batches in `records` that belong to an aborted transaction:
 * a transactional batch of the aborted producer between the transaction's first offset
 * and its ABORT marker. Control batches are never counted (a consumer skips them).
 */
export function abortedBatchOffsets(
  records: Buffer,
  aborted: readonly AbortedTxn[],
): OffsetRange[] {
  if (aborted.length === 0) return [];
  const out: OffsetRange[] = [];
  for (const entry of iterateRecords(records)) {
    if (entry.magic !== 2) continue;
    const header = entry.header;
    if (!header.isTransactional || header.isControl) continue;
    const base = header.baseOffset;
    const inAborted = aborted.some(
      (t) =>
        t.producerId === header.producerId &&
        BigInt(t.firstOffset) <= base &&
        base < BigInt(t.lastOffset),
    );
    if (inAborted) out.push({ firstOffset: base, lastOffset: header.lastOffset });
  }
  return out;
}

/** The parts of `ranges` that `removed` does not cover, delivery counts kept. */
export function withoutOffsets(
  ranges: readonly AcquiredRange[],
  removed: readonly OffsetRange[],
): AcquiredRange[] {
  let out: AcquiredRange[] = ranges.map((r) => ({ ...r }));
  for (const cut of removed) {
    out = out.flatMap((r) => {
      if (cut.lastOffset < r.firstOffset || cut.firstOffset > r.lastOffset) return [r];
      const kept: AcquiredRange[] = [];
      if (r.firstOffset < cut.firstOffset) kept.push({ ...r, lastOffset: cut.firstOffset - 1n });
      if (cut.lastOffset < r.lastOffset) kept.push({ ...r, firstOffset: cut.lastOffset + 1n });
      return kept;
    });
  }
  return out;
}

/** The parts of `removed` that fall inside `ranges` (what was acquired and must go). */
export function overlapOf(
  ranges: readonly OffsetRange[],
  removed: readonly OffsetRange[],
): OffsetRange[] {
  const out: OffsetRange[] = [];
  for (const r of ranges)
    for (const cut of removed) {
      let first = cut.firstOffset;
      if (first < r.firstOffset) first = r.firstOffset;
      let last = cut.lastOffset;
      if (last > r.lastOffset) last = r.lastOffset;
      if (first <= last) out.push({ firstOffset: first, lastOffset: last });
    }
  return out;
}
