import { ErrorCode } from "@logbook/protocol";
import type { Clock, Logger } from "@logbook/storage";
import type { TxnMarkerWriter, TxnOffsetsCompleter } from "./contracts.js";
import type { TxnMetadata } from "./records.js";
import { isPrepare, TxnState, type TxnStateId } from "./state.js";

/** What completing a decided transaction needs from the coordinator. */
export interface CompletionHost {
  get(transactionalId: string): TxnMetadata | undefined;
  /** Persists and applies the next state (checked against the transition table). */
  write(next: TxnMetadata): Promise<void>;
  transitionTo(m: TxnMetadata, state: TxnStateId, change?: Partial<TxnMetadata>): TxnMetadata;
  /** The attached writers, or null while transactions are not wired. */
  parts(): { markers: TxnMarkerWriter; offsets: TxnOffsetsCompleter } | null;
  /** False once another broker coordinates transactions: it completes them from now on. */
  coordinating(): boolean;
  readonly logger: Logger;
}

/**
 * Drives decided transactions (PrepareCommit/PrepareAbort, or a fence cut short by a
 * restart) to CompleteCommit/CompleteAbort: markers to every partition, the groups'
 * pending offsets, then the Complete record. One loop per transactional id, retried
 * until it succeeds or the coordinator closes (it resumes after the next start).
 */
export class CompletionRunner {
  private readonly running = new Map<string, Promise<void>>();

  constructor(
    private readonly host: CompletionHost,
    private readonly retryMs: number,
    private readonly clock: Clock,
    private readonly closing: AbortSignal,
  ) {}

  get size(): number {
    return this.running.size;
  }

  /** Settles once every running loop has ended. */
  async settled(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running.values()]);
  }

  /**
   * Starts (or joins) the id's completion. Resolves after the first attempt, so EndTxn
   * answers once the markers are written when that is possible at all.
   */
  drive(transactionalId: string): Promise<void> {
    const existing = this.running.get(transactionalId);
    if (existing !== undefined) return existing;
    let firstDone: () => void = () => {};
    const first = new Promise<void>((resolve) => {
      firstDone = resolve;
    });
    const loop = (async () => {
      while (!this.closing.aborted && this.host.coordinating()) {
        try {
          await this.completeOnce(transactionalId);
          return;
        } catch (err) {
          this.host.logger.warn(
            "completing transaction failed; retrying",
            {
              transactionalId,
            },
            err,
          );
          firstDone();
          if (!(await this.pause())) return; // closing
        }
      }
    })().finally(() => {
      firstDone();
      this.running.delete(transactionalId);
    });
    this.running.set(transactionalId, loop);
    return first;
  }

  /** Waits `retryMs` on the clock; false when closing cut it short. */
  private pause(): Promise<boolean> {
    return new Promise((resolve) => {
      if (this.closing.aborted) {
        resolve(false);
        return;
      }
      const onClose = () => {
        this.clock.clearTimeout(timer);
        resolve(false);
      };
      const timer = this.clock.setTimeout(() => {
        this.closing.removeEventListener("abort", onClose);
        resolve(true);
      }, this.retryMs);
      this.closing.addEventListener("abort", onClose, { once: true });
    });
  }

  private async completeOnce(transactionalId: string): Promise<void> {
    const { host } = this;
    let cur = host.get(transactionalId);
    if (cur?.state === TxnState.PREPARE_EPOCH_FENCE) {
      // A fence interrupted by a restart: its abort was not recorded yet.
      await host.write(host.transitionTo(cur, TxnState.PREPARE_ABORT));
      cur = host.get(transactionalId);
    }
    if (cur === undefined || !isPrepare(cur.state)) return;
    const parts = host.parts();
    if (parts === null) throw new Error("transactions are not wired");
    const commit = cur.state === TxnState.PREPARE_COMMIT;
    const { producerId, producerEpoch } = cur;
    if (cur.partitions.size > 0) {
      const results = await parts.markers.writeMarkers([...cur.partitions.values()], {
        producerId,
        producerEpoch,
        commit,
        // A single coordinator that never moves: its epoch never changes.
        coordinatorEpoch: 0,
      });
      const failed = [...results].filter(
        // A partition deleted meanwhile needs no marker (Kafka drops those too).
        ([, code]) => code !== ErrorCode.NONE && code !== ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
      );
      if (failed.length > 0) {
        throw new Error(`markers not written: ${failed.map(([k, c]) => `${k}=${c}`).join(", ")}`);
      }
    }
    if (cur.groups.size > 0) {
      await parts.offsets.completeTransaction(producerId, producerEpoch, commit);
    }
    // Transactions v2 at the last epoch: the producer goes on under its new id.
    const moved =
      cur.nextProducerId >= 0n
        ? {
            producerId: cur.nextProducerId,
            previousProducerId: cur.producerId,
            nextProducerId: -1n,
            producerEpoch: 0,
          }
        : {};
    await host.write(
      host.transitionTo(cur, commit ? TxnState.COMPLETE_COMMIT : TxnState.COMPLETE_ABORT, {
        partitions: new Map(),
        groups: new Set(),
        ...moved,
      }),
    );
  }
}
