import type { Clock, PartitionLog } from "@logbook/storage";

/**
 * Watches logs for appends on behalf of one long-polling fetch. Subscribes before the
 * first read, so an append landing between a read and the wait is not missed.
 * `close()` must be called (the fetch handler does so in `finally`).
 */
export class AppendWatch {
  private appended = false;
  private wake: (() => void) | null = null;
  private readonly unsubscribe: (() => void)[] = [];

  constructor(
    logs: readonly PartitionLog[],
    private readonly signal: AbortSignal,
    private readonly clock: Clock,
  ) {
    for (const log of new Set(logs)) this.unsubscribe.push(log.onAppend(this.notify));
    signal.addEventListener("abort", this.notify);
  }

  /**
   * Resolves once an append was seen since the previous call, `ms` pass, or the
   * signal aborts; at once when one of those already happened.
   */
  next(ms: number): Promise<void> {
    if (this.appended || ms <= 0 || this.signal.aborted) {
      this.appended = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = this.clock.setTimeout(() => this.wake?.(), ms);
      this.wake = () => {
        this.clock.clearTimeout(timer);
        this.wake = null;
        this.appended = false;
        resolve();
      };
    });
  }

  close(): void {
    for (const u of this.unsubscribe.splice(0)) u();
    this.signal.removeEventListener("abort", this.notify);
    this.wake?.();
  }

  private readonly notify = (): void => {
    this.appended = true;
    this.wake?.();
  };
}
