/**
 * A rate measured as Kafka's quota sensors measure it: values are summed into
 * `samples` windows of `windowMs` each; windows older than samples x windowMs are
 * dropped, and the rate is the sum over what is kept divided by the time it covers,
 * counted as at least samples - 1 full windows (so a first burst is not divided by a
 * few milliseconds).
 */
export interface RateConfig {
  /** quota.window.num (Kafka's default 11). */
  readonly samples: number;
  /** quota.window.size.seconds x 1000 (Kafka's default 1 s). */
  readonly windowMs: number;
}

interface Sample {
  start: number;
  value: number;
}

export class SampledRate {
  private readonly kept: Sample[] = [];

  constructor(private readonly config: RateConfig) {}

  record(value: number, now: number): void {
    this.purge(now);
    const last = this.kept[this.kept.length - 1];
    if (last !== undefined && now < last.start + this.config.windowMs) last.value += value;
    else this.kept.push({ start: now, value });
  }

  /** Per second. */
  rate(now: number): number {
    this.purge(now);
    let total = 0;
    for (const s of this.kept) total += s.value;
    return (total * 1000) / this.windowSizeMs(now);
  }

  /** The time the kept windows cover, at least samples - 1 windows (never 0). */
  windowSizeMs(now: number): number {
    this.purge(now);
    const { samples, windowMs } = this.config;
    const oldest = this.kept[0]?.start ?? now;
    let elapsed = now - oldest;
    const full = Math.floor(elapsed / windowMs);
    if (full < samples - 1) elapsed += (samples - 1 - full) * windowMs;
    return Math.max(elapsed, 1);
  }

  /** Whether nothing was recorded within the last samples x windowMs. */
  idle(now: number): boolean {
    this.purge(now);
    return this.kept.length === 0;
  }

  private purge(now: number): void {
    const horizon = now - this.config.samples * this.config.windowMs;
    while (this.kept.length > 0 && (this.kept[0] as Sample).start + this.config.windowMs <= horizon)
      this.kept.shift();
  }
}

/**
 * How long a client over its quota waits, as Kafka computes it: the time it would
 * take, at the quota, to bring the measured rate back down to the quota,
 * (rate - quota) / quota x window; 0 when within the quota. Not capped, as in Kafka.
 */
export function throttleTimeMs(rate: number, quota: number, windowMs: number): number {
  if (rate <= quota) return 0;
  return Math.round(((rate - quota) / quota) * windowMs);
}
