/**
 * Connection limits as Kafka's ConnectionQuotas applies them when it accepts a socket
 * (KIP-402, KIP-612), one decision per new connection:
 * 1. max.connection.creation.rate, broker-wide and per listener: the new connection is
 *    recorded and, over the rate, accepting waits (at most one quota window);
 * 2. max.connections, broker-wide and per listener: accepting waits for a slot (a
 *    connection closing frees one);
 * 3. connection_creation_rate of the client's ip entity (or the ip default): over it,
 *    the connection is not counted and is closed once the throttle time has passed;
 * 4. max.connections.per.ip (and its overrides): a connection past it is closed at once.
 * The inter-broker listener is exempt from the broker-wide rate and count when there
 * are several listeners (not from its own listener's). Rates are Kafka's sampled rates
 * over quota.window.num windows of quota.window.size.seconds.
 */
import type { RateConfig } from "../quotas/sampled-rate.js";
import { SampledRate, throttleTimeMs } from "../quotas/sampled-rate.js";

/** Kafka's "no limit" for every connection setting. */
export const UNLIMITED = 2147483647;

export interface ListenerLimit {
  readonly maxConnections: number;
  readonly maxCreationRate: number;
}

export interface ConnectionLimitConfig {
  readonly maxConnections: number;
  readonly maxCreationRate: number;
  readonly maxPerIp: number;
  /** Address -> its own max.connections.per.ip. */
  readonly perIpOverrides: ReadonlyMap<string, number>;
  /** By listener name (upper case); every listener has one. */
  readonly listeners: ReadonlyMap<string, ListenerLimit>;
  readonly interBrokerListener: string;
  readonly rate: RateConfig;
}

export type Admission =
  | { readonly kind: "accept"; readonly counted: boolean }
  | { readonly kind: "refuse"; readonly max: number }
  | { readonly kind: "throttle"; readonly ms: number };

/** Idle ip rates are swept once there are this many. */
const SWEEP_AT = 1024;

/** The address as Kafka's InetAddress compares it: an IPv4-mapped IPv6 address is IPv4. */
export function normalAddress(address: string): string {
  const v4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return (v4?.[1] ?? address).toLowerCase();
}

export class ConnectionQuotas {
  /** Whether any static limit is set: without one, nothing is counted. */
  readonly limited: boolean;
  private readonly byIp = new Map<string, number>();
  private readonly byListener = new Map<string, number>();
  private total = 0;
  private readonly brokerRate: SampledRate;
  private readonly listenerRates = new Map<string, SampledRate>();
  private readonly ipRates = new Map<string, SampledRate>();
  /** Called when a connection closes: a listener waiting for a slot may go on. */
  private readonly waiters = new Set<() => void>();

  constructor(
    private readonly config: ConnectionLimitConfig,
    /** The connection_creation_rate of an address (its own, else the ip default). */
    private readonly ipRateOf: (address: string) => number | undefined,
    private readonly now: () => number = Date.now,
  ) {
    this.brokerRate = new SampledRate(config.rate);
    for (const name of config.listeners.keys()) {
      this.listenerRates.set(name, new SampledRate(config.rate));
      this.byListener.set(name, 0);
    }
    const listenerLimited = [...config.listeners.values()].some(
      (l) => l.maxConnections < UNLIMITED || l.maxCreationRate < UNLIMITED,
    );
    this.limited =
      listenerLimited ||
      config.maxConnections < UNLIMITED ||
      config.maxCreationRate < UNLIMITED ||
      config.maxPerIp < UNLIMITED ||
      config.perIpOverrides.size > 0;
  }

  /**
   * Step 1: records the connection against the broker and listener creation rates;
   * returns how long accepting waits (0: not at all).
   */
  recordCreation(listener: string): number {
    if (!this.limited) return 0;
    const now = this.now();
    const broker = this.isProtected(listener)
      ? 0
      : this.recordRate(this.brokerRate, this.config.maxCreationRate, now);
    const limit = this.config.listeners.get(listener);
    const rate = this.listenerRates.get(listener);
    if (limit === undefined || rate === undefined) return broker;
    return Math.max(broker, this.recordRate(rate, limit.maxCreationRate, now));
  }

  /** Step 2: whether the listener (and the broker) has room for one more connection. */
  slotAvailable(listener: string): boolean {
    if (!this.limited) return true;
    const max = this.config.listeners.get(listener)?.maxConnections ?? UNLIMITED;
    if ((this.byListener.get(listener) ?? 0) >= max) return false;
    return this.isProtected(listener) || this.total < this.config.maxConnections;
  }

  /** Steps 3 and 4, once accepting went on: counts the connection unless it is refused. */
  admit(listener: string, rawAddress: string): Admission {
    const address = normalAddress(rawAddress);
    const quota = this.ipRateOf(address);
    if (quota !== undefined) {
      const rate = this.ipRate(address);
      const now = this.now();
      const ms = this.recordRate(rate, quota, now);
      if (ms > 0) {
        // Not accepted: not counted in any rate either.
        rate.record(-1, now);
        if (this.limited) this.unrecordCreation(listener, now);
        return { kind: "throttle", ms };
      }
    }
    if (!this.limited) return { kind: "accept", counted: false };
    const before = this.byIp.get(address) ?? 0;
    const max = this.config.perIpOverrides.get(address) ?? this.config.maxPerIp;
    if (before >= max) return { kind: "refuse", max };
    this.byIp.set(address, before + 1);
    this.byListener.set(listener, (this.byListener.get(listener) ?? 0) + 1);
    this.total++;
    return { kind: "accept", counted: true };
  }

  /** A counted connection closed: its slot is free again. */
  closed(listener: string, rawAddress: string): void {
    const address = normalAddress(rawAddress);
    const n = this.byIp.get(address) ?? 0;
    if (n <= 1) this.byIp.delete(address);
    else this.byIp.set(address, n - 1);
    this.byListener.set(listener, Math.max(0, (this.byListener.get(listener) ?? 0) - 1));
    this.total = Math.max(0, this.total - 1);
    for (const wake of [...this.waiters]) wake();
  }

  /** `wake` is called whenever a connection closes, until it is removed. */
  onSlotFreed(wake: () => void): () => void {
    this.waiters.add(wake);
    return () => this.waiters.delete(wake);
  }

  /** Counted connections (tests, logs). */
  get count(): number {
    return this.total;
  }

  /** Takes back what recordCreation recorded for one connection. */
  private unrecordCreation(listener: string, now: number): void {
    if (!this.isProtected(listener) && this.config.maxCreationRate < UNLIMITED)
      this.brokerRate.record(-1, now);
    const limit = this.config.listeners.get(listener);
    if (limit !== undefined && limit.maxCreationRate < UNLIMITED)
      this.listenerRates.get(listener)?.record(-1, now);
  }

  private isProtected(listener: string): boolean {
    return listener === this.config.interBrokerListener && this.config.listeners.size > 1;
  }

  /** Records one connection; the wait over `quota`, capped at one window as Kafka caps it. */
  private recordRate(rate: SampledRate, quota: number, now: number): number {
    if (quota >= UNLIMITED) return 0;
    rate.record(1, now);
    const ms = throttleTimeMs(rate.rate(now), quota, rate.windowSizeMs(now));
    return Math.min(ms, this.config.rate.windowMs);
  }

  private ipRate(address: string): SampledRate {
    let r = this.ipRates.get(address);
    if (r === undefined) {
      if (this.ipRates.size >= SWEEP_AT) {
        const now = this.now();
        for (const [a, s] of this.ipRates) if (s.idle(now)) this.ipRates.delete(a);
      }
      r = new SampledRate(this.config.rate);
      this.ipRates.set(address, r);
    }
    return r;
  }
}
