/**
 * OAUTHBEARER test tools: tokens (Kafka's unsecured form and RS256-signed JWTs) and one
 * SASL exchange on the wire, acknowledging an error reply with \x01 as clients do, so
 * that Logbook's and Kafka's answers can be compared field by field.
 */
import { type KeyObject, sign } from "node:crypto";
import {
  createSaslAuthenticateRequest,
  createSaslHandshakeRequest,
  SaslAuthenticateApi,
  SaslHandshakeApi,
} from "@logbook/protocol";
import { WireClient } from "./wire-client.js";

export const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
export const nowS = () => Math.floor(Date.now() / 1000);

export type Claims = Record<string, unknown>;

/** Kafka's unsecured development token (alg "none"), valid for an hour. */
export function unsecuredToken(claims: Claims): string {
  return `${b64({ alg: "none" })}.${b64({ iat: nowS(), exp: nowS() + 3600, ...claims })}.`;
}

/** An RS256 JWT (RFC 7515: PKCS#1 v1.5 over SHA-256 of header.payload), valid for an hour. */
export function rs256Token(key: KeyObject, kid: string, claims: Claims): string {
  const body = { iat: nowS(), exp: nowS() + 3600, ...claims };
  const signingInput = `${b64({ alg: "RS256", kid, typ: "JWT" })}.${b64(body)}`;
  const signature = sign("sha256", Buffer.from(signingInput), key).toString("base64url");
  return `${signingInput}.${signature}`;
}

const oauthMessage = (token: string) => Buffer.from(`n,,\u0001auth=Bearer ${token}\u0001\u0001`);

export interface WireOutcome {
  handshake: number;
  reply: { errorCode: number; authBytes: string; sessionLifetimeMs: bigint };
  afterAck?: { errorCode: number; errorMessage: string | null };
}

/** One OAUTHBEARER exchange on the wire; a non-empty reply is acknowledged with \x01. */
export async function wireExchange(port: number, token: string): Promise<WireOutcome> {
  const c = await WireClient.connect(port);
  try {
    const hs = await c.request(
      SaslHandshakeApi,
      1,
      createSaslHandshakeRequest({ mechanism: "OAUTHBEARER" }),
    );
    const first = await c.request(
      SaslAuthenticateApi,
      2,
      createSaslAuthenticateRequest({ authBytes: oauthMessage(token) }),
    );
    const outcome: WireOutcome = {
      handshake: hs.body.errorCode,
      reply: {
        errorCode: first.body.errorCode,
        authBytes: Buffer.from(first.body.authBytes).toString("utf8"),
        sessionLifetimeMs: first.body.sessionLifetimeMs,
      },
    };
    if (first.body.authBytes.length === 0) return outcome;
    const ack = await c.request(
      SaslAuthenticateApi,
      2,
      createSaslAuthenticateRequest({ authBytes: Buffer.from([1]) }),
    );
    outcome.afterAck = { errorCode: ack.body.errorCode, errorMessage: ack.body.errorMessage };
    return outcome;
  } finally {
    c.close();
  }
}
