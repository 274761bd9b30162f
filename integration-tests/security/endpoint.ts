/**
 * What the security matrix (../security-matrix.test.ts) tells a client: where to connect
 * and with which security settings, and what a client's attempt came to.
 */

export type SecurityProtocol = "PLAINTEXT" | "SSL" | "SASL_PLAINTEXT" | "SASL_SSL";
export type Mechanism = "PLAIN" | "SCRAM-SHA-256" | "SCRAM-SHA-512";

export interface Credentials {
  readonly mechanism: Mechanism;
  readonly username: string;
  readonly password: string;
}

/**
 * A listener's port and what the client speaks to it: `protocol` is the client's own
 * security.protocol, which a refusal case sets apart from the listener's (SSL without
 * SASL to the SASL_SSL port).
 */
export interface Endpoint {
  readonly port: number;
  readonly protocol: SecurityProtocol;
  /** The CA certificate (PEM file) the client trusts over TLS. */
  readonly ca: string;
  readonly sasl?: Credentials;
}

export const bootstrapOf = (e: Endpoint): string => `127.0.0.1:${e.port}`;
export const overTls = (e: Endpoint): boolean => e.protocol.endsWith("SSL");

/**
 * A round trip's outcome: the values read back, or the refusal the client reported,
 * `error` being the most specific name it gave (a Kafka error name where the client
 * surfaces one) and `message` its text.
 */
export type Outcome =
  | { readonly values: readonly string[] }
  | { readonly error: string; readonly message: string };

/**
 * The environment contract of the Go drivers' secure-roundtrip command (written at the
 * top of go/driverkit/secure.go), which platformatic-driver.ts's takes too.
 */
export function driverEnv(e: Endpoint): Record<string, string> {
  return {
    SECURITY_PROTOCOL: e.protocol,
    ...(overTls(e) ? { SSL_CA_LOCATION: e.ca } : {}),
    ...(e.sasl === undefined
      ? {}
      : {
          SASL_MECHANISM: e.sasl.mechanism,
          SASL_USERNAME: e.sasl.username,
          SASL_PASSWORD: e.sasl.password,
        }),
  };
}

/** A driver's JSON result as an Outcome, failing loudly on anything else. */
export function asOutcome(driver: string, result: unknown): Outcome {
  const r = result as { values?: unknown; error?: unknown; message?: unknown } | null;
  if (Array.isArray(r?.values)) return { values: r.values.map(String) };
  if (typeof r?.error === "string") return { error: r.error, message: String(r.message ?? "") };
  throw new Error(`${driver} reported neither values nor an error: ${JSON.stringify(result)}`);
}
