/** How the client secures its connections: every connection of a client uses the same. */

export interface TlsOptions {
  /** PEM CA certificates the broker's chain must end in; Node's default roots when absent. */
  readonly ca?: string | Buffer;
  /** PEM client certificate and key, for a listener that asks for one (mTLS). */
  readonly cert?: string | Buffer;
  readonly key?: string | Buffer;
  /** Check the broker's certificate names the host connected to (on by default, as Kafka's https). */
  readonly checkServerName?: boolean;
}

export const SASL_MECHANISMS = ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] as const;
export type SaslMechanismName = (typeof SASL_MECHANISMS)[number];

export interface SaslOptions {
  readonly mechanism: SaslMechanismName;
  readonly username: string;
  readonly password: string;
}
