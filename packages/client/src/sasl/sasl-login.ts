/**
 * Authenticates a fresh connection as Kafka's clients do: SaslHandshake v1 names the
 * mechanism, then SaslAuthenticate carries each token until the mechanism is done. A
 * refusal is the broker's error code and message (SASL_AUTHENTICATION_FAILED, ...).
 */
import {
  createSaslAuthenticateRequest,
  createSaslHandshakeRequest,
  ErrorCode,
  SaslAuthenticateApi,
  SaslHandshakeApi,
} from "@logbook/protocol";
import type { Connection } from "../connection.js";
import { check, KafkaError } from "../kafka-error.js";
import type { SaslOptions } from "../security-options.js";
import { ScramClient } from "./scram-client.js";
import { scramMechanismByName } from "./scram-mechanisms.js";

// v1 of the handshake means the tokens travel in SaslAuthenticate requests (KIP-152).
const HANDSHAKE_VERSION = 1;

export async function saslLogin(c: Connection, sasl: SaslOptions): Promise<void> {
  const { body: hs } = await c.send(
    SaslHandshakeApi,
    createSaslHandshakeRequest({ mechanism: sasl.mechanism }),
    HANDSHAKE_VERSION,
  );
  if (hs.errorCode === ErrorCode.UNSUPPORTED_SASL_MECHANISM)
    throw new KafkaError(
      hs.errorCode,
      `Client SASL mechanism '${sasl.mechanism}' not enabled in the server, enabled mechanisms are [${hs.mechanisms.join(", ")}]`,
    );
  check(hs.errorCode, null, "SaslHandshake");
  const send = async (token: Buffer): Promise<Buffer> => {
    const { body } = await c.send(
      SaslAuthenticateApi,
      createSaslAuthenticateRequest({ authBytes: token }),
    );
    check(body.errorCode, body.errorMessage);
    return body.authBytes;
  };
  if (sasl.mechanism === "PLAIN") {
    // authzid NUL user NUL password (RFC 4616), with no authzid.
    await send(Buffer.from(`\0${sasl.username}\0${sasl.password}`, "utf8"));
    return;
  }
  const m = scramMechanismByName(sasl.mechanism);
  if (m === undefined) throw new Error(`no SCRAM mechanism ${sasl.mechanism}`);
  const scram = new ScramClient(m, sasl.username, sasl.password);
  const serverFirst = await send(scram.first());
  const serverFinal = await send(await scram.final(serverFirst));
  scram.verify(serverFinal);
}
