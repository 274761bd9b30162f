/**
 * Measures clients against their quotas, as Kafka's ClientQuotaManager: each quota
 * (producer bytes, consumer bytes, request handler time) has one sampled rate per
 * quota entity, with `<default>` names replaced by the client's own (a default quota
 * limits each user or client id on its own). After a request is recorded, a rate
 * above the quota yields the time the client must wait; the dispatcher puts it in
 * the response and the connection stops reading for that long (KIP-219).
 *
 * request_percentage is approximated with the time a handler took (Kafka measures
 * request-handler thread time; Logbook has one event loop, so it is wall time).
 */
import { entityId, type QuotaEntity } from "./quota-entity.js";
import { CONSUMER_BYTE_RATE, PRODUCER_BYTE_RATE, REQUEST_PERCENTAGE } from "./quota-keys.js";
import { quotaFor } from "./quota-precedence.js";
import { type RateConfig, SampledRate, throttleTimeMs } from "./sampled-rate.js";

export type QuotaKind =
  | typeof PRODUCER_BYTE_RATE
  | typeof CONSUMER_BYTE_RATE
  | typeof REQUEST_PERCENTAGE;

export { CONSUMER_BYTE_RATE, PRODUCER_BYTE_RATE, REQUEST_PERCENTAGE };

/** Sensors are swept for idle ones once there are this many. */
const SWEEP_AT = 1024;

export class ClientQuotaManager {
  private readonly sensors = new Map<string, SampledRate>();

  constructor(
    private readonly valuesOf: (entity: QuotaEntity) => ReadonlyMap<string, number> | undefined,
    private readonly config: RateConfig,
    private readonly now: () => number = Date.now,
    /** Whether any quota is configured: without one, nothing is measured (the hot path). */
    private readonly anyQuota: () => boolean = () => true,
  ) {}

  /** Records `value` (bytes, or percent-seconds of handler time); returns the wait in ms. */
  record(kind: QuotaKind, user: string, clientId: string, value: number): number {
    if (!this.anyQuota()) return 0;
    const quota = quotaFor(user, clientId, kind, this.valuesOf);
    if (quota === undefined) return 0;
    const now = this.now();
    const sensor = this.sensor(`${kind} ${entityId(ownNames(quota.entity, user, clientId))}`);
    sensor.record(value, now);
    return throttleTimeMs(sensor.rate(now), quota.value, sensor.windowSizeMs(now));
  }

  private sensor(id: string): SampledRate {
    let s = this.sensors.get(id);
    if (s === undefined) {
      if (this.sensors.size >= SWEEP_AT) this.sweep();
      s = new SampledRate(this.config);
      this.sensors.set(id, s);
    }
    return s;
  }

  private sweep(): void {
    const now = this.now();
    for (const [id, s] of this.sensors) if (s.idle(now)) this.sensors.delete(id);
  }
}

/** The entity with default names replaced by the client's: one sensor per client. */
export function ownNames(entity: QuotaEntity, user: string, clientId: string): QuotaEntity {
  return entity.map((c) => ({
    entityType: c.entityType,
    entityName: c.entityName ?? (c.entityType === "user" ? user : clientId),
  }));
}

/** Request handler time as Kafka's request quota counts it: percent of one second. */
export function handlerPercent(ms: number): number {
  return ms / 10;
}
