/**
 * controller_mutation_rate (KIP-599): partitions created (CreateTopics,
 * CreatePartitions) and deleted (DeleteTopics) per second, per quota entity with the
 * precedence of the other client quotas, measured with a token bucket as Kafka's
 * controller does. Each request gets its own MutationQuota:
 * - strict (the request versions that know THROTTLING_QUOTA_EXCEEDED): the bucket is
 *   checked before each topic's mutation and recorded after it, so a topic is refused
 *   only once the credits are already below zero; the topic that empties the bucket is
 *   accepted, the ones after it refused, and the response is throttled only when a
 *   topic was refused;
 * - permissive (older versions): every mutation is accepted and recorded, and the
 *   response is throttled when the credits fall below zero.
 * The throttle time is how long the credits take to come back to zero, less the time
 * the request took since.
 */
import type { ClientSession } from "../server/client-session.js";
import { entityId, type QuotaEntity } from "./quota-entity.js";
import { CONTROLLER_MUTATION_RATE } from "./quota-keys.js";
import { ownNames } from "./quota-manager.js";
import { quotaFor } from "./quota-precedence.js";
import { muteFor } from "./request-throttle.js";
import { type BucketConfig, refillMs, TokenBucket } from "./token-bucket.js";

export interface MutationQuota {
  /** False when no quota applies: a handler need not check a mutation before doing it. */
  readonly limited: boolean;
  /** Records `partitions` mutations; false when refused (strict quota already exhausted). */
  record(partitions: number): boolean;
  /** The time the response asks the client to wait. */
  throttleTimeMs(): number;
}

/** No quota applies: nothing is measured. */
const UNBOUNDED: MutationQuota = { limited: false, record: () => true, throttleTimeMs: () => 0 };

/** Buckets are swept for full ones once there are this many. */
const SWEEP_AT = 1024;

interface Kept {
  readonly bucket: TokenBucket;
  quota: number;
}

export class ControllerMutationQuotas {
  private readonly buckets = new Map<string, Kept>();

  constructor(
    private readonly valuesOf: (entity: QuotaEntity) => ReadonlyMap<string, number> | undefined,
    private readonly config: BucketConfig,
    private readonly now: () => number = Date.now,
    /** Whether any quota is configured: without one, nothing is looked up. */
    private readonly anyQuota: () => boolean = () => true,
  ) {}

  /** The quota one request draws on; `strict` for versions that know THROTTLING_QUOTA_EXCEEDED. */
  forRequest(user: string, clientId: string, strict: boolean): MutationQuota {
    if (!this.anyQuota()) return UNBOUNDED;
    const applied = quotaFor(user, clientId, CONTROLLER_MUTATION_RATE, this.valuesOf);
    if (applied === undefined) return UNBOUNDED;
    const kept = this.bucket(entityId(ownNames(applied.entity, user, clientId)));
    // A changed quota applies to the credits already there, as Kafka's metric config does.
    kept.quota = applied.value;
    return new BucketQuota(kept.bucket, applied.value, strict, this.now);
  }

  private bucket(id: string): Kept {
    let kept = this.buckets.get(id);
    if (kept === undefined) {
      if (this.buckets.size >= SWEEP_AT) this.sweep();
      kept = { bucket: new TokenBucket(this.config), quota: 0 };
      this.buckets.set(id, kept);
    }
    return kept;
  }

  /** A full bucket is the same as a new one. */
  private sweep(): void {
    const now = this.now();
    for (const [id, k] of this.buckets) if (k.bucket.isFull(k.quota, now)) this.buckets.delete(id);
  }
}

class BucketQuota implements MutationQuota {
  readonly limited = true;
  private lastThrottleMs = 0;
  private lastRecordedMs = 0;

  constructor(
    private readonly bucket: TokenBucket,
    private readonly quota: number,
    private readonly strict: boolean,
    private readonly now: () => number,
  ) {}

  record(partitions: number): boolean {
    const now = this.now();
    if (this.strict) {
      const before = this.bucket.credit(this.quota, now);
      if (before < 0) {
        this.throttled(before, now);
        return false;
      }
      this.bucket.record(this.quota, partitions, now);
      return true;
    }
    this.bucket.record(this.quota, partitions, now);
    const after = this.bucket.credit(this.quota, now);
    if (after < 0) this.throttled(after, now);
    return true;
  }

  throttleTimeMs(): number {
    return Math.max(0, this.lastThrottleMs - (this.now() - this.lastRecordedMs));
  }

  private throttled(credits: number, now: number): void {
    this.lastThrottleMs = refillMs(credits, this.quota);
    this.lastRecordedMs = now;
  }
}

/** What a handler of a mutating API needs to draw on the quota of its request. */
export interface MutationRequest {
  readonly version: number;
  readonly header: { readonly clientId: string | null };
  readonly session: { readonly principal: { readonly name: string } };
  readonly broker: { readonly quotas: { readonly mutations: ControllerMutationQuotas } };
}

/** The request's quota: strict from `strictSince` (the version that added THROTTLING_QUOTA_EXCEEDED). */
export function requestMutationQuota(ctx: MutationRequest, strictSince: number): MutationQuota {
  return ctx.broker.quotas.mutations.forRequest(
    ctx.session.principal.name,
    ctx.header.clientId ?? "",
    ctx.version >= strictSince,
  );
}

/**
 * The message of a topic refused by an exhausted strict quota: none, as Kafka 4.4
 * answers (the error's default text is left out).
 */
export const QUOTA_EXCEEDED_MESSAGE = null;

/** The throttle a request's response carries; the connection is muted for it, as Kafka does. */
export function mutationThrottle(quota: MutationQuota, session: ClientSession): number {
  const ms = quota.throttleTimeMs();
  muteFor(session, ms);
  return ms;
}
