/**
 * SaslAuthenticate (key 36), v0-v2: one token of the mechanism SaslHandshake chose
 * (sasl/sasl-authenticator.ts). A failed authentication is answered
 * SASL_AUTHENTICATION_FAILED with the reason and the connection is closed; on success
 * v1+ carries the session lifetime (connections.max.reauth.ms, KIP-368).
 */
import { createSaslAuthenticateResponse, SaslAuthenticateApi } from "@logbook/protocol";
import { defineHandler } from "../handler.js";

export const saslAuthenticateHandler = defineHandler({
  api: SaslAuthenticateApi,
  minVersion: 0,
  maxVersion: 2,
  async handle(req, ctx) {
    const answer = await ctx.broker.sasl.authenticate(ctx.session, req.authBytes);
    return createSaslAuthenticateResponse({
      errorCode: answer.errorCode,
      errorMessage: answer.errorMessage,
      authBytes: answer.authBytes,
      sessionLifetimeMs: BigInt(answer.sessionLifetimeMs),
    });
  },
});
