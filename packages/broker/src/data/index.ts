import type { Logger, PartitionLog, StorageEngine } from "@logbook/storage";
import { FetchSessionCache } from "./fetch-sessions.js";
import { ProducerIdAllocator } from "./producer-ids.js";
import type { PartitionProducerState } from "./producer-state.js";
import { rebuildProducerState } from "./producer-state-rebuild.js";

/** Produce/fetch state owned by the broker: producer (idempotence) state, fetch sessions. */
export interface DataPlane {
  readonly fetchSessions: FetchSessionCache;
  /** Aborted by close(), so waiting fetches answer at once. */
  readonly closing: AbortSignal;
  /** The partition's producer state, rebuilt from its log on first use. */
  producerState(log: PartitionLog): Promise<PartitionProducerState>;
  /** The durable producer-id allocator, opened on first use. */
  producerIds(): Promise<ProducerIdAllocator>;
  close(): Promise<void>;
}

/** What the data plane needs from the broker (a real Broker satisfies it). */
export interface DataPlaneHost {
  readonly storage: StorageEngine;
  readonly logger: Logger;
}

export function createDataPlane(broker: DataPlaneHost, maxFetchSessions = 1000): DataPlane {
  // Keyed by the log object: a deleted and re-created topic gets a fresh state.
  const states = new WeakMap<PartitionLog, Promise<PartitionProducerState>>();
  const abort = new AbortController();
  let allocator: Promise<ProducerIdAllocator> | null = null;
  const fetchSessions = new FetchSessionCache(maxFetchSessions);

  return {
    fetchSessions,
    closing: abort.signal,
    producerState(log) {
      let state = states.get(log);
      if (state === undefined) {
        state = rebuildProducerState(log);
        states.set(log, state);
        state.catch((err: unknown) => {
          states.delete(log);
          broker.logger.warn("rebuilding producer state failed", {
            topic: log.topic,
            partition: log.partition,
            error: String(err),
          });
        });
      }
      return state;
    },
    producerIds() {
      if (allocator === null) {
        const opening = ProducerIdAllocator.open(broker.storage);
        allocator = opening;
        opening.catch(() => {
          if (allocator === opening) allocator = null;
        });
      }
      return allocator;
    },
    async close() {
      abort.abort();
      fetchSessions.clear();
    },
  };
}
