/**
 * Authentication failed: the client is told `message` (SaslAuthenticate's
 * SASL_AUTHENTICATION_FAILED) and the connection is closed, as Kafka does.
 */
export class SaslAuthenticationError extends Error {
  override readonly name = "SaslAuthenticationError";
}
