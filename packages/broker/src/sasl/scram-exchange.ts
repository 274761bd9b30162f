import { randomBytes } from "node:crypto";
import {
  clientProofHolds,
  type ScramKeys,
  type ScramMechanism,
  serverSignature,
} from "@logbook/client";
import { SaslAuthenticationError } from "./sasl-error.js";
import type { SaslExchange, SaslStep } from "./sasl-exchange.js";
import {
  type ClientFirst,
  parseClientFinal,
  parseClientFirst,
  serverFinal,
  serverFirst,
} from "./scram-messages.js";

/** Finds a user's keys for one mechanism; undefined when the user has none. */
export type ScramKeysOf = (user: string, mechanism: ScramMechanism) => ScramKeys | undefined;

type State =
  | { step: "first" }
  | { step: "final"; first: ClientFirst; serverFirst: string; nonce: string; keys: ScramKeys }
  | { step: "done" };

/**
 * The server side of SCRAM (RFC 5802): client-first -> server-first (nonce, salt,
 * iterations), client-final (proof) -> server-final (signature). Every failure reads the
 * same to the client, as Kafka words it, so a client learns nothing about which part
 * was wrong; the precise reason is kept for the broker's log.
 */
export class ScramServerExchange implements SaslExchange {
  private state: State = { step: "first" };

  constructor(
    private readonly m: ScramMechanism,
    private readonly keysOf: ScramKeysOf,
    /** The server's part of the nonce (fixed only by tests that replay RFC examples). */
    private readonly serverNonce: () => string = () => randomBytes(24).toString("base64url"),
  ) {}

  get mechanism(): string {
    return this.m.name;
  }

  async evaluate(token: Buffer): Promise<SaslStep> {
    try {
      return this.next(token.toString("utf8"));
    } catch (e) {
      this.state = { step: "done" };
      if (!(e instanceof SaslAuthenticationError)) throw e;
      throw new SaslAuthenticationError(
        `Authentication failed during authentication due to invalid credentials with SASL mechanism ${this.m.name}`,
        { cause: e },
      );
    }
  }

  private next(text: string): SaslStep {
    const s = this.state;
    if (s.step === "first") {
      const first = parseClientFirst(text);
      if (first.authzid !== undefined && first.authzid !== first.user)
        throw new SaslAuthenticationError(
          "Authentication failed: Client requested an authorization id that is different from username",
        );
      if (first.extensions.get("tokenauth") === "true")
        throw new SaslAuthenticationError("Delegation token authentication is not supported");
      const keys = this.keysOf(first.user, this.m);
      if (keys === undefined)
        throw new SaslAuthenticationError("Authentication failed: Invalid user credentials");
      const nonce = first.nonce + this.serverNonce();
      const answer = serverFirst(nonce, keys.salt, keys.iterations);
      this.state = { step: "final", first, serverFirst: answer, nonce, keys };
      return { response: Buffer.from(answer, "utf8") };
    }
    if (s.step === "final") {
      const final = parseClientFinal(text);
      // As Kafka: the nonce must end with the server's, because librdkafka sends its own
      // nonce in front of the combined one.
      if (!final.nonce.endsWith(s.nonce))
        throw new SaslAuthenticationError("Invalid client nonce in the final client message.");
      if (final.channelBinding !== Buffer.from(s.first.gs2Header, "utf8").toString("base64"))
        throw new SaslAuthenticationError("Invalid channel binding in the final client message.");
      const authMessage = `${s.first.bare},${s.serverFirst},${final.withoutProof}`;
      if (!clientProofHolds(this.m, s.keys, authMessage, final.proof))
        throw new SaslAuthenticationError("Invalid client credentials");
      this.state = { step: "done" };
      return {
        response: Buffer.from(serverFinal(serverSignature(this.m, s.keys, authMessage)), "utf8"),
        user: s.first.user,
      };
    }
    throw new SaslAuthenticationError("SCRAM exchange already complete");
  }
}
