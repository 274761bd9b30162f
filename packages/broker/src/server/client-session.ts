/**
 * Who is on the other end of one connection, as Kafka's RequestContext carries it:
 * the listener it came in on, that listener's security protocol, and the principal
 * the handlers authorise. One per connection; authentication may replace the principal.
 */

/** Kafka's security protocols (listener.security.protocol.map values). */
export type SecurityProtocol = "PLAINTEXT" | "SSL" | "SASL_PLAINTEXT" | "SASL_SSL";

/** Kafka's KafkaPrincipal: `User:alice`, written type:name. */
export interface KafkaPrincipal {
  readonly type: string;
  readonly name: string;
}

/** The principal of a connection nobody authenticated (Kafka's KafkaPrincipal.ANONYMOUS). */
export const ANONYMOUS: KafkaPrincipal = Object.freeze({ type: "User", name: "ANONYMOUS" });

export function principalText(p: KafkaPrincipal): string {
  return `${p.type}:${p.name}`;
}

export interface ClientSession {
  /** Remote address host:port, for logs. */
  readonly peer: string;
  /** The listener's name, upper case (PLAINTEXT, or what `listeners` calls it). */
  readonly listenerName: string;
  readonly securityProtocol: SecurityProtocol;
  /** ANONYMOUS until TLS client auth or SASL names someone. */
  principal: KafkaPrincipal;
  /**
   * False on a SASL listener until authentication succeeds; only ApiVersions and the
   * SASL APIs are served before that.
   */
  authenticated: boolean;
  /**
   * Set by a handler whose answer must be the connection's last (a failed SASL
   * authentication): the connection writes the response, then closes.
   */
  closeAfterResponse: boolean;
  /**
   * Set when a response carried a quota throttle (KIP-219): the connection reads no
   * more requests before this time (Date.now() milliseconds).
   */
  mutedUntilMs?: number;
}

/** The session of a connection on a plaintext listener (and of in-process callers). */
export function plaintextSession(peer: string, listenerName = "PLAINTEXT"): ClientSession {
  return {
    peer,
    listenerName,
    securityProtocol: "PLAINTEXT",
    principal: ANONYMOUS,
    authenticated: true,
    closeAfterResponse: false,
  };
}
