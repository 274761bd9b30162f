/**
 * The group-config table and the accessor the coordinators read: typed values with the
 * broker's defaults, share.auto.offset.reset's duration syntax, Kafka's checks, and
 * GroupConfigs' cache, validate-only and change listeners over an in-memory store.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  GROUP_CONFIG_DEFS,
  GROUP_CONFIG_SPECS,
  groupConfigValues,
} from "../src/config/group-config-defs.js";
import { brokerConfig } from "../src/config.js";
import { type GroupConfigStore, GroupConfigs } from "../src/metadata/group-configs.js";

const NONE = new Map<string, string>();

test("every group config's default passes its own check, on the default broker", () => {
  const config = brokerConfig();
  for (const def of GROUP_CONFIG_DEFS.values()) {
    assert.equal(def.check(def.defaultValue(config), config), null, def.name);
  }
  assert.equal(GROUP_CONFIG_DEFS.size, Object.keys(GROUP_CONFIG_SPECS).length);
});

test("typed values: the broker's share-group settings are the defaults, overrides win", () => {
  const config = brokerConfig({
    shareGroups: { ...brokerConfig().shareGroups, recordLockDurationMs: 20_000 },
  });
  const plain = groupConfigValues(config, NONE);
  assert.equal(plain.shareRecordLockDurationMs, 20_000);
  assert.equal(plain.consumerSessionTimeoutMs, 45_000);
  assert.deepEqual(plain.shareAutoOffsetReset, { kind: "latest" });
  assert.equal(plain.shareIsolationLevel, "read_uncommitted");
  assert.deepEqual(plain.streamsRackAwareAssignmentTags, []);
  const v = groupConfigValues(
    config,
    new Map([
      ["share.record.lock.duration.ms", "15000"],
      ["streams.rack.aware.assignment.tags", "zone, rack"],
      ["share.renew.acknowledge.enable", "false"],
    ]),
  );
  assert.equal(v.shareRecordLockDurationMs, 15_000);
  assert.deepEqual(v.streamsRackAwareAssignmentTags, ["zone", "rack"]);
  assert.equal(v.shareRenewAcknowledgeEnable, false);
});

test("defaults and ranges follow the broker's settings and their min/max companions", () => {
  const base = brokerConfig();
  const config = brokerConfig({
    groups: {
      ...base.groups,
      consumerSessionTimeoutMs: 20_000,
      consumerMinSessionTimeoutMs: 10_000,
      consumerHeartbeatIntervalMs: 2000,
      consumerMinHeartbeatIntervalMs: 1000,
    },
    shareGroups: { ...base.shareGroups, maxDeliveryCountLimit: 12, maxSessionTimeoutMs: 90_000 },
  });
  const check = (name: string, value: string) => GROUP_CONFIG_DEFS.get(name)?.check(value, config);
  const plain = groupConfigValues(config, NONE);
  assert.equal(plain.consumerSessionTimeoutMs, 20_000);
  assert.equal(plain.consumerHeartbeatIntervalMs, 2000);
  assert.equal(GROUP_CONFIG_DEFS.get("consumer.session.timeout.ms")?.defaultValue(config), "20000");
  assert.equal(check("consumer.session.timeout.ms", "15000"), null);
  assert.equal(
    check("consumer.session.timeout.ms", "5000"),
    "consumer.session.timeout.ms must be in the range 10000 to 60000 inclusive.",
  );
  assert.equal(check("consumer.heartbeat.interval.ms", "1000"), null);
  assert.equal(check("share.delivery.count.limit", "12"), null);
  assert.equal(
    check("share.delivery.count.limit", "13"),
    "share.delivery.count.limit must be in the range 2 to 12 inclusive.",
  );
  assert.equal(check("share.session.timeout.ms", "90000"), null);
  // Streams groups have no broker settings here: Kafka's default bounds stay.
  assert.equal(
    check("streams.session.timeout.ms", "90000"),
    "streams.session.timeout.ms must be in the range 45000 to 60000 inclusive.",
  );
});

test("share.auto.offset.reset: earliest, latest and by_duration with an ISO-8601 duration", () => {
  const config = brokerConfig();
  const reset = (value: string) =>
    groupConfigValues(config, new Map([["share.auto.offset.reset", value]])).shareAutoOffsetReset;
  const def = GROUP_CONFIG_DEFS.get("share.auto.offset.reset");
  assert.ok(def);
  assert.deepEqual(reset("earliest"), { kind: "earliest" });
  assert.deepEqual(reset("by_duration:PT0S"), { kind: "by_duration", durationMs: 0 });
  assert.deepEqual(reset("by_duration:P1D"), { kind: "by_duration", durationMs: 86_400_000 });
  assert.deepEqual(reset("by_duration:P1DT2H3M4.5S"), {
    kind: "by_duration",
    durationMs: 93_784_500,
  });
  assert.deepEqual(reset("by_duration:pt90m"), { kind: "by_duration", durationMs: 5_400_000 });
  for (const bad of [
    "EARLIEST",
    "by_duration:",
    "by_duration:P",
    "by_duration:PT",
    "by_duration:P1DT",
    "by_duration:-PT1H",
    "by_duration:PT-1H",
    "by_duration:1H",
    "none",
  ]) {
    assert.match(def.check(bad, config) ?? "", /must be either 'earliest', 'latest'/, bad);
  }
});

function memoryStore(): GroupConfigStore & { writes: number } {
  const m = new Map<string, ReadonlyMap<string, string>>();
  return {
    writes: 0,
    groupOverrides: (g) => m.get(g),
    groupsWithOverrides: () => [...m.keys()],
    async setGroupOverrides(g, o) {
      this.writes++;
      if (o.size === 0) m.delete(g);
      else m.set(g, o);
    },
  };
}

test("GroupConfigs: checks before storing, validate-only stores nothing, listeners hear changes", async () => {
  const store = memoryStore();
  const configs = new GroupConfigs(brokerConfig(), store);
  const heard: [string, number][] = [];
  const off = configs.onChange((g, v) => heard.push([g, v.shareDeliveryCountLimit]));

  const refused = await configs.set("g", new Map([["share.delivery.count.limit", "11"]]), false);
  assert.equal(refused.ok, false);
  const checkedOnly = await configs.set("g", new Map([["share.delivery.count.limit", "3"]]), true);
  assert.deepEqual(checkedOnly, { ok: true });
  assert.equal(store.writes, 0);
  assert.equal(configs.of("g").shareDeliveryCountLimit, 5);

  await configs.set("g", new Map([["share.delivery.count.limit", "3"]]), false);
  assert.equal(configs.of("g").shareDeliveryCountLimit, 3);
  assert.equal(configs.of("g"), configs.of("g"), "cached while the overrides are unchanged");
  assert.deepEqual(configs.configured(), ["g"]);
  await configs.set("g", NONE, false);
  assert.equal(configs.of("g").shareDeliveryCountLimit, 5);
  assert.deepEqual(configs.configured(), []);
  assert.deepEqual(heard, [
    ["g", 3],
    ["g", 5],
  ]);
  off();
  await configs.set("g", new Map([["share.delivery.count.limit", "4"]]), false);
  assert.equal(heard.length, 2, "no calls after unsubscribing");
});

test("GroupConfigs: concurrent changes to one group run one after another, none lost", async () => {
  const store = memoryStore();
  const slow: GroupConfigStore = {
    ...store,
    groupOverrides: (g) => store.groupOverrides(g),
    groupsWithOverrides: () => store.groupsWithOverrides(),
    // A write that takes a while: a read-modify-write race would lose one change.
    setGroupOverrides: async (g, o) => {
      await new Promise((r) => setTimeout(r, 5));
      await store.setGroupOverrides(g, o);
    },
  };
  const configs = new GroupConfigs(brokerConfig(), slow);
  const add = (name: string, value: string) =>
    configs.update("g", (current) => new Map([...current, [name, value]]), false);
  const results = await Promise.all([
    add("share.isolation.level", "read_committed"),
    add("share.auto.offset.reset", "earliest"),
    configs.update(
      "g",
      () => ({ ok: false, errorCode: 42, message: "refused before any check" }),
      false,
    ),
    add("share.delivery.count.limit", "3"),
  ]);
  assert.deepEqual(
    results.map((r) => r.ok),
    [true, true, false, true],
  );
  assert.deepEqual(Object.fromEntries(configs.overrides("g")), {
    "share.isolation.level": "read_committed",
    "share.auto.offset.reset": "earliest",
    "share.delivery.count.limit": "3",
  });
});
