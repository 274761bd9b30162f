import { setImmediate } from "node:timers/promises";
import { monotonicMs } from "../env/monotonic-ms.js";

/**
 * Returns a tick to call once per unit of work; every `n`th call (and whenever
 * `maxBusyMs` have passed since the last yield) it waits for setImmediate, so other
 * callbacks and I/O run between slices of a long cleaning pass and a large segment
 * never holds the event loop for long. Throws the signal's reason once it is aborted.
 */
export function yieldEvery(
  n: number,
  options: { maxBusyMs?: number; signal?: AbortSignal } = {},
): () => Promise<void> {
  if (!Number.isSafeInteger(n) || n < 1) throw new RangeError(`yieldEvery needs n >= 1, got ${n}`);
  const maxBusyMs = options.maxBusyMs ?? 10;
  const signal = options.signal;
  let calls = 0;
  let sliceStart = monotonicMs();
  return async () => {
    signal?.throwIfAborted();
    calls++;
    if (calls < n && monotonicMs() - sliceStart < maxBusyMs) return;
    calls = 0;
    await setImmediate();
    sliceStart = monotonicMs();
    signal?.throwIfAborted();
  };
}
