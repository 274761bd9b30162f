/**
 * The listeners a broker opens, worked out from the settings and checked as Kafka
 * checks them at start-up (with Kafka's messages where it has one).
 */
import { saslListenerErrors } from "../sasl/sasl-settings-of.js";
import type { SecurityProtocol } from "../server/client-session.js";
import type { BrokerConfig } from "./broker-config.js";
import { versionsServed } from "./cipher-suites.js";
import { type Listener, listeners as listenersKind } from "./kinds.js";
import { listenerSslSettings } from "./listener-overrides.js";
import { configuredListeners, isAdvertised } from "./listener-settings.js";
import type { SslSettings } from "./ssl-settings.js";

export interface ListenerPlan {
  readonly name: string;
  readonly securityProtocol: SecurityProtocol;
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly advertisedHost: string;
  /** 0 = the port actually bound. */
  readonly advertisedPort: number;
  /**
   * False for a listener advertised.listeners leaves out: as Kafka, requests on it are
   * served but no broker is advertised (Metadata lists none, FindCoordinator finds none).
   */
  readonly advertised: boolean;
  /** The TLS settings of an SSL or SASL_SSL listener (per-listener overrides applied), else null. */
  readonly ssl: SslSettings | null;
}

/** Every reason the listener settings cannot be served; empty when they can. */
export function listenerErrors(c: BrokerConfig): string[] {
  const errors: string[] = [];
  const listeners = configuredListeners(c);
  const text = listenersKind().format(listeners);
  const names = new Set(listeners.map((l) => l.name));
  if (names.size !== listeners.length)
    errors.push(`Each listener must have a different name, listeners: ${text}`);
  const ports = listeners.map((l) => l.port).filter((p) => p !== 0);
  if (new Set(ports).size !== ports.length)
    errors.push(`Each listener must have a different port, listeners: ${text}`);
  for (const l of [...listeners, ...c.advertisedListeners]) {
    if (c.listenerSecurityProtocolMap[l.name] === undefined)
      errors.push(`No security protocol defined for listener ${l.name}`);
  }
  const advertisedNames = [...new Set(c.advertisedListeners.map((l) => l.name))];
  if (advertisedNames.some((n) => !names.has(n)))
    errors.push(
      "advertised.listeners listener names must be equal to or a subset of the ones defined in listeners. " +
        `Found ${advertisedNames.join(",")}. The valid options based on the current configuration are ${[...names].join(",")}`,
    );
  if (c.advertisedListeners.some((l) => l.host === "0.0.0.0") || c.advertisedHost === "0.0.0.0")
    errors.push(
      "advertised.listeners cannot use the nonroutable meta-address 0.0.0.0. Use a routable IP address.",
    );
  errors.push(...interBrokerErrors(c, advertisedNames.length > 0 ? advertisedNames : [...names]));
  for (const l of listeners) {
    const protocol = c.listenerSecurityProtocolMap[l.name];
    if (protocol === "SASL_PLAINTEXT" || protocol === "SASL_SSL")
      errors.push(...saslListenerErrors(c, l.name));
    if (protocol === "SSL" || protocol === "SASL_SSL")
      errors.push(...sslErrors(l, listenerSslSettings(c, l.name)));
  }
  return errors;
}

/** The inter-broker listener's name, as Kafka picks it (PLAINTEXT unless set). */
export function interBrokerListenerName(c: BrokerConfig): string {
  const byName = c.staticSettings.includes("inter.broker.listener.name");
  return byName ? c.interBrokerListenerName.toUpperCase() : c.securityInterBrokerProtocol;
}

/** A single node talks to no other broker, so only an explicit choice is checked. */
function interBrokerErrors(c: BrokerConfig, advertisedNames: readonly string[]): string[] {
  const given = new Set(c.staticSettings);
  const byName = given.has("inter.broker.listener.name");
  const byProtocol = given.has("security.inter.broker.protocol");
  if (byName && byProtocol)
    return [
      "Only one of inter.broker.listener.name and security.inter.broker.protocol should be set.",
    ];
  if (!byName && !byProtocol) return [];
  const name = interBrokerListenerName(c);
  if (advertisedNames.includes(name)) return [];
  return [
    "inter.broker.listener.name must be a listener name defined in advertised.listeners. " +
      `The valid options based on currently configured listeners are ${advertisedNames.join(",")}`,
  ];
}

function sslErrors(l: Listener, s: SslSettings): string[] {
  const errors: string[] = [];
  const where = `SSL listener ${l.name}`;
  for (const [setting, type] of [
    ["ssl.keystore.type", s.keystoreType],
    ["ssl.truststore.type", s.truststoreType],
  ] as const) {
    if (type !== "PEM")
      errors.push(
        `${where}: ${setting}=${type} is not supported: Logbook reads PEM files and inline PEM only (set ${setting}=PEM)`,
      );
  }
  const inlineKey = s.keystoreKey !== "" || s.keystoreCertificateChain !== "";
  if (s.keystoreLocation === "" && !inlineKey)
    errors.push(
      `${where} has no key: set ssl.keystore.location (a PEM file with the key and the certificate chain) or ssl.keystore.key and ssl.keystore.certificate.chain`,
    );
  if (s.keystoreLocation !== "" && inlineKey)
    errors.push(
      `${where}: set ssl.keystore.location or ssl.keystore.key/ssl.keystore.certificate.chain, not both`,
    );
  if (inlineKey && (s.keystoreKey === "" || s.keystoreCertificateChain === ""))
    errors.push(`${where}: ssl.keystore.key and ssl.keystore.certificate.chain go together`);
  if (s.truststoreLocation !== "" && s.truststoreCertificates !== "")
    errors.push(`${where}: set ssl.truststore.location or ssl.truststore.certificates, not both`);
  if (s.clientAuth !== "none" && s.truststoreLocation === "" && s.truststoreCertificates === "")
    errors.push(
      `${where}: ssl.client.auth=${s.clientAuth} needs the CA certificates to check clients against (ssl.truststore.location or ssl.truststore.certificates)`,
    );
  if (s.enabledProtocols.length === 0) errors.push(`${where}: ssl.enabled.protocols is empty`);
  else if (versionsServed(s.enabledProtocols, s.cipherSuites).length === 0)
    errors.push(
      `${where}: no suite of ssl.cipher.suites (${s.cipherSuites.join(",")}) serves ssl.enabled.protocols (${s.enabledProtocols.join(",")})`,
    );
  return errors;
}

/** The listeners to open; throws with every reason when the settings cannot be served. */
export function planListeners(c: BrokerConfig): ListenerPlan[] {
  const errors = listenerErrors(c);
  if (errors.length > 0) throw new Error(errors.join("; "));
  return configuredListeners(c).map((l, i) => {
    const securityProtocol = c.listenerSecurityProtocolMap[l.name] as SecurityProtocol;
    const advertised = c.advertisedListeners.find((a) => a.name === l.name);
    const ownHost = l.host === "0.0.0.0" ? "127.0.0.1" : l.host;
    return {
      name: l.name,
      securityProtocol,
      host: l.host,
      port: l.port,
      advertisedHost: i === 0 ? c.advertisedHost : (advertised?.host ?? ownHost),
      advertisedPort: i === 0 ? c.advertisedPort : (advertised?.port ?? 0),
      advertised: isAdvertised(c, l.name),
      ssl:
        securityProtocol === "SSL" || securityProtocol === "SASL_SSL"
          ? listenerSslSettings(c, l.name)
          : null,
    };
  });
}
