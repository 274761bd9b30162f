/**
 * Signed JWTs (RS256, ES256, …) checked as Kafka's OAuthBearerValidatorCallbackHandler
 * (its BrokerJwtValidator) checks them: the signature against the keys published at
 * sasl.oauthbearer.jwks.endpoint.url (kept by oauth-jwks-keys.ts), "none" refused, exp
 * and iat required and compared with the clock within sasl.oauthbearer.clock.skew.seconds,
 * the audience and issuer when expected, and the principal from
 * sasl.oauthbearer.sub.claim.name.
 */
import { jwtVerify } from "jose";
import type { OAuthConfig } from "../config/oauth-settings.js";
import { RefreshingJwks } from "./oauth-jwks-keys.js";
import { type JwksTls, jwksLoader } from "./oauth-jwks-source.js";
import {
  principalOf,
  scopeOf,
  TokenRefusedError,
  type TokenValidator,
  type ValidatedToken,
} from "./oauth-token.js";

export class SignedJwtValidator implements TokenValidator {
  private readonly jwks: RefreshingJwks;

  /** `config` is the listener's (its overrides applied); `tls` is used for an https: JWKS. */
  constructor(
    private readonly config: OAuthConfig,
    tls: JwksTls,
    private readonly now: () => number = Date.now,
  ) {
    const loader = jwksLoader(new URL(config.jwksEndpointUrl), tls);
    this.jwks = new RefreshingJwks(loader, config.jwksEndpointRefreshMs, now);
  }

  async validate(token: string): Promise<ValidatedToken> {
    const c = this.config;
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, this.jwks.getKey, {
        requiredClaims: ["exp", "iat"],
        clockTolerance: c.clockSkewSeconds,
        currentDate: new Date(this.now()),
        ...(c.expectedIssuer === "" ? {} : { issuer: c.expectedIssuer }),
        ...(c.expectedAudience.length === 0 ? {} : { audience: c.expectedAudience }),
      }));
    } catch (e) {
      throw new TokenRefusedError(e instanceof Error ? e.message : String(e));
    }
    const principal = principalOf(payload[c.subClaimName], c.subClaimName);
    const scope = scopeOf(payload[c.scopeClaimName], c.scopeClaimName);
    // jwtVerify required exp, a number.
    return { principal, expiresAtMs: (payload.exp as number) * 1000, scope };
  }
}
