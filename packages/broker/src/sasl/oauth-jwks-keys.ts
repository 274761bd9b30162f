/**
 * The keys of a JWKS, kept as Kafka's RefreshingHttpsJwks keeps them: read again once
 * sasl.oauthbearer.jwks.endpoint.refresh.ms has passed, and at once when a token names
 * a key id (kid) the set does not hold, so a key the issuer rotated in is picked up.
 * That early read is rate-limited as in Kafka: once a minute per unknown kid, at most
 * 16 kids remembered, none longer than 1000 characters. A read that fails keeps the
 * keys read before (as Kafka does) and is tried again after at most 10 s (Kafka's
 * sasl.oauthbearer.jwks.endpoint.retry.backoff.max.ms default); with no keys yet, the
 * token is refused with the reason.
 *
 * Kafka reads early in the background and refuses the token that asked; here the token
 * waits for the read, so the first token signed with a new key is already accepted.
 */
import {
  createLocalJWKSet,
  errors,
  type FlattenedJWSInput,
  type JWSHeaderParameters,
  type JWTVerifyGetKey,
} from "jose";
import type { JwksLoader } from "./oauth-jwks-source.js";

export const MISSING_KID_INTERVAL_MS = 60_000;
const MISSING_KID_MAX_ENTRIES = 16;
const MISSING_KID_MAX_LENGTH = 1000;
const RETRY_AFTER_FAILURE_MS = 10_000;

type KeyOf = ReturnType<typeof createLocalJWKSet>;

export class RefreshingJwks {
  private keys: { of: KeyOf; nextReadAtMs: number } | undefined;
  private reading: Promise<KeyOf> | undefined;
  /** Unknown kid -> when it last caused a read. */
  private readonly missingKids = new Map<string, number>();

  constructor(
    private readonly load: JwksLoader,
    private readonly refreshMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** jose's key lookup for jwtVerify. */
  readonly getKey: JWTVerifyGetKey = async (header, token) => {
    const keys =
      this.keys !== undefined && this.now() < this.keys.nextReadAtMs
        ? this.keys.of
        : await this.read();
    try {
      return await keys(header, token);
    } catch (e) {
      if (!(e instanceof errors.JWKSNoMatchingKey) || !this.mayReadFor(header.kid)) throw e;
      return (await this.read())(header, token as FlattenedJWSInput);
    }
  };

  /** Whether a token with this unknown kid may cause an early read now (and notes it). */
  private mayReadFor(kid: JWSHeaderParameters["kid"]): boolean {
    if (kid === undefined || kid.length > MISSING_KID_MAX_LENGTH) return false;
    const now = this.now();
    const last = this.missingKids.get(kid);
    if (last !== undefined && now - last < MISSING_KID_INTERVAL_MS) return false;
    this.missingKids.delete(kid);
    this.missingKids.set(kid, now);
    // Forget the kid noted longest ago (a Map iterates in insertion order).
    if (this.missingKids.size > MISSING_KID_MAX_ENTRIES)
      this.missingKids.delete(this.missingKids.keys().next().value as string);
    return true;
  }

  /** Reads the set (one read at a time); a failed read keeps the keys read before. */
  private read(): Promise<KeyOf> {
    this.reading ??= this.load()
      .then((set) => {
        const of = createLocalJWKSet(set);
        this.keys = { of, nextReadAtMs: this.now() + this.refreshMs };
        return of;
      })
      .catch((e: unknown) => {
        if (this.keys === undefined) throw e;
        const retryMs = Math.min(RETRY_AFTER_FAILURE_MS, this.refreshMs);
        this.keys.nextReadAtMs = this.now() + retryMs;
        return this.keys.of;
      })
      .finally(() => {
        this.reading = undefined;
      });
    return this.reading;
  }
}
