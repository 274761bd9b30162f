/**
 * SaslHandshake (key 17), v0-v1: picks the SASL mechanism of the connection
 * (sasl/sasl-authenticator.ts). On a listener without SASL it answers ILLEGAL_SASL_STATE,
 * as Kafka does; a mechanism the listener does not enable is answered
 * UNSUPPORTED_SASL_MECHANISM with the enabled ones, and the connection is closed.
 * After v0 the tokens come as bare size-prefixed frames (kafka-python 2.0 speaks so; the
 * dispatcher hands them to the authenticator), after v1 in SaslAuthenticate requests.
 */
import { createSaslHandshakeResponse, SaslHandshakeApi } from "@logbook/protocol";
import { defineHandler } from "../handler.js";

export const saslHandshakeHandler = defineHandler({
  api: SaslHandshakeApi,
  minVersion: 0,
  maxVersion: 1,
  handle(req, ctx) {
    const answer = ctx.broker.sasl.handshake(ctx.session, req.mechanism, ctx.version);
    return createSaslHandshakeResponse({
      errorCode: answer.errorCode,
      mechanisms: [...answer.mechanisms],
    });
  },
});
