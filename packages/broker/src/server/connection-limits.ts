/**
 * The connection limits the broker runs with, from its settings: the broker-wide ones,
 * each listener's (listener.name.<l>.max.connections and .max.connection.creation.rate,
 * else the broker-wide value, as Kafka reads them) and the per-ip overrides with their
 * host names resolved once, at start-up, as Kafka resolves them.
 */
import { isIP } from "node:net";
import type { BrokerConfig } from "../config/broker-config.js";
import { int } from "../config/kinds.js";
import { parseIpOverrides } from "../config/limit-settings.js";
import { listenerOverride } from "../config/listener-overrides.js";
import { interBrokerListenerName } from "../config/listener-plan.js";
import {
  type ConnectionLimitConfig,
  type ListenerLimit,
  normalAddress,
} from "./connection-quotas.js";

function listenerLimit(config: BrokerConfig, listener: string): ListenerLimit {
  const read = (base: string, fallback: number) => {
    const raw = listenerOverride(config, listener, base);
    return raw === undefined ? fallback : int(0).parse(raw);
  };
  return {
    maxConnections: read("max.connections", config.maxConnections),
    maxCreationRate: read("max.connection.creation.rate", config.maxConnectionCreationRate),
  };
}

export async function connectionLimits(
  config: BrokerConfig,
  listeners: readonly string[],
): Promise<ConnectionLimitConfig> {
  const perIpOverrides = new Map<string, number>();
  for (const [host, count] of parseIpOverrides(config.maxConnectionsPerIpOverrides)) {
    const address = isIP(host) !== 0 ? host : (await lookupHost(host)).address;
    perIpOverrides.set(normalAddress(address), count);
  }
  return {
    maxConnections: config.maxConnections,
    maxCreationRate: config.maxConnectionCreationRate,
    maxPerIp: config.maxConnectionsPerIp,
    perIpOverrides,
    listeners: new Map(listeners.map((l) => [l, listenerLimit(config, l)])),
    interBrokerListener: interBrokerListenerName(config),
    rate: { samples: config.quotaWindowNum, windowMs: config.quotaWindowSizeSeconds * 1000 },
  };
}

/** node:dns is loaded only when a host name needs resolving (start-up should not pay for it). */
async function lookupHost(host: string): Promise<{ address: string }> {
  return (await import("node:dns/promises")).lookup(host);
}
