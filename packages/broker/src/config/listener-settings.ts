/**
 * Listeners as Kafka names them: `listeners` and `advertised.listeners` (NAME://host:port
 * lists), `listener.security.protocol.map` (which protocol each name speaks) and the
 * inter-broker choice, which a single node only checks. The first listener is also
 * `host`/`port` (and `advertised.host`/`advertised.port`): those older settings keep
 * working and win over `listeners` for that one listener.
 */
import type { SecurityProtocol } from "../server/client-session.js";
import type { BrokerConfig } from "./broker-config.js";
import { type Listener, oneOf, text, upperCaseMap } from "./kinds.js";
import { type SectionValues, setting } from "./setting.js";

export const SECURITY_PROTOCOLS: readonly SecurityProtocol[] = [
  "PLAINTEXT",
  "SSL",
  "SASL_PLAINTEXT",
  "SASL_SSL",
];

export const LISTENER_SETTINGS = {
  listenerSecurityProtocolMap: setting<Record<string, SecurityProtocol>>({
    name: "listener.security.protocol.map",
    kind: upperCaseMap(SECURITY_PROTOCOLS),
    // Kafka's default, in its order.
    default: {
      SASL_SSL: "SASL_SSL",
      PLAINTEXT: "PLAINTEXT",
      SSL: "SSL",
      SASL_PLAINTEXT: "SASL_PLAINTEXT",
    },
    importance: "low",
    doc: "NAME:PROTOCOL pairs: the security protocol of each listener name (a listener named after its protocol needs no entry).",
  }),
  interBrokerListenerName: setting({
    name: "inter.broker.listener.name",
    kind: text(false),
    default: "",
    defaultText: "(from security.inter.broker.protocol)",
    importance: "medium",
    doc: "Listener other brokers would use; checked as Kafka checks it (it must be advertised), otherwise unused by a single node.",
  }),
  securityInterBrokerProtocol: setting<SecurityProtocol>({
    name: "security.inter.broker.protocol",
    kind: oneOf(SECURITY_PROTOCOLS),
    default: "PLAINTEXT",
    importance: "medium",
    doc: "Protocol other brokers would use (set this or inter.broker.listener.name, not both).",
  }),
};

/**
 * Where `listeners` and `advertised.listeners` keep what host/port cannot hold: the
 * first listener's name, the listeners after it, and the advertised list as given.
 * Not settings themselves (the two list settings write them).
 */
export interface ListenerLayout {
  firstListenerName: string;
  moreListeners: readonly Listener[];
  advertisedListeners: readonly Listener[];
  /** listener.name.<name>.<setting> overrides, raw, by lower-case listener name. */
  listenerOverrides: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

export type ListenerSettings = SectionValues<typeof LISTENER_SETTINGS>;
export type ListenerConfig = ListenerSettings & ListenerLayout;

export const DEFAULT_LISTENER_LAYOUT: ListenerLayout = {
  firstListenerName: "PLAINTEXT",
  moreListeners: [],
  advertisedListeners: [],
  listenerOverrides: {},
};

/** Every listener, the first from host and port. */
export function configuredListeners(c: BrokerConfig): Listener[] {
  return [{ name: c.firstListenerName, host: c.host, port: c.port }, ...c.moreListeners];
}

/**
 * Whether clients are told about listener `name`. As Kafka: every listener when
 * advertised.listeners is not given, else only those it names; the first listener is
 * advertised too when advertised.host or advertised.port is given for it.
 */
export function isAdvertised(c: BrokerConfig, name: string): boolean {
  if (c.advertisedListeners.length === 0) return true;
  if (c.advertisedListeners.some((l) => l.name === name)) return true;
  return (
    name === c.firstListenerName &&
    c.staticSettings.some((s) => s === "advertised.host" || s === "advertised.port")
  );
}
