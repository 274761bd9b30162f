/**
 * Kafka's development form of OAUTHBEARER (OAuthBearerUnsecuredValidatorCallbackHandler):
 * an unsigned JWS (alg "none", empty signature) whose claims are checked but not
 * trusted. Its options are the listener's oauthbearer.sasl.jaas.config options
 * unsecuredValidator*: the principal and scope claim names, a required scope and the
 * clock skew allowed when exp and iat are compared with the broker's clock.
 */
import { JaasConfigError } from "./jaas-config.js";
import {
  principalOf,
  scopeOf,
  TokenRefusedError,
  type TokenValidator,
  type ValidatedToken,
} from "./oauth-token.js";

export interface UnsecuredValidatorOptions {
  readonly principalClaimName: string;
  readonly scopeClaimName: string;
  readonly requiredScope: readonly string[];
  readonly allowableClockSkewMs: number;
}

const OPTION = {
  principalClaimName: "unsecuredValidatorPrincipalClaimName",
  scopeClaimName: "unsecuredValidatorScopeClaimName",
  requiredScope: "unsecuredValidatorRequiredScope",
  allowableClockSkewMs: "unsecuredValidatorAllowableClockSkewMs",
} as const;

/** The validator's options from a JAAS config's options; throws JaasConfigError. */
export function unsecuredValidatorOptions(
  options: ReadonlyMap<string, string>,
): UnsecuredValidatorOptions {
  const nonEmpty = (key: string, fallback: string) => {
    const v = options.get(key)?.trim();
    return v === undefined || v === "" ? fallback : v;
  };
  const skew = nonEmpty(OPTION.allowableClockSkewMs, "0");
  if (!/^\d+$/.test(skew))
    throw new JaasConfigError(
      `Invalid value for ${OPTION.allowableClockSkewMs}: ${skew} (a non-negative integer)`,
    );
  return {
    principalClaimName: nonEmpty(OPTION.principalClaimName, "sub"),
    scopeClaimName: nonEmpty(OPTION.scopeClaimName, "scope"),
    requiredScope: (options.get(OPTION.requiredScope) ?? "").split(/\s+/).filter((s) => s !== ""),
    allowableClockSkewMs: Number(skew),
  };
}

function jsonPart(part: string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(part, "base64url").toString("utf8"));
  } catch {
    throw new TokenRefusedError(`The unsecured JWS ${what} is not base64url-encoded JSON`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new TokenRefusedError(`The unsecured JWS ${what} is not a JSON object`);
  return value as Record<string, unknown>;
}

/** A NumericDate claim (seconds, maybe fractional) in ms; undefined when absent. */
function timeClaim(claims: Record<string, unknown>, name: string): number | undefined {
  const v = claims[name];
  if (v === undefined) return undefined;
  if (typeof v !== "number" || !Number.isFinite(v))
    throw new TokenRefusedError(`The ${name} claim is not a number`);
  return Math.round(v * 1000);
}

export class UnsecuredJwsValidator implements TokenValidator {
  constructor(
    private readonly options: UnsecuredValidatorOptions,
    private readonly now: () => number = Date.now,
  ) {}

  async validate(token: string): Promise<ValidatedToken> {
    const parts = token.split(".");
    if (parts.length !== 3)
      throw new TokenRefusedError("An unsecured JWS has three dot-separated parts");
    const [headerPart, claimsPart, signature] = parts as [string, string, string];
    if (signature !== "") throw new TokenRefusedError("An unsecured JWS has an empty signature");
    if (jsonPart(headerPart, "header").alg !== "none")
      throw new TokenRefusedError('An unsecured JWS has the algorithm "none"');
    const claims = jsonPart(claimsPart, "claims");
    const o = this.options;
    const principal = principalOf(claims[o.principalClaimName], o.principalClaimName);
    const scope = scopeOf(claims[o.scopeClaimName], o.scopeClaimName);
    const exp = timeClaim(claims, "exp");
    if (exp === undefined) throw new TokenRefusedError("The token has no exp claim");
    const iat = timeClaim(claims, "iat");
    const now = this.now();
    if (iat !== undefined && now + o.allowableClockSkewMs < iat)
      throw new TokenRefusedError("The token was issued (iat) in the future");
    if (now - o.allowableClockSkewMs >= exp)
      throw new TokenRefusedError("The token has expired (exp)");
    if (iat !== undefined && exp <= iat)
      throw new TokenRefusedError("The token expires (exp) before it was issued (iat)");
    const missing = o.requiredScope.filter((s) => !scope.includes(s));
    if (missing.length > 0)
      throw new TokenRefusedError(
        `The token's scope lacks ${missing.join(" ")}`,
        "insufficient_scope",
        // Kafka writes the required scope as its Java list prints.
        `[${o.requiredScope.join(", ")}]`,
      );
    return { principal, expiresAtMs: exp, scope };
  }
}
