/**
 * The connection-limit settings (config/limit-settings.ts, server/connection-limits.ts):
 * Kafka's names and defaults, the listener.name.<l>. forms falling back to the
 * broker-wide values, per-ip overrides with host names resolved, the inter-broker
 * listener, and the start-up errors for values Kafka refuses.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { ConfigError, type ConfigSources, loadConfig } from "../src/cli/load-config.js";
import { connectionLimits } from "../src/server/connection-limits.js";
import { UNLIMITED } from "../src/server/connection-quotas.js";

function load(lines: string[], more: Partial<ConfigSources> = {}) {
  return loadConfig({
    cli: [],
    env: {},
    configFile: "server.properties",
    readFile: () => lines.join("\n"),
    ...more,
  }).config;
}

test("defaults: no limit anywhere; controller quota windows as Kafka's", async () => {
  const c = load([]);
  assert.equal(c.controllerQuotaWindowNum, 11);
  assert.equal(c.controllerQuotaWindowSizeSeconds, 1);
  const l = await connectionLimits(c, ["PLAINTEXT"]);
  assert.deepEqual(
    [l.maxConnections, l.maxCreationRate, l.maxPerIp, l.perIpOverrides.size],
    [UNLIMITED, UNLIMITED, UNLIMITED, 0],
  );
  assert.deepEqual(l.listeners.get("PLAINTEXT"), {
    maxConnections: UNLIMITED,
    maxCreationRate: UNLIMITED,
  });
  assert.equal(l.interBrokerListener, "PLAINTEXT");
});

test("listener forms fall back to the broker-wide values; overrides resolve host names", async () => {
  const c = load([
    "listeners=PLAINTEXT://127.0.0.1:0,INTERNAL://127.0.0.1:0",
    "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,INTERNAL:PLAINTEXT",
    "inter.broker.listener.name=INTERNAL",
    "max.connections=10",
    "max.connection.creation.rate=20",
    "listener.name.internal.max.connections=2",
    "listener.name.plaintext.max.connection.creation.rate=5",
    "max.connections.per.ip=3",
    "max.connections.per.ip.overrides=10.1.2.3:4, localhost:7",
  ]);
  const l = await connectionLimits(c, ["PLAINTEXT", "INTERNAL"]);
  assert.deepEqual(l.listeners.get("PLAINTEXT"), { maxConnections: 10, maxCreationRate: 5 });
  assert.deepEqual(l.listeners.get("INTERNAL"), { maxConnections: 2, maxCreationRate: 20 });
  assert.equal(l.interBrokerListener, "INTERNAL");
  assert.equal(l.maxPerIp, 3);
  assert.equal(l.perIpOverrides.get("10.1.2.3"), 4);
  const local = [...l.perIpOverrides].find(([a]) => a === "127.0.0.1" || a === "::1");
  assert.deepEqual(local?.[1], 7, "localhost resolved to its address");
});

test("values Kafka refuses stop the start", () => {
  const cases: [string[], RegExp][] = [
    [["max.connections.per.ip=0"], /max.connections.per.ip can be 0 only when/],
    [["max.connections=-1"], /max.connections/],
    [["max.connection.creation.rate=-5"], /max.connection.creation.rate/],
    [["max.connections.per.ip.overrides=nocount"], /max.connections.per.ip.overrides/],
    [["max.connections.per.ip.overrides=a:1,b:x"], /"b:x" is not a host:count pair/],
    [["listener.name.plaintext.max.connections=-1"], /listener.name.plaintext.max.connections/],
    [["controller.quota.window.num=0"], /controller.quota.window.num/],
  ];
  for (const [lines, pattern] of cases)
    assert.throws(
      () => load(lines),
      (e: unknown) => e instanceof ConfigError && pattern.test(e.message),
      lines.join(" | "),
    );
  assert.doesNotThrow(() =>
    load(["max.connections.per.ip=0", "max.connections.per.ip.overrides=127.0.0.1:5"]),
  );
});
