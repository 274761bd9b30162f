/** Configuration loading for `logbook start`: properties syntax, mapping, precedence. */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { DEFAULT_LOG_CONFIG } from "@logbook/storage";
import { ConfigError, type ConfigSources, loadConfig } from "../src/cli/load-config.js";
import { parseProperties } from "../src/cli/properties.js";
import { renderSettingsTable } from "../src/config/readme-table.js";
import { BROKER_SETTINGS, envVarName } from "../src/config/schema.js";
import { DEFAULT_BROKER_CONFIG } from "../src/config.js";

const withFile = (text: string, rest: Partial<ConfigSources> = {}) =>
  loadConfig({ cli: [], env: {}, configFile: "server.properties", readFile: () => text, ...rest });

test("properties syntax: = and :, comments, blanks, continuation lines, whitespace", () => {
  const entries = parseProperties(
    [
      "# comment",
      "! also a comment",
      "",
      "  num.partitions = 3  ",
      "log.dirs:/var/lib/logbook",
      "listeners=PLAINTEXT://0.0.0.0:9093,\\",
      "    OTHER://127.0.0.1:9094",
      "flag.without.value",
      "path=C:\\\\dir\\\\",
    ].join("\r\n"),
  );
  assert.deepEqual(
    entries.map((e) => [e.key, e.value, e.line]),
    [
      ["num.partitions", "3", 4],
      ["log.dirs", "/var/lib/logbook", 5],
      ["listeners", "PLAINTEXT://0.0.0.0:9093,OTHER://127.0.0.1:9094", 6],
      ["flag.without.value", "", 8],
      ["path", "C:\\\\dir\\\\", 9],
    ],
  );
});

test("defaults: the broker's defaults, data in ./data on 127.0.0.1:9092", () => {
  const { config, logLevel, warnings } = loadConfig({ cli: [], env: {} });
  assert.equal(config.host, "127.0.0.1");
  assert.equal(config.port, 9092);
  assert.equal(config.dataDir, "./data");
  assert.equal(config.advertisedHost, "127.0.0.1");
  assert.deepEqual(config.logDefaults, DEFAULT_LOG_CONFIG);
  assert.equal(config.numPartitions, DEFAULT_BROKER_CONFIG.numPartitions);
  // Kafka's transaction defaults: 15 min, 7 days, 10 s, 1 hour.
  assert.deepEqual(
    [
      config.transactionMaxTimeoutMs,
      config.transactionalIdExpirationMs,
      config.transactionAbortTimedOutCheckIntervalMs,
      config.transactionRemoveExpiredCheckIntervalMs,
    ],
    [900_000, 604_800_000, 10_000, 3_600_000],
  );
  assert.equal(logLevel, "info");
  assert.deepEqual(warnings, []);
});

test("Kafka property names map onto BrokerConfig and its log defaults", () => {
  const { config, warnings } = withFile(
    [
      "node.id=3",
      "listeners=PLAINTEXT://:19092",
      "advertised.listeners=PLAINTEXT://kafka.local:29092",
      "log.dirs=/srv/logbook",
      "num.partitions=6",
      "auto.create.topics.enable=false",
      "delete.topic.enable=false",
      "message.max.bytes=2097152",
      "socket.request.max.bytes=5000000",
      "connections.max.idle.ms=30000",
      "log.retention.hours=1",
      "log.retention.bytes=1073741824",
      "log.segment.bytes=1048576",
      "log.roll.ms=60000",
      "log.cleanup.policy=compact,delete",
      "log.flush.interval.messages=1",
      "log.flush.interval.ms=9223372036854775807",
      "log.cleaner.min.cleanable.ratio=0.25",
      "log.message.timestamp.type=LogAppendTime",
      "transaction.max.timeout.ms=60000",
      "transactional.id.expiration.ms=3600000",
      "transaction.abort.timed.out.transaction.cleanup.interval.ms=500",
      "transaction.remove.expired.transaction.cleanup.interval.ms=60000",
    ].join("\n"),
  );
  assert.deepEqual(warnings, []);
  assert.equal(config.nodeId, 3);
  assert.equal(config.host, "0.0.0.0");
  assert.equal(config.port, 19092);
  assert.equal(config.advertisedHost, "kafka.local");
  assert.equal(config.advertisedPort, 29092);
  assert.equal(config.dataDir, "/srv/logbook");
  assert.equal(config.numPartitions, 6);
  assert.equal(config.autoCreateTopicsEnable, false);
  assert.equal(config.deleteTopicEnable, false);
  assert.equal(config.messageMaxBytes, 2097152);
  assert.equal(config.socketRequestMaxBytes, 5000000);
  assert.equal(config.connectionsMaxIdleMs, 30000);
  assert.equal(config.transactionMaxTimeoutMs, 60000);
  assert.equal(config.transactionalIdExpirationMs, 3600000);
  assert.equal(config.transactionAbortTimedOutCheckIntervalMs, 500);
  assert.equal(config.transactionRemoveExpiredCheckIntervalMs, 60000);
  assert.deepEqual(config.logDefaults, {
    ...DEFAULT_LOG_CONFIG,
    retentionMs: 3_600_000,
    retentionBytes: 1073741824,
    segmentBytes: 1048576,
    segmentMs: 60000,
    cleanupPolicy: { delete: true, compact: true },
    flushMessages: 1,
    flushMs: Number.MAX_SAFE_INTEGER,
    minCleanableDirtyRatio: 0.25,
    messageTimestampType: "LogAppendTime",
  });
});

test("listen on all interfaces: clients are told 127.0.0.1 unless advertised says otherwise", () => {
  const { config } = withFile("listeners=PLAINTEXT://0.0.0.0:9092");
  assert.equal(config.host, "0.0.0.0");
  assert.equal(config.advertisedHost, "127.0.0.1");
});

test("log.retention.ms beats .minutes beats .hours, whatever the order in the file", () => {
  const { config } = withFile(
    "log.retention.ms=1234\nlog.retention.minutes=2\nlog.retention.hours=3\nlog.roll.ms=500\nlog.roll.hours=1",
  );
  assert.equal(config.logDefaults.retentionMs, 1234);
  assert.equal(config.logDefaults.segmentMs, 500);
  assert.equal(
    withFile("log.retention.minutes=2\nlog.retention.hours=3").config.logDefaults.retentionMs,
    120_000,
  );
  assert.equal(withFile("log.retention.hours=-1").config.logDefaults.retentionMs, -1);
});

test("unknown properties warn (with file and line); Kafka cluster properties are ignored quietly", () => {
  const r = withFile(
    "num.partitions=2\nnum.partitons=3\nprocess.roles=broker,controller\nbroker.id=7",
  );
  assert.equal(r.config.numPartitions, 2);
  assert.equal(r.config.nodeId, 7, "broker.id is node.id");
  assert.deepEqual(r.warnings, [
    'unknown property "num.partitons" (server.properties:2) ignored; did you mean "num.partitions"?',
  ]);
  assert.deepEqual(r.ignored, ["process.roles"]);
});

test("every setting has an environment variable: LOGBOOK_ + upper case, dots as underscores", () => {
  assert.equal(envVarName("num.partitions"), "LOGBOOK_NUM_PARTITIONS");
  assert.equal(envVarName("port"), "LOGBOOK_PORT");
  assert.equal(envVarName("data.dir"), "LOGBOOK_DATA_DIR");
  const { config, logLevel } = loadConfig({
    cli: [],
    env: {
      LOGBOOK_NUM_PARTITIONS: "4",
      LOGBOOK_PORT: "9999",
      LOGBOOK_DATA_DIR: "/env/data",
      LOGBOOK_LOG_LEVEL: "debug",
      LOGBOOK_LOG_RETENTION_MS: "-1",
      LOGBOOK_AUTO_CREATE_TOPICS_ENABLE: "false",
      LOGBOOK_DEBUG_FRAMES: "1", // not a setting: ignored, no warning
    },
  });
  assert.equal(config.numPartitions, 4);
  assert.equal(config.port, 9999);
  assert.equal(config.dataDir, "/env/data");
  assert.equal(config.logDefaults.retentionMs, -1);
  assert.equal(config.autoCreateTopicsEnable, false);
  assert.equal(logLevel, "debug");
});

test("precedence: command line > environment > file > defaults, setting by setting", () => {
  const r = withFile("port=1111\nnum.partitions=2\nlog.dirs=/file\nhost=10.0.0.1", {
    env: { LOGBOOK_PORT: "2222", LOGBOOK_NUM_PARTITIONS: "3" },
    cli: [["port", "3333"]],
  });
  assert.equal(r.config.port, 3333, "CLI beats env and file");
  assert.equal(r.config.numPartitions, 3, "env beats file");
  assert.equal(r.config.dataDir, "/file", "file beats default");
  assert.equal(r.config.host, "10.0.0.1");
  // A later source's listeners override only what they set; --port still wins over it.
  const l = withFile("listeners=PLAINTEXT://0.0.0.0:1000", {
    env: { LOGBOOK_LISTENERS: "PLAINTEXT://127.0.0.2:2000" },
    cli: [["port", "3000"]],
  });
  assert.deepEqual([l.config.host, l.config.port], ["127.0.0.2", 3000]);
  // LOGBOOK_CONFIG names the file when --config is absent.
  const viaEnv = loadConfig({
    cli: [],
    env: { LOGBOOK_CONFIG: "x.properties" },
    readFile: (p) => (p === "x.properties" ? "num.partitions=9" : ""),
  });
  assert.equal(viaEnv.config.numPartitions, 9);
  assert.equal(viaEnv.configFile, "x.properties");
});

test("--override sets any property and loses to the dedicated flag", () => {
  const r = loadConfig({
    cli: [["port", "7"]],
    overrides: ["port=8", "log.segment.bytes=4096", "log.cleanup.policy=compact"],
    env: {},
  });
  assert.equal(r.config.port, 7);
  assert.equal(r.config.logDefaults.segmentBytes, 4096);
  assert.deepEqual(r.config.logDefaults.cleanupPolicy, { delete: false, compact: true });
  assert.throws(() => loadConfig({ cli: [], overrides: ["port"], env: {} }), ConfigError);
});

test("invalid values are refused with where they came from", () => {
  const cases: [Partial<ConfigSources>, RegExp][] = [
    [{ cli: [["port", "70000"]] }, /--port: invalid port: Value must be between 0 and 65535/],
    [{ env: { LOGBOOK_NUM_PARTITIONS: "two" } }, /LOGBOOK_NUM_PARTITIONS: invalid num.partitions/],
    [{ env: { LOGBOOK_LOG_LEVEL: "loud" } }, /invalid log.level/],
    [
      { env: { LOGBOOK_AUTO_CREATE_TOPICS_ENABLE: "yes" } },
      /Expected value to be either true or false/,
    ],
    [{ env: { LOGBOOK_LISTENERS: "SSL://:9093" } }, /SSL listener SSL has no key/],
    [{ env: { LOGBOOK_LISTENERS: "SASL_SSL://:9093" } }, /SASL mechanism GSSAPI is not served/],
    [{ env: { LOGBOOK_LISTENERS: "localhost:9092" } }, /NAME:\/\/host:port/],
    [{ env: { LOGBOOK_LOG_CLEANUP_POLICY: "forever" } }, /invalid log.cleanup.policy/],
    [{ env: { LOGBOOK_LOG_RETENTION_MS: "99999999999999999999" } }, /Not a number of type LONG/],
    [
      { env: { LOGBOOK_TRANSACTIONAL_ID_EXPIRATION_MS: "0" } },
      /LOGBOOK_TRANSACTIONAL_ID_EXPIRATION_MS: invalid transactional.id.expiration.ms/,
    ],
  ];
  for (const [sources, pattern] of cases) {
    assert.throws(() => loadConfig({ cli: [], env: {}, ...sources }), pattern);
  }
  assert.throws(() => withFile("num.partitions=0"), /server.properties:1: invalid num.partitions/);
  assert.throws(
    () => loadConfig({ cli: [], env: {}, configFile: "/nonexistent/logbook.properties" }),
    /cannot read config file \/nonexistent\/logbook.properties/,
  );
});

test("the README's configuration table is the one generated from the schema", () => {
  const readme = readFileSync(new URL("../../../README.md", import.meta.url), "utf8");
  assert.ok(
    readme.includes(renderSettingsTable()),
    "README.md's settings table is stale: run npx tsx scripts/write-readme-settings.ts",
  );
  const rows = new Map(
    readme
      .split("\n")
      .filter((l) => l.startsWith("| `"))
      .map((l) => [/^\| `([^`]+)`/.exec(l)?.[1] ?? "", l]),
  );
  for (const s of BROKER_SETTINGS) {
    const row = rows.get(s.name);
    assert.ok(row, `README row for ${s.name}`);
    assert.ok(row.includes(`\`${envVarName(s.name)}\``), `${s.name}: env var in README`);
    if (s.flag !== undefined) assert.ok(row.includes(`\`${s.flag}\``), `${s.name}: flag in README`);
  }
});

test("a setting with min/max companions must lie between them, as Kafka checks at start-up", () => {
  assert.throws(
    () => withFile("group.share.record.lock.duration.ms=3000\n"),
    (e: unknown) =>
      e instanceof ConfigError &&
      e.message ===
        "group.share.record.lock.duration.ms must be greater than or equal to group.share.min.record.lock.duration.ms",
  );
  const lowered = withFile(
    "group.share.min.record.lock.duration.ms=1000\ngroup.share.record.lock.duration.ms=3000\n",
  );
  assert.equal(lowered.config.shareGroups.recordLockDurationMs, 3000);
  assert.throws(
    () => withFile("group.share.max.delivery.count.limit=6\ngroup.share.delivery.count.limit=7\n"),
    /group.share.delivery.count.limit must be less than or equal to group.share.max.delivery.count.limit/,
  );
});

test("consumer-group timeouts lie between their bounds and the heartbeat is below the session, as Kafka checks", () => {
  const refused = (file: string, message: string) =>
    assert.throws(
      () => withFile(file),
      (e: unknown) => e instanceof ConfigError && e.message.includes(message),
    );
  refused(
    "group.consumer.session.timeout.ms=30000\n",
    "group.consumer.session.timeout.ms must be greater than or equal to group.consumer.min.session.timeout.ms",
  );
  refused(
    "group.consumer.heartbeat.interval.ms=20000\n",
    "group.consumer.heartbeat.interval.ms must be less than or equal to group.consumer.max.heartbeat.interval.ms",
  );
  refused(
    "group.consumer.min.session.timeout.ms=70000\ngroup.consumer.session.timeout.ms=70000\n",
    "group.consumer.max.session.timeout.ms must be greater than or equal to group.consumer.min.session.timeout.ms",
  );
  refused(
    "group.consumer.max.heartbeat.interval.ms=60000\ngroup.consumer.heartbeat.interval.ms=50000\ngroup.consumer.session.timeout.ms=50000\n",
    "group.consumer.heartbeat.interval.ms must be less than group.consumer.session.timeout.ms",
  );
  refused(
    "group.share.max.heartbeat.interval.ms=60000\ngroup.share.heartbeat.interval.ms=50000\ngroup.share.session.timeout.ms=50000\n",
    "group.share.heartbeat.interval.ms must be less than group.share.session.timeout.ms",
  );
  const widened = withFile(
    "group.consumer.min.session.timeout.ms=10000\ngroup.consumer.session.timeout.ms=10000\ngroup.consumer.min.heartbeat.interval.ms=1000\ngroup.consumer.heartbeat.interval.ms=1000\n",
  );
  assert.equal(widened.config.groups.consumerSessionTimeoutMs, 10_000);
  assert.equal(widened.config.groups.consumerMinHeartbeatIntervalMs, 1000);
});

test("group.consumer.migration.policy takes Kafka's values in any case and refuses others", () => {
  assert.equal(DEFAULT_BROKER_CONFIG.groups.consumerMigrationPolicy, "bidirectional");
  const upper = withFile("group.consumer.migration.policy=UpGrade\n");
  assert.equal(upper.config.groups.consumerMigrationPolicy, "upgrade");
  assert.equal(
    withFile("group.consumer.migration.policy=disabled\n").config.groups.consumerMigrationPolicy,
    "disabled",
  );
  assert.throws(
    () => withFile("group.consumer.migration.policy=sideways\n"),
    (e: unknown) =>
      e instanceof ConfigError && e.message.includes("group.consumer.migration.policy"),
  );
});
