/**
 * Remembers, during one cleaning pass, which producers' open transactions still have
 * data in the cleaned output, so a COMMIT/ABORT marker is removed only once nothing of
 * its transaction remains (else a restart replaying the log would see the data without
 * its end and keep the transaction open).
 *
 * Concurrency contract: one per cleaning pass, fed every batch from the log start in
 * offset order (across all segments of the pass); it is wrong if batches are skipped.
 */
export class TransactionTracker {
  private readonly withData = new Set<bigint>();

  /** A transactional data batch of `producerId` was kept (fully or partly). */
  dataRetained(producerId: bigint): void {
    this.withData.add(producerId);
  }

  /** Whether the transaction `producerId` has open still has data in the output. */
  hasRetainedData(producerId: bigint): boolean {
    return this.withData.has(producerId);
  }

  /** The producer's marker was read: its next transaction starts empty. */
  transactionEnded(producerId: bigint): void {
    this.withData.delete(producerId);
  }
}
