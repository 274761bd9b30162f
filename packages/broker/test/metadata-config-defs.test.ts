/**
 * The topic config table: every Kafka topic config is known, values are checked by
 * type and range, and the mapped ones land in the storage LogConfig.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { ErrorCode } from "@logbook/protocol";
import { logConfig } from "@logbook/storage";
import { BROKER_SETTINGS, TOPIC_CONFIG_DEFS } from "../src/config/schema.js";
import { brokerConfig } from "../src/config.js";
import { checkTopicConfigs, effectiveLogConfig } from "../src/metadata/topic-config.js";
import { checkTopicName } from "../src/metadata/topic-names.js";

const KAFKA_TOPIC_CONFIGS = [
  "cleanup.policy",
  "compression.type",
  "delete.retention.ms",
  "file.delete.delay.ms",
  "flush.messages",
  "flush.ms",
  "index.interval.bytes",
  "local.retention.bytes",
  "local.retention.ms",
  "max.compaction.lag.ms",
  "max.message.bytes",
  "message.downconversion.enable",
  "message.timestamp.difference.max.ms",
  "message.timestamp.type",
  "min.cleanable.dirty.ratio",
  "min.compaction.lag.ms",
  "min.insync.replicas",
  "preallocate",
  "retention.bytes",
  "retention.ms",
  "segment.bytes",
  "segment.index.bytes",
  "segment.jitter.ms",
  "segment.ms",
  "unclean.leader.election.enable",
];

test("every Kafka topic config is defined, documented, and its default passes its own check", () => {
  const names = new Set(TOPIC_CONFIG_DEFS.map((d) => d.name));
  for (const n of KAFKA_TOPIC_CONFIGS) assert.ok(names.has(n), n);
  const config = brokerConfig();
  for (const d of TOPIC_CONFIG_DEFS) {
    assert.ok(d.doc.length > 10, d.name);
    assert.deepEqual(
      checkTopicConfigs(new Map([[d.name, d.defaultValue(config)]])),
      { ok: true },
      d.name,
    );
  }
  const brokerNames = new Set(BROKER_SETTINGS.map((d) => d.name));
  for (const n of [
    "node.id",
    "log.dirs",
    "num.partitions",
    "auto.create.topics.enable",
    "message.max.bytes",
    "log.retention.ms",
    "log.segment.bytes",
  ]) {
    assert.ok(brokerNames.has(n), n);
  }
});

test("values are checked by type, range and choice", () => {
  const bad: [string, string][] = [
    ["retention.ms", "1.5"],
    ["retention.ms", "-2"],
    ["segment.bytes", "99999999999"],
    ["segment.bytes", "10"],
    ["min.cleanable.dirty.ratio", "1.5"],
    ["cleanup.policy", "delete,archive"],
    ["cleanup.policy", ""],
    ["compression.type", "brotli"],
    ["message.timestamp.type", "WallClock"],
    ["preallocate", "yes"],
    ["min.insync.replicas", "0"],
    ["remote.storage.enable", "true"],
    ["flush.messages", "0"],
  ];
  for (const [name, value] of bad) {
    const r = checkTopicConfigs(new Map([[name, value]]));
    assert.equal(r.ok, false, `${name}=${value}`);
    if (!r.ok) {
      assert.equal(r.errorCode, ErrorCode.INVALID_CONFIG);
      assert.match(r.message, new RegExp(name.replaceAll(".", "\\.")));
    }
  }
  const good: [string, string][] = [
    ["retention.ms", "-1"],
    ["retention.bytes", "-1"],
    ["flush.ms", "9223372036854775807"],
    ["cleanup.policy", "compact, delete"],
    ["min.cleanable.dirty.ratio", "0.1"],
    ["compression.type", "zstd"],
    ["preallocate", "TRUE"],
    ["leader.replication.throttled.replicas", "0:0,1:0"],
  ];
  for (const [name, value] of good)
    assert.deepEqual(checkTopicConfigs(new Map([[name, value]])), { ok: true }, `${name}=${value}`);
  const nul = checkTopicConfigs(new Map([["retention.ms", null]]));
  assert.equal(nul.ok, false);
});

test("mapped configs land in the LogConfig on top of the broker defaults", () => {
  const config = brokerConfig({
    logDefaults: logConfig({ retentionMs: 1000, segmentBytes: 5000 }),
  });
  const log = effectiveLogConfig(
    config,
    new Map([
      ["cleanup.policy", "compact"],
      ["retention.bytes", "777"],
      ["segment.ms", "60000"],
      ["index.interval.bytes", "100"],
      ["delete.retention.ms", "5"],
      ["min.cleanable.dirty.ratio", "0.25"],
      ["flush.messages", "1"],
      ["flush.ms", "9223372036854775807"],
      ["message.timestamp.type", "LogAppendTime"],
      ["preallocate", "true"],
    ]),
  );
  assert.deepEqual(log, {
    ...config.logDefaults,
    cleanupPolicy: { compact: true, delete: false },
    retentionMs: 1000,
    segmentBytes: 5000,
    retentionBytes: 777,
    segmentMs: 60000,
    indexIntervalBytes: 100,
    deleteRetentionMs: 5,
    minCleanableDirtyRatio: 0.25,
    flushMessages: 1,
    flushMs: Number.MAX_SAFE_INTEGER,
    messageTimestampType: "LogAppendTime",
  });
  assert.deepEqual(
    config.logDefaults.cleanupPolicy,
    { delete: true, compact: false },
    "defaults untouched",
  );
});

test("topic names follow Kafka's rules", () => {
  for (const ok of ["a", "A.b_c-9", "x".repeat(249), "__consumer_offsets"])
    assert.equal(checkTopicName(ok).ok, true, ok);
  for (const bad of ["", ".", "..", "x".repeat(250), "a b", "ä", "a/b", "__cluster_metadata"]) {
    const r = checkTopicName(bad);
    assert.equal(r.ok, false, bad);
    if (!r.ok) assert.equal(r.errorCode, ErrorCode.INVALID_TOPIC_EXCEPTION);
  }
});
