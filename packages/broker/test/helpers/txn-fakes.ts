import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import {
  type Clock,
  openStorageEngine,
  type StorageEngine,
  silentLogger,
  type TimerHandle,
} from "@logbook/storage";
import { DEFAULT_BROKER_CONFIG } from "../../src/config.js";
import {
  type TopicPartitionRef,
  TransactionCoordinator,
  type TxnCoordinatorOptions,
  type TxnMarker,
  type TxnMarkerWriter,
  type TxnOffsetsCompleter,
  tpKey,
} from "../../src/txn/index.js";

/** Records every marker request; `failWith` makes the next writes answer that code. */
export class FakeMarkerWriter implements TxnMarkerWriter {
  readonly calls: { partitions: string[]; marker: TxnMarker }[] = [];
  failWith = 0;
  async writeMarkers(partitions: readonly TopicPartitionRef[], marker: TxnMarker) {
    this.calls.push({ partitions: partitions.map(tpKey).sort(), marker });
    return new Map(partitions.map((tp) => [tpKey(tp), this.failWith]));
  }
}

export class FakeOffsetsCompleter implements TxnOffsetsCompleter {
  readonly calls: { producerId: bigint; producerEpoch: number; commit: boolean }[] = [];
  async completeTransaction(producerId: bigint, producerEpoch: number, commit: boolean) {
    this.calls.push({ producerId, producerEpoch, commit });
  }
}

/**
 * Time a test sets by hand (`now`); timers are real and kept referenced, so a test
 * awaiting a marker retry is not ended by an empty event loop.
 */
export class HandClock {
  now = 1_000_000;
  private readonly live = new Map<number, NodeJS.Timeout>();
  private next = 1;

  private schedule(fn: () => void, ms: number): TimerHandle {
    const id = this.next++;
    this.live.set(
      id,
      setTimeout(() => {
        this.live.delete(id);
        fn();
      }, ms),
    );
    return { id };
  }

  private cancel(handle: TimerHandle): void {
    clearTimeout(this.live.get(handle.id));
    this.live.delete(handle.id);
  }

  /** The Clock seam over this hand-set time. */
  readonly clock: Clock = {
    now: () => this.now,
    setTimeout: (fn, ms) => this.schedule(fn, ms),
    clearTimeout: (h) => this.cancel(h),
  };
}

/** A coordinator over a temporary data dir, a fake clock, fake writers; reopenable. */
export interface TxnRig {
  txn: TransactionCoordinator;
  markers: FakeMarkerWriter;
  offsets: FakeOffsetsCompleter;
  clock: HandClock;
  /** The storage under the coordinator (tests append raw records to replay). */
  readonly storage: StorageEngine;
  /** Closes the coordinator and storage, then opens both again on the same dir. */
  reopen(): Promise<void>;
  close(): Promise<void>;
}

export async function txnRig(
  maxTimeoutMs = 60_000,
  options: Partial<TxnCoordinatorOptions> = {},
): Promise<TxnRig> {
  const dir = await mkdtemp(join(tmpdir(), "logbook-txn-"));
  const clock = new HandClock();
  let nextId = 1000n;
  const open = async (): Promise<{ storage: StorageEngine; txn: TransactionCoordinator }> => {
    const storage = await openStorageEngine(pathToFileURL(dir).href, { logger: silentLogger });
    const txn = new TransactionCoordinator({
      storage,
      logger: silentLogger,
      maxTimeoutMs,
      allocateProducerId: async () => nextId++,
      clock: clock.clock,
      abortCheckIntervalMs: 0,
      expiryCheckIntervalMs: 0,
      markerRetryMs: 5,
      expirationMs: DEFAULT_BROKER_CONFIG.transactionalIdExpirationMs,
      ...options,
    });
    await txn.load();
    return { storage, txn };
  };
  let current = await open();
  const rig: TxnRig = {
    get txn() {
      return current.txn;
    },
    get storage() {
      return current.storage;
    },
    markers: new FakeMarkerWriter(),
    offsets: new FakeOffsetsCompleter(),
    clock,
    async reopen() {
      await current.txn.close();
      await current.storage.close();
      current = await open();
      // Attaching starts the completion of transactions decided before the restart.
      current.txn.attach({ markers: rig.markers, offsets: rig.offsets });
    },
    async close() {
      await current.txn.close();
      await current.storage.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
  current.txn.attach({ markers: rig.markers, offsets: rig.offsets });
  return rig;
}
