/** SASL settings (BrokerConfig.sasl): what SASL listeners accept and how long a session lasts. */
import { int, long, nonEmptyList, text } from "./kinds.js";
import { type SectionValues, setting } from "./setting.js";

export const SASL_SETTINGS = {
  enabledMechanisms: setting({
    name: "sasl.enabled.mechanisms",
    kind: nonEmptyList("list"),
    default: ["GSSAPI"],
    importance: "medium",
    doc: "SASL mechanisms a SASL listener accepts: PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, OAUTHBEARER (GSSAPI, Kafka's default, is not served).",
  }),
  interBrokerMechanism: setting({
    name: "sasl.mechanism.inter.broker.protocol",
    kind: text(true),
    default: "GSSAPI",
    importance: "medium",
    doc: "Accepted from Kafka's server.properties; a single broker talks to no other broker.",
  }),
  maxReauthMs: setting({
    name: "connections.max.reauth.ms",
    kind: long(0),
    default: 0,
    importance: "medium",
    doc: "Lifetime of an authenticated SASL session; clients re-authenticate before it ends (KIP-368). 0 = forever.",
  }),
  failedAuthenticationDelayMs: setting({
    name: "connection.failed.authentication.delay.ms",
    kind: int(0),
    default: 100,
    importance: "low",
    doc: "How long a failed authentication waits before it is answered and the connection closed.",
  }),
};

export type SaslConfig = SectionValues<typeof SASL_SETTINGS>;
