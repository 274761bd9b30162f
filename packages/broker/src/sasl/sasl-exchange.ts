/** One SASL mechanism's server side, fed the client's tokens one SaslAuthenticate at a time. */
export interface SaslStep {
  /** The token for the client (empty when the mechanism sends none). */
  readonly response: Buffer;
  /** Set on the step that completes authentication: who the client is. */
  readonly user?: string;
  /** When the credential the user presented expires (ms since the epoch), if it does. */
  readonly credentialExpiresAtMs?: number;
  /** Why the credential was refused, when `response` tells the client so (OAUTHBEARER). */
  readonly refusal?: string;
}

export interface SaslExchange {
  readonly mechanism: string;
  /** The next step; throws SaslAuthenticationError when the client must be refused. */
  evaluate(token: Buffer): Promise<SaslStep>;
}
