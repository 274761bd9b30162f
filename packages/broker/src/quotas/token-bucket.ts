/**
 * A rate measured as Kafka measures controller mutations (KIP-599): a bucket of credits
 * that refills at `quota` per second up to a burst of quota x samples x window, and that
 * a recorded value empties (possibly below zero). The quota is exhausted while the
 * credits are below zero; a client waits until they are back at zero.
 */
export interface BucketConfig {
  /** controller.quota.window.num (Kafka's default 11). */
  readonly samples: number;
  /** controller.quota.window.size.seconds x 1000 (Kafka's default 1 s). */
  readonly windowMs: number;
}

export class TokenBucket {
  /** Starts full: the first refill, from time 0, tops it up. */
  private credits = 0;
  private lastUpdateMs = 0;

  constructor(private readonly config: BucketConfig) {}

  /** The credits left at `now` with `quota` per second. */
  credit(quota: number, now: number): number {
    this.refill(quota, now);
    return this.credits;
  }

  record(quota: number, value: number, now: number): void {
    this.refill(quota, now);
    this.credits = Math.min(this.burst(quota), this.credits - value);
  }

  /** Whether the bucket is full at `now`: the same as a new one. */
  isFull(quota: number, now: number): boolean {
    return this.credit(quota, now) >= this.burst(quota);
  }

  private refill(quota: number, now: number): void {
    const elapsedS = (now - this.lastUpdateMs) / 1000;
    this.credits = Math.min(this.burst(quota), this.credits + quota * elapsedS);
    this.lastUpdateMs = now;
  }

  private burst(quota: number): number {
    return (this.config.samples * this.config.windowMs * quota) / 1000;
  }
}

/** The time to bring negative credits back to zero at `quota` per second, as Kafka rounds it. */
export function refillMs(credits: number, quota: number): number {
  return credits >= 0 ? 0 : Math.round((-credits / quota) * 1000);
}
