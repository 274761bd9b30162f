/**
 * The SCRAM messages of RFC 5802 section 7 that a server reads and writes. Attribute
 * values never hold a comma (saslname escapes it as =2C), so a message splits on commas.
 */
import { SaslAuthenticationError } from "./sasl-error.js";

export interface ClientFirst {
  /** The gs2 header as sent ("n,," or "n,a=alice,"); its base64 is the final message's c=. */
  readonly gs2Header: string;
  readonly authzid: string | undefined;
  readonly user: string;
  readonly nonce: string;
  /** Extensions after the nonce (Kafka's tokenauth=true), by name. */
  readonly extensions: ReadonlyMap<string, string>;
  /** client-first-message-bare: the part that enters the AuthMessage. */
  readonly bare: string;
}

export interface ClientFinal {
  readonly channelBinding: string;
  readonly nonce: string;
  readonly proof: Buffer;
  /** client-final-message-without-proof: the part that enters the AuthMessage. */
  readonly withoutProof: string;
}

function fail(message: string): never {
  throw new SaslAuthenticationError(message);
}

/** saslname: "=2C" stands for "," and "=3D" for "="; any other "=" is malformed. */
export function decodeSaslName(name: string): string {
  if (/=(?!2C|3D)/.test(name)) fail(`Invalid SCRAM user name: ${name}`);
  return name.replaceAll("=2C", ",").replaceAll("=3D", "=");
}

function attribute(part: string | undefined, name: string): string {
  if (part === undefined || !part.startsWith(`${name}=`))
    fail(`Invalid SCRAM message: expected ${name}=`);
  return part.slice(name.length + 1);
}

function extensionsOf(parts: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const p of parts) {
    const eq = p.indexOf("=");
    if (eq <= 0) fail(`Invalid SCRAM extension: ${p}`);
    out.set(p.slice(0, eq), p.slice(eq + 1));
  }
  return out;
}

const PRINTABLE_NONCE = /^[\x21-\x2b\x2d-\x7e]+$/;

export function parseClientFirst(text: string): ClientFirst {
  const parts = text.split(",");
  const flag = parts[0];
  if (flag !== "n" && flag !== "y") {
    fail(
      flag?.startsWith("p=") === true
        ? "SCRAM channel binding is not supported"
        : "Invalid SCRAM client first message: bad gs2 header",
    );
  }
  const authzPart = parts[1] ?? fail("Invalid SCRAM client first message");
  const authzid = authzPart === "" ? undefined : decodeSaslName(attribute(authzPart, "a"));
  let rest = parts.slice(2);
  // A reserved mandatory extension (m=) is one nobody defines: refused, as the RFC asks.
  if (rest[0]?.startsWith("m=") === true) fail("Unsupported SCRAM mandatory extension");
  const user = decodeSaslName(attribute(rest[0], "n"));
  const nonce = attribute(rest[1], "r");
  if (!PRINTABLE_NONCE.test(nonce)) fail("Invalid SCRAM client nonce");
  rest = rest.slice(2);
  return {
    gs2Header: `${flag},${authzPart},`,
    authzid,
    user,
    nonce,
    extensions: extensionsOf(rest),
    bare: parts.slice(2).join(","),
  };
}

export function serverFirst(nonce: string, salt: Buffer, iterations: number): string {
  return `r=${nonce},s=${salt.toString("base64")},i=${iterations}`;
}

export function parseClientFinal(text: string): ClientFinal {
  const parts = text.split(",");
  const proofPart = parts.at(-1);
  const proof = attribute(proofPart, "p");
  if (parts.length < 3) fail("Invalid SCRAM client final message");
  return {
    channelBinding: attribute(parts[0], "c"),
    nonce: attribute(parts[1], "r"),
    proof: Buffer.from(proof, "base64"),
    withoutProof: parts.slice(0, -1).join(","),
  };
}

export function serverFinal(signature: Buffer): string {
  return `v=${signature.toString("base64")}`;
}
