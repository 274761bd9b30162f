/** Opaque handle of a scheduled callback. */
export interface TimerHandle {
  readonly id: number;
}

/**
 * Time and timers, injected so tests drive session and rebalance timeouts with a fake
 * clock instead of waiting.
 */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/** Wall-clock time and real timers; timers are unref'd so they never hold the process. */
export function realClock(): Clock {
  const live = new Map<number, NodeJS.Timeout>();
  let next = 1;
  return {
    now: () => Date.now(),
    setTimeout(fn, ms) {
      const id = next++;
      const t = setTimeout(() => {
        live.delete(id);
        fn();
      }, ms);
      t.unref();
      live.set(id, t);
      return { id };
    },
    clearTimeout(handle) {
      const t = live.get(handle.id);
      if (t !== undefined) clearTimeout(t);
      live.delete(handle.id);
    },
  };
}

/**
 * Calls `fn` every `ms` on `clock` (each run scheduled when the previous one fires, so
 * a slow `fn` never stacks up runs); returns the function that stops it.
 */
export function repeatEvery(clock: Clock, ms: number, fn: () => void): () => void {
  let handle: TimerHandle | null = null;
  const schedule = (): void => {
    handle = clock.setTimeout(() => {
      schedule();
      fn();
    }, ms);
  };
  schedule();
  return () => {
    if (handle !== null) clock.clearTimeout(handle);
    handle = null;
  };
}
