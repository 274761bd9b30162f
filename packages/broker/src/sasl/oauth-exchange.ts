/**
 * SASL/OAUTHBEARER's server side, as Kafka's OAuthBearerSaslServer runs it: the client's
 * one message carries a bearer token (and Kafka's SASL extensions, all accepted). A
 * valid token completes authentication as User:<principal>, lasting no longer than the
 * token. A refused one is answered with a JSON error (RFC 7628); the client
 * acknowledges it with a lone \x01 and only then fails, with that JSON as the message.
 */
import {
  errorReply,
  isErrorAcknowledgement,
  type OAuthClientMessage,
  OAuthMessageError,
  parseClientMessage,
} from "./oauth-messages.js";
import { TokenRefusedError, type TokenValidator } from "./oauth-token.js";
import { SaslAuthenticationError } from "./sasl-error.js";
import type { SaslExchange, SaslStep } from "./sasl-exchange.js";

export const OAUTHBEARER = "OAUTHBEARER";

export class OAuthBearerServerExchange implements SaslExchange {
  readonly mechanism = OAUTHBEARER;
  /** The error reply sent, awaiting the client's \x01, and the refusal behind it. */
  private pendingError: { reply: string; refusal: TokenRefusedError } | null = null;

  constructor(private readonly validator: TokenValidator) {}

  async evaluate(message: Buffer): Promise<SaslStep> {
    if (this.pendingError !== null && isErrorAcknowledgement(message))
      // The reason stays in the broker's log; the client learns only the status.
      throw new SaslAuthenticationError(this.pendingError.reply, {
        cause: this.pendingError.refusal,
      });
    this.pendingError = null;
    let parsed: OAuthClientMessage;
    try {
      parsed = parseClientMessage(message);
    } catch (e) {
      if (!(e instanceof OAuthMessageError)) throw e;
      throw new SaslAuthenticationError(
        `Authentication failed during authentication due to invalid credentials with SASL mechanism ${OAUTHBEARER}`,
        { cause: e },
      );
    }
    try {
      const token = await this.validator.validate(parsed.token);
      if (parsed.authorizationId !== "" && parsed.authorizationId !== token.principal)
        throw new SaslAuthenticationError(
          `Authentication failed: Client requested an authorization id (${parsed.authorizationId}) that is different from the token's principal name (${token.principal})`,
        );
      return {
        response: Buffer.alloc(0),
        user: token.principal,
        credentialExpiresAtMs: token.expiresAtMs,
      };
    } catch (e) {
      if (!(e instanceof TokenRefusedError)) throw e;
      this.pendingError = { reply: errorReply(e.status, e.scope), refusal: e };
      return { response: Buffer.from(this.pendingError.reply, "utf8"), refusal: e.message };
    }
  }
}
