/** One aborted transaction in a partition: its data lies in [firstOffset, lastOffset]. */
export interface AbortedTxn {
  producerId: bigint;
  firstOffset: number;
  /** The offset of the ABORT marker. */
  lastOffset: number;
}

/**
 * The aborted transactions of one partition, for read_committed fetches: kept in
 * memory sorted by first offset, so a fetch looks ranges up here and never scans the
 * log (Kafka keeps one such index per segment). Pruned below the log start. Made
 * durable through the producer-state snapshot and rebuilt from markers after it.
 */
export class AbortedTxnIndex {
  private entries: AbortedTxn[] = [];
  /** The longest lastOffset - firstOffset seen, which bounds the backwards search. */
  private maxSpan = 0;

  get size(): number {
    return this.entries.length;
  }

  add(txn: AbortedTxn): void {
    // A retried marker finds its range already there.
    if (
      this.entries.some((e) => e.producerId === txn.producerId && e.firstOffset === txn.firstOffset)
    )
      return;
    const at = this.firstIndexAtOrAbove(txn.firstOffset + 1);
    this.entries.splice(at, 0, { ...txn });
    this.maxSpan = Math.max(this.maxSpan, txn.lastOffset - txn.firstOffset);
  }

  remove(txn: AbortedTxn): void {
    this.entries = this.entries.filter(
      (e) => !(e.producerId === txn.producerId && e.firstOffset === txn.firstOffset),
    );
  }

  /**
   * Aborted transactions overlapping [from, to): first offset below `to` and abort
   * marker at or above `from`, oldest first, as Fetch's aborted_transactions wants.
   */
  overlapping(from: number, to: number): AbortedTxn[] {
    const out: AbortedTxn[] = [];
    // Entries at index < end start below `to`; none starting before from - maxSpan can
    // still reach `from`, so the walk back stops there.
    const floor = from - this.maxSpan;
    for (let i = this.firstIndexAtOrAbove(to) - 1; i >= 0; i--) {
      const e = this.entries[i] as AbortedTxn;
      if (e.firstOffset < floor) break;
      if (e.lastOffset >= from) out.push(e);
    }
    return out.reverse();
  }

  /** Drops transactions wholly below the log start; returns whether any went. */
  prune(logStartOffset: number): boolean {
    const before = this.entries.length;
    this.entries = this.entries.filter((e) => e.lastOffset >= logStartOffset);
    return this.entries.length !== before;
  }

  /** Those whose marker lies below `endOffset` (a rescan from there finds the rest). */
  snapshot(endOffset: number): AbortedTxn[] {
    return this.entries.filter((e) => e.lastOffset < endOffset).map((e) => ({ ...e }));
  }

  private firstIndexAtOrAbove(offset: number): number {
    let lo = 0;
    let hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.entries[mid] as AbortedTxn).firstOffset < offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
