/**
 * One aborted transaction as the transaction index records it: the producer, the
 * offset of its first data batch, and the offset of its ABORT marker.
 */
export interface AbortedTransaction {
  producerId: bigint;
  firstOffset: number;
  lastOffset: number;
}

/**
 * Lookup of aborted transactional data by (producerId, offset). Give the same instance
 * to the offset-map build and to the clean: the map must not let aborted data
 * supersede committed records that the clean then drops.
 */
export class AbortedTransactions {
  private readonly byProducer = new Map<bigint, AbortedTransaction[]>();

  constructor(aborted: Iterable<AbortedTransaction>) {
    for (const txn of aborted) {
      if (txn.lastOffset < txn.firstOffset) {
        throw new RangeError(`aborted transaction ends (${txn.lastOffset}) before it starts`);
      }
      const list = this.byProducer.get(txn.producerId) ?? [];
      list.push({ ...txn });
      this.byProducer.set(txn.producerId, list);
    }
    for (const list of this.byProducer.values()) list.sort((a, b) => a.firstOffset - b.firstOffset);
  }

  /** True when `offset` of `producerId` lies inside one of its aborted transactions. */
  contains(producerId: bigint, offset: number): boolean {
    const list = this.byProducer.get(producerId);
    if (list === undefined) return false;
    // A producer's transactions do not overlap: the last one starting at or before
    // `offset` is the only candidate.
    let lo = 0;
    let hi = list.length - 1;
    let candidate: AbortedTransaction | undefined;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const txn = list[mid] as AbortedTransaction;
      if (txn.firstOffset <= offset) {
        candidate = txn;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return candidate !== undefined && offset <= candidate.lastOffset;
  }
}
