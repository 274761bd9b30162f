import { createHash, timingSafeEqual } from "node:crypto";
import { SaslAuthenticationError } from "./sasl-error.js";
import type { SaslExchange, SaslStep } from "./sasl-exchange.js";

/** A PLAIN user's password; undefined when there is no such user. */
export type PasswordOf = (user: string) => string | undefined;

function same(a: string, b: string): boolean {
  // Compared as digests so the time taken says nothing about the length or the prefix.
  const da = createHash("sha256").update(a, "utf8").digest();
  const db = createHash("sha256").update(b, "utf8").digest();
  return timingSafeEqual(da, db);
}

/**
 * SASL/PLAIN (RFC 4616): one message, [authzid] NUL user NUL password, checked against
 * the configured users. Messages as Kafka's PLAIN server words them.
 */
export class PlainServerExchange implements SaslExchange {
  readonly mechanism = "PLAIN";
  private done = false;

  constructor(private readonly passwordOf: PasswordOf) {}

  async evaluate(token: Buffer): Promise<SaslStep> {
    if (this.done) throw new SaslAuthenticationError("PLAIN authentication already complete");
    this.done = true;
    const parts = token.toString("utf8").split("\u0000");
    if (parts.length !== 3)
      throw new SaslAuthenticationError(
        `Invalid SASL/PLAIN response: expected 3 tokens, got ${parts.length}`,
      );
    const [authzid, user, password] = parts as [string, string, string];
    if (user === "")
      throw new SaslAuthenticationError("Authentication failed: username not specified");
    if (password === "")
      throw new SaslAuthenticationError("Authentication failed: password not specified");
    const expected = this.passwordOf(user);
    if (expected === undefined || !same(expected, password))
      throw new SaslAuthenticationError("Authentication failed: Invalid username or password");
    if (authzid !== "" && authzid !== user)
      throw new SaslAuthenticationError(
        "Authentication failed: Client requested an authorization id that is different from username",
      );
    return { response: Buffer.alloc(0), user };
  }
}
