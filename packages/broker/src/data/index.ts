import type { Broker } from "../broker.js";

/** Produce/fetch state owned by the broker: producer (idempotence) state, fetch sessions. */
export interface DataPlane {
  close(): Promise<void>;
}

export function createDataPlane(_broker: Broker): DataPlane {
  return { close: async () => {} };
}
