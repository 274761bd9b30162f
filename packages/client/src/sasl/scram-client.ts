/**
 * The client side of SCRAM (RFC 5802): client-first (user, nonce), then from the server's
 * salt and iterations the proof, then a check of the server's signature, so a broker that
 * does not know the password is refused too.
 */
import { randomBytes } from "node:crypto";
import { ErrorCode } from "@logbook/protocol";
import { KafkaError } from "../kafka-error.js";
import { encodeSaslName } from "./sasl-name.js";
import { clientProof, saltPassword, scramKeys, serverSignature } from "./scram-formulas.js";
import { SCRAM_MIN_ITERATIONS, type ScramMechanism } from "./scram-mechanisms.js";

/** The channel-binding attribute for the "n,," header (no binding): base64 of "n,,". */
const NO_BINDING = Buffer.from("n,,").toString("base64");

export class ScramClient {
  private readonly bare: string;
  private expectedSignature: Buffer | null = null;

  constructor(
    private readonly m: ScramMechanism,
    user: string,
    private readonly password: string,
    private readonly nonce: string = randomBytes(24).toString("base64url"),
  ) {
    this.bare = `n=${encodeSaslName(user)},r=${nonce}`;
  }

  first(): Buffer {
    return Buffer.from(`n,,${this.bare}`, "utf8");
  }

  /** The client-final message for the server-first one. */
  async final(serverFirstBytes: Buffer): Promise<Buffer> {
    const serverFirst = serverFirstBytes.toString("utf8");
    const attrs = attributes(serverFirst);
    const nonce = attrs.get("r");
    const salt = attrs.get("s");
    const iterations = Number(attrs.get("i"));
    if (nonce === undefined || salt === undefined || !Number.isInteger(iterations))
      throw refused(`Invalid SCRAM server first message: ${serverFirst}`);
    if (!nonce.startsWith(this.nonce) || nonce === this.nonce)
      throw refused("Invalid server nonce: it does not extend the client's");
    // As Kafka's client: fewer iterations than the mechanism's minimum is refused.
    if (iterations < SCRAM_MIN_ITERATIONS)
      throw refused(`Requested iterations ${iterations} is less than the minimum`);
    const saltBytes = Buffer.from(salt, "base64");
    const salted = await saltPassword(this.m, this.password, saltBytes, iterations);
    const withoutProof = `c=${NO_BINDING},r=${nonce}`;
    const authMessage = `${this.bare},${serverFirst},${withoutProof}`;
    const keys = scramKeys(this.m, saltBytes, salted, iterations);
    this.expectedSignature = serverSignature(this.m, keys, authMessage);
    const proof = clientProof(this.m, salted, authMessage).toString("base64");
    return Buffer.from(`${withoutProof},p=${proof}`, "utf8");
  }

  /** Checks the server-final message: its signature, or the error it names. */
  verify(serverFinalBytes: Buffer): void {
    const attrs = attributes(serverFinalBytes.toString("utf8"));
    const error = attrs.get("e");
    if (error !== undefined) throw refused(`SCRAM server error: ${error}`);
    const v = attrs.get("v");
    if (v === undefined || this.expectedSignature === null)
      throw refused("Invalid SCRAM server final message");
    if (!Buffer.from(v, "base64").equals(this.expectedSignature))
      throw refused("Invalid server signature in the SCRAM server final message");
  }
}

/** "a=1,b=2" -> {a: "1", b: "2"}; values hold no comma (RFC 5802 section 7). */
function attributes(message: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of message.split(",")) {
    const eq = part.indexOf("=");
    if (eq > 0) out.set(part.slice(0, eq), part.slice(eq + 1));
  }
  return out;
}

/** Kafka's clients report the broker's bad part of an exchange as an authentication failure. */
function refused(message: string): KafkaError {
  return new KafkaError(ErrorCode.SASL_AUTHENTICATION_FAILED, message);
}
