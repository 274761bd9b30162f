/**
 * What an OAUTHBEARER token validator says: who the token names and until when, or why
 * it is refused (the status of the server's error reply, as RFC 6750 names them).
 */

export interface ValidatedToken {
  /** The principal's name (its type is User). */
  readonly principal: string;
  /** When the token expires (ms since the epoch); bounds the session (KIP-368). */
  readonly expiresAtMs: number;
  readonly scope: readonly string[];
}

export type RefusalStatus = "invalid_token" | "insufficient_scope";

export class TokenRefusedError extends Error {
  override readonly name = "TokenRefusedError";
  constructor(
    message: string,
    readonly status: RefusalStatus = "invalid_token",
    /** With insufficient_scope: the scope that was required. */
    readonly scope?: string,
  ) {
    super(message);
  }
}

export interface TokenValidator {
  /** The token's principal and lifetime; throws TokenRefusedError. */
  validate(token: string): Promise<ValidatedToken>;
}

/** A scope claim: one space-separated string or a list of strings. */
export function scopeOf(claim: unknown, claimName: string): string[] {
  if (claim === undefined) return [];
  if (typeof claim === "string") return claim.split(/\s+/).filter((s) => s !== "");
  if (Array.isArray(claim) && claim.every((s) => typeof s === "string")) return claim;
  throw new TokenRefusedError(`The ${claimName} claim is neither a string nor a list of strings`);
}

/** The principal claim: a non-empty string. */
export function principalOf(claim: unknown, claimName: string): string {
  if (typeof claim !== "string" || claim.trim() === "")
    throw new TokenRefusedError(`The token has no ${claimName} claim naming its principal`);
  return claim;
}
