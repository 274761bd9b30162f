/**
 * Limits on clients beyond the client quotas (top-level BrokerConfig fields): how
 * controller mutations are measured (KIP-599) and how many connections the broker,
 * each listener and each address may hold or open per second (KIP-402, KIP-612).
 * max.connections and max.connection.creation.rate also have listener.name.<l>. forms
 * (config/listener-overrides.ts); a listener without one uses the broker-wide value.
 */
import { ConfigValueError, int, type Kind } from "./kinds.js";
import { type SectionValues, setting } from "./setting.js";

const UNLIMITED = 2147483647;

/** host:count pairs, comma-separated, as Kafka reads max.connections.per.ip.overrides. */
export function parseIpOverrides(raw: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const part of raw.split(",")) {
    const entry = part.trim();
    if (entry === "") continue;
    const colon = entry.lastIndexOf(":");
    const host = entry.slice(0, colon).trim();
    const count = entry.slice(colon + 1).trim();
    if (colon <= 0 || host === "" || !/^\d+$/.test(count) || Number(count) > UNLIMITED)
      throw new ConfigValueError(`"${entry}" is not a host:count pair with a count of type INT`);
    out.set(host, Number(count));
  }
  return out;
}

function ipOverrides(): Kind<string> {
  return {
    type: "string",
    parse(raw) {
      parseIpOverrides(raw);
      return raw.trim();
    },
    format: (v) => v,
  };
}

export const LIMIT_SETTINGS = {
  controllerQuotaWindowNum: setting({
    name: "controller.quota.window.num",
    kind: int(1),
    default: 11,
    importance: "low",
    doc: "Number of windows a controller mutation quota's burst spans (the burst is quota x windows x window size).",
  }),
  controllerQuotaWindowSizeSeconds: setting({
    name: "controller.quota.window.size.seconds",
    kind: int(1),
    default: 1,
    importance: "low",
    doc: "Length of each window of the controller mutation quota.",
  }),
  maxConnectionCreationRate: setting({
    name: "max.connection.creation.rate",
    kind: int(0),
    default: UNLIMITED,
    importance: "medium",
    doc: "New connections the broker accepts per second on a listener; past it, accepting waits (at most one quota window). The inter-broker listener is exempt from the broker-wide value when there are several listeners.",
  }),
  maxConnections: setting({
    name: "max.connections",
    kind: int(0),
    default: UNLIMITED,
    importance: "medium",
    doc: "Connections the broker holds at once, and each listener by default; past it, accepting waits for one to close. The inter-broker listener is exempt from the broker-wide count when there are several listeners.",
  }),
  maxConnectionsPerIp: setting({
    name: "max.connections.per.ip",
    kind: int(0),
    default: UNLIMITED,
    importance: "medium",
    doc: "Connections one address may hold; a connection past it is closed at once. 0 is allowed only with max.connections.per.ip.overrides.",
  }),
  maxConnectionsPerIpOverrides: setting({
    name: "max.connections.per.ip.overrides",
    kind: ipOverrides(),
    default: "",
    defaultText: "(empty)",
    importance: "medium",
    doc: "Per-address exceptions to max.connections.per.ip, as host:count pairs separated by commas (a host name is resolved when the broker starts).",
  }),
};

export type LimitConfig = SectionValues<typeof LIMIT_SETTINGS>;
