/**
 * The config schema as one table: every setting can be set from every source and is
 * reported by DescribeConfigs for the broker; unknown names are warnings alike in every
 * source; topic configs take their defaults from their broker synonyms.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { type ConfigSources, loadConfig } from "../src/cli/load-config.js";
import { brokerConfig, DEFAULT_BROKER_CONFIG } from "../src/config/broker-config.js";
import { editDistance } from "../src/config/closest-name.js";
import { listenerErrors } from "../src/config/listener-plan.js";
import { SWITCH_VARIABLES } from "../src/config/not-settings.js";
import { settingRelationErrors } from "../src/config/relations.js";
import type { BrokerSetting } from "../src/config/rows.js";
import { BROKER_SETTINGS, envVarName, findSetting } from "../src/config/schema.js";
import {
  ConfigSource,
  describeBrokerConfigs,
  describeTopicConfigs,
} from "../src/metadata/config-describe.js";

const TEXT_CANDIDATES = [
  "debug",
  "compact",
  "LogAppendTime",
  "zstd",
  "2.8-IV1",
  "PLAINTEXT://10.0.0.2:1234",
  "/srv/logbook",
  "range",
  "PLAINTEXT",
  "PLAINTEXT:PLAINTEXT,SSL:SSL",
  "RULE:^CN=(.*)$/$1/L,DEFAULT",
  "TLSv1.3",
  "required",
  "SSL",
  "JKS",
  "TLSv1.2",
  "upgrade",
  "org.apache.kafka.metadata.authorizer.StandardAuthorizer",
  "User:admin",
  "org.apache.kafka.common.security.oauthbearer.BrokerJwtValidator",
  "TLS_AES_128_GCM_SHA256",
];

/**
 * Settings whose other values only make sense with others set in the same source:
 * the inter-broker protocol must name an advertised listener.
 */
const COMPANIONS: Readonly<Record<string, readonly [string, string][]>> = {
  "security.inter.broker.protocol": [
    ["listeners", "PLAINTEXT://:0,SSL://:0"],
    ["listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,SSL:PLAINTEXT"],
  ],
};

/** A valid value other than the default, found by trying a few (canonical) candidates. */
function otherValue(s: BrokerSetting): string {
  const builtIn = s.read(DEFAULT_BROKER_CONFIG);
  const n = Number(builtIn);
  const numeric = builtIn !== "" && Number.isFinite(n) ? [n + 1, n - 1, 1, 2].map(String) : [];
  const candidates = [...numeric, builtIn === "true" ? "false" : "true", ...TEXT_CANDIDATES];
  for (const c of candidates) {
    const config = structuredClone(DEFAULT_BROKER_CONFIG);
    try {
      for (const [name, value] of COMPANIONS[s.name] ?? []) findSetting(name)?.apply(config, value);
      s.apply(config, c);
    } catch {
      continue;
    }
    // A companion (min/max) must keep the setting it bounds valid.
    const given = { ...brokerConfig(config), staticSettings: [s.name] };
    if (
      s.read(config) === c &&
      c !== builtIn &&
      settingRelationErrors(config).length === 0 &&
      listenerErrors(given).length === 0
    )
      return c;
  }
  throw new Error(`no candidate value for ${s.name}: add one to TEXT_CANDIDATES`);
}

function sourcesSetting(s: BrokerSetting, value: string): [string, Partial<ConfigSources>][] {
  const pairs: [string, string][] = [...(COMPANIONS[s.name] ?? []), [s.name, value]];
  const all: [string, Partial<ConfigSources>][] = [
    [
      "file",
      {
        configFile: "f.properties",
        readFile: () => pairs.map(([n, v]) => `${n}=${v}\n`).join(""),
      },
    ],
    ["environment", { env: Object.fromEntries(pairs.map(([n, v]) => [envVarName(n), v])) }],
    ["-o", { overrides: pairs.map(([n, v]) => `${n}=${v}`) }],
  ];
  if (s.flag !== undefined && pairs.length === 1) all.push([s.flag, { cli: [[s.name, value]] }]);
  return all;
}

test("every setting is settable from every source and reported by DescribeConfigs BROKER", () => {
  const reported = new Set(describeBrokerConfigs(DEFAULT_BROKER_CONFIG).map((c) => c.name));
  assert.deepEqual(
    [...reported].sort(),
    BROKER_SETTINGS.map((s) => s.name).sort(),
    "reported = settable",
  );
  for (const s of BROKER_SETTINGS) {
    const value = otherValue(s);
    for (const [where, sources] of sourcesSetting(s, value)) {
      const loaded = loadConfig({ cli: [], env: {}, ...sources });
      assert.deepEqual(loaded.warnings, [], `${s.name} from ${where}`);
      const described = describeBrokerConfigs(loaded.config).find((c) => c.name === s.name);
      assert.equal(described?.value, value, `${s.name} from ${where}: reported value`);
      assert.equal(described?.isSensitive, s.type === "password", `${s.name}: sensitive`);
      assert.equal(
        described?.source,
        ConfigSource.STATIC_BROKER_CONFIG,
        `${s.name} from ${where}: reported source`,
      );
    }
    const untouched = describeBrokerConfigs(loadConfig({ cli: [], env: {} }).config).find(
      (c) => c.name === s.name,
    );
    assert.equal(untouched?.source, ConfigSource.DEFAULT_CONFIG, `${s.name}: default source`);
    assert.ok(s.doc.length > 10, `${s.name}: documented`);
  }
});

test("unknown names warn alike in every source, naming it and the closest setting", () => {
  const r = loadConfig({
    cli: [],
    configFile: "server.properties",
    readFile: () => "log.retention.hour=5\n",
    env: { LOGBOOK_NUM_PARTITONS: "3", LOGBOOK_DEBUG_FRAMES: "1", LOGBOOK_CONFIG: "" },
    overrides: ["auto.create.topic.enable=false"],
  });
  assert.deepEqual(r.warnings, [
    'unknown property "log.retention.hour" (server.properties:1) ignored; did you mean "log.retention.hours"?',
    'unknown property "LOGBOOK_NUM_PARTITONS" (environment) ignored; did you mean "LOGBOOK_NUM_PARTITIONS"?',
    'unknown property "auto.create.topic.enable" (--override auto.create.topic.enable) ignored; did you mean "auto.create.topics.enable"?',
  ]);
  assert.deepEqual(r.config, loadConfig({ cli: [], env: {} }).config, "nothing was set");
  // Kafka's cluster properties are ignored quietly in every source, too.
  const ignored = loadConfig({
    cli: [],
    env: { LOGBOOK_PROCESS_ROLES: "broker" },
    overrides: ["num.io.threads=8"],
  });
  assert.deepEqual(ignored.warnings, []);
  assert.deepEqual(ignored.ignored, ["process.roles", "num.io.threads"]);
  // Variables without the prefix are never candidates.
  assert.deepEqual(
    loadConfig({ cli: [], env: { NUM_PARTITIONS: "3", PATH: "/bin" } }).warnings,
    [],
  );
});

test("edit distance counts insertions, deletions and substitutions", () => {
  assert.equal(editDistance("port", "port"), 0);
  assert.equal(editDistance("prot", "port"), 2);
  assert.equal(editDistance("num.partitons", "num.partitions"), 1);
  assert.equal(editDistance("", "abc"), 3);
});

/** The LOGBOOK_* variables read through process.env anywhere in the repository's sources. */
function variablesRead(dir: string, out: Set<string>): Set<string> {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (["node_modules", "dist", ".git", ".venv", "target", ".cache"].includes(e.name)) continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) variablesRead(p, out);
    else if (/\.(ts|mjs|js)$/.test(e.name))
      // process.env.X and env.X (an environment handed down as a parameter).
      for (const m of readFileSync(p, "utf8").matchAll(/\benv\.(LOGBOOK_[A-Z0-9_]+)/g))
        out.add(m[1] as string);
  }
  return out;
}

test("every LOGBOOK_ variable the code reads is a setting or a known switch (never warned about)", () => {
  const root = new URL("../../../", import.meta.url).pathname;
  const settingVariables = new Set(BROKER_SETTINGS.map((s) => envVarName(s.name)));
  const read = variablesRead(root, new Set());
  assert.ok(read.has("LOGBOOK_DEBUG_FRAMES"), "the scan finds the variables");
  for (const v of read)
    assert.ok(settingVariables.has(v) || SWITCH_VARIABLES.has(v), `${v} is neither`);
  const env = Object.fromEntries([...SWITCH_VARIABLES].map((v) => [v, "1"]));
  delete env.LOGBOOK_CONFIG;
  assert.deepEqual(loadConfig({ cli: [], env }).warnings, []);
});

test("a broker synonym sets its topic config's default, with units converted", () => {
  const { config } = loadConfig({
    cli: [],
    env: {},
    overrides: ["log.retention.hours=2", "compression.type=zstd", "log.roll.hours=1"],
  });
  const topic = new Map(describeTopicConfigs(config, new Map()).map((c) => [c.name, c]));
  assert.equal(topic.get("retention.ms")?.value, "7200000");
  assert.equal(topic.get("segment.ms")?.value, "3600000");
  assert.equal(topic.get("compression.type")?.value, "zstd");
  assert.equal(topic.get("compression.type")?.source, ConfigSource.STATIC_BROKER_CONFIG);
  assert.deepEqual(
    topic.get("compression.type")?.synonyms.map((s) => [s.name, s.value, s.source]),
    [
      ["compression.type", "zstd", ConfigSource.STATIC_BROKER_CONFIG],
      ["compression.type", "producer", ConfigSource.DEFAULT_CONFIG],
    ],
  );
  const broker = new Map(describeBrokerConfigs(config).map((c) => [c.name, c.value]));
  assert.equal(broker.get("log.retention.hours"), "2");
  assert.equal(broker.get("log.retention.minutes"), "120");
  assert.equal(broker.get("log.retention.ms"), "7200000");
});

test("the settings the broker's coordinators use come from the schema", () => {
  const { config } = loadConfig({
    cli: [],
    env: {
      LOGBOOK_TRANSACTIONAL_ID_EXPIRATION_MS: "5000",
      LOGBOOK_OFFSETS_RETENTION_CHECK_INTERVAL_MS: "1000",
      LOGBOOK_OFFSET_METADATA_MAX_BYTES: "10",
      LOGBOOK_GROUP_MAX_SIZE: "2147483647",
    },
  });
  assert.equal(config.transactionalIdExpirationMs, 5000);
  assert.equal(config.groups.offsetsRetentionCheckIntervalMs, 1000);
  assert.equal(config.groups.offsetMetadataMaxBytes, 10);
  assert.equal(config.groups.maxGroupSize, Number.POSITIVE_INFINITY, "Int.MAX_VALUE = unbounded");
});

test("every default passes its own validator and reads back the same", () => {
  const defaults = brokerConfig();
  for (const s of BROKER_SETTINGS) {
    const text = s.read(defaults);
    const config = structuredClone(defaults);
    assert.equal(s.apply(config, text), undefined, s.name);
    assert.equal(s.read(config), text, s.name);
    assert.ok(s.defaultText !== "", `${s.name}: default shown in docs`);
  }
});

test("a setting given its default value is still reported as STATIC_BROKER_CONFIG", () => {
  const { config } = loadConfig({
    cli: [["port", "9092"]],
    env: { LOGBOOK_NUM_PARTITIONS: "1" },
    configFile: "f.properties",
    readFile: () => "log.retention.hours=168\n",
  });
  const source = new Map(describeBrokerConfigs(config).map((c) => [c.name, c.source]));
  for (const name of ["port", "num.partitions", "log.retention.hours"])
    assert.equal(source.get(name), ConfigSource.STATIC_BROKER_CONFIG, name);
  assert.equal(source.get("log.retention.ms"), ConfigSource.DEFAULT_CONFIG);
});
