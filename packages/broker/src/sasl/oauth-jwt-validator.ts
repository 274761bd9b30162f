/**
 * Signed JWTs (RS256, ES256, …) checked as Kafka's OAuthBearerValidatorCallbackHandler
 * (its BrokerJwtValidator) checks them: the signature against the keys published at
 * sasl.oauthbearer.jwks.endpoint.url, "none" refused, exp and iat required and compared
 * with the clock within sasl.oauthbearer.clock.skew.seconds, the audience and issuer
 * when expected, and the principal from sasl.oauthbearer.sub.claim.name.
 */
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  type JSONWebKeySet,
  type JWTVerifyGetKey,
  jwtVerify,
} from "jose";
import type { OAuthConfig } from "../config/oauth-settings.js";
import {
  principalOf,
  scopeOf,
  TokenRefusedError,
  type TokenValidator,
  type ValidatedToken,
} from "./oauth-token.js";

/** The keys of a file: URL, read again once refreshMs has passed. */
function fileKeys(path: string, refreshMs: number, now: () => number): JWTVerifyGetKey {
  let cached: { keys: JWTVerifyGetKey; readAtMs: number } | undefined;
  return async (header, token) => {
    if (cached === undefined || now() - cached.readAtMs >= refreshMs) {
      const set = JSON.parse(await readFile(path, "utf8")) as JSONWebKeySet;
      cached = { keys: createLocalJWKSet(set), readAtMs: now() };
    }
    return cached.keys(header, token);
  };
}

/** Why a JWKS URL cannot be used; undefined when it can. */
export function jwksUrlError(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `${url} is not a URL`;
  }
  if (!["file:", "http:", "https:"].includes(parsed.protocol))
    return `${url} is neither a file: nor an http(s): URL`;
  return undefined;
}

export class SignedJwtValidator implements TokenValidator {
  private readonly keys: JWTVerifyGetKey;

  constructor(
    private readonly config: OAuthConfig,
    private readonly now: () => number = Date.now,
  ) {
    const url = new URL(config.jwksEndpointUrl);
    this.keys =
      url.protocol === "file:"
        ? fileKeys(fileURLToPath(url), config.jwksEndpointRefreshMs, now)
        : createRemoteJWKSet(url, { cacheMaxAge: config.jwksEndpointRefreshMs });
  }

  async validate(token: string): Promise<ValidatedToken> {
    const c = this.config;
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, this.keys, {
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
