import type { LogConfig } from "@logbook/storage";
import type { BrokerConfig } from "../config.js";
import {
  atLeast,
  between,
  type ConfigType,
  LONG_MAX,
  listOf,
  longToNumber,
  matches,
  numberToLong,
  oneOf,
  parseList,
  type ValueCheck,
} from "./config-values.js";

/**
 * Every topic config Kafka defines: its type, what it means, the broker property that
 * sets its default for all topics, how a value is checked, and where it lands in the
 * storage LogConfig. A def without `apply` is accepted, validated and reported, but
 * has no effect here (replication, tiered storage, preallocation, down-conversion…).
 */
export interface TopicConfigDef {
  readonly name: string;
  readonly type: ConfigType;
  readonly doc: string;
  /** The broker property giving every topic its default (e.g. log.retention.ms). */
  readonly brokerSynonym: string | null;
  /**
   * Kafka's broker property has no default of its own (it falls back to another one,
   * e.g. log.retention.ms to log.retention.hours), so DescribeConfigs lists no
   * DEFAULT_CONFIG synonym for it, as Kafka.
   */
  readonly brokerDefaultUnset?: true;
  /** The value a topic gets without an override on this broker. */
  defaultValue(config: BrokerConfig): string;
  readonly check?: ValueCheck;
  /** Writes an (already checked) value into the log settings. */
  readonly apply?: (log: LogConfig, value: string) => void;
}

function fixed(value: string): (config: BrokerConfig) => string {
  return () => value;
}

function fromLog(get: (log: LogConfig) => string): (config: BrokerConfig) => string {
  return (config) => get(config.logDefaults);
}

function policyString(p: LogConfig["cleanupPolicy"]): string {
  return [p.compact ? "compact" : "", p.delete ? "delete" : ""].filter((s) => s !== "").join(",");
}

const COMPRESSION = ["uncompressed", "zstd", "lz4", "snappy", "gzip", "producer"] as const;
const THROTTLED = /^(\*|\s*|\d+\s*:\s*\d+(\s*,\s*\d+\s*:\s*\d+)*)$/;

export const TOPIC_CONFIG_DEFS: readonly TopicConfigDef[] = [
  {
    name: "cleanup.policy",
    type: "list",
    doc: "How old segments are reclaimed: 'delete' drops them by age or size, 'compact' keeps the latest record of each key; both may be given.",
    brokerSynonym: "log.cleanup.policy",
    defaultValue: fromLog((l) => policyString(l.cleanupPolicy)),
    check: listOf("cleanup.policy", ["compact", "delete"], false),
    apply: (l, v) => {
      const items = parseList(v);
      l.cleanupPolicy = { compact: items.includes("compact"), delete: items.includes("delete") };
    },
  },
  {
    name: "compression.type",
    type: "string",
    doc: "Codec the topic's data is kept in; 'producer' keeps whatever the producer sent. Logbook never recompresses, so only 'producer' changes nothing.",
    brokerSynonym: "compression.type",
    defaultValue: fixed("producer"),
    check: oneOf("compression.type", COMPRESSION),
  },
  {
    name: "compression.gzip.level",
    type: "int",
    doc: "Gzip level used when the broker itself compresses with gzip.",
    brokerSynonym: "compression.gzip.level",
    defaultValue: fixed("-1"),
    check: (v) => (v.trim() === "-1" ? null : between("compression.gzip.level", 1, 9)(v)),
  },
  {
    name: "compression.lz4.level",
    type: "int",
    doc: "LZ4 level used when the broker itself compresses with lz4.",
    brokerSynonym: "compression.lz4.level",
    defaultValue: fixed("9"),
    check: between("compression.lz4.level", 1, 17),
  },
  {
    name: "compression.zstd.level",
    type: "int",
    doc: "Zstandard level used when the broker itself compresses with zstd.",
    brokerSynonym: "compression.zstd.level",
    defaultValue: fixed("3"),
    check: between("compression.zstd.level", -131072, 22),
  },
  {
    name: "delete.retention.ms",
    type: "long",
    doc: "How long a tombstone stays readable after compaction reached it, so slow consumers still see the delete.",
    brokerSynonym: "log.cleaner.delete.retention.ms",
    defaultValue: fromLog((l) => numberToLong(l.deleteRetentionMs)),
    check: atLeast("delete.retention.ms", 0n),
    apply: (l, v) => {
      l.deleteRetentionMs = longToNumber(v);
    },
  },
  {
    name: "file.delete.delay.ms",
    type: "long",
    doc: "Grace period before a removed segment's files leave the disk.",
    brokerSynonym: "log.segment.delete.delay.ms",
    defaultValue: fixed("60000"),
    check: atLeast("file.delete.delay.ms", 0n),
  },
  {
    name: "flush.messages",
    type: "long",
    doc: "Force an fsync after this many records; the default leaves flushing to the OS.",
    brokerSynonym: "log.flush.interval.messages",
    defaultValue: fromLog((l) => numberToLong(l.flushMessages)),
    check: atLeast("flush.messages", 1n),
    apply: (l, v) => {
      l.flushMessages = longToNumber(v);
    },
  },
  {
    name: "flush.ms",
    type: "long",
    doc: "Force an fsync when unflushed data is this old; the default leaves flushing to the OS.",
    brokerSynonym: "log.flush.interval.ms",
    brokerDefaultUnset: true,
    defaultValue: fromLog((l) => numberToLong(l.flushMs)),
    check: atLeast("flush.ms", 0n),
    apply: (l, v) => {
      l.flushMs = longToNumber(v);
    },
  },
  {
    name: "follower.replication.throttled.replicas",
    type: "list",
    doc: "Replicas ('partition:broker' pairs, or '*') whose follower-side replication is throttled.",
    brokerSynonym: null,
    defaultValue: fixed(""),
    check: matches(
      "follower.replication.throttled.replicas",
      THROTTLED,
      "expected '*' or partition:broker pairs",
    ),
  },
  {
    name: "index.interval.bytes",
    type: "int",
    doc: "Bytes of log between two entries of the sparse offset index.",
    brokerSynonym: "log.index.interval.bytes",
    defaultValue: fromLog((l) => String(l.indexIntervalBytes)),
    check: atLeast("index.interval.bytes", 0n),
    apply: (l, v) => {
      l.indexIntervalBytes = longToNumber(v);
    },
  },
  {
    name: "leader.replication.throttled.replicas",
    type: "list",
    doc: "Replicas ('partition:broker' pairs, or '*') whose leader-side replication is throttled.",
    brokerSynonym: null,
    defaultValue: fixed(""),
    check: matches(
      "leader.replication.throttled.replicas",
      THROTTLED,
      "expected '*' or partition:broker pairs",
    ),
  },
  {
    name: "local.retention.bytes",
    type: "long",
    doc: "With tiered storage, bytes kept on local disk; -2 means the same as retention.bytes.",
    brokerSynonym: "log.local.retention.bytes",
    defaultValue: fixed("-2"),
    check: atLeast("local.retention.bytes", -2n),
  },
  {
    name: "local.retention.ms",
    type: "long",
    doc: "With tiered storage, how long data stays on local disk; -2 means the same as retention.ms.",
    brokerSynonym: "log.local.retention.ms",
    defaultValue: fixed("-2"),
    check: atLeast("local.retention.ms", -2n),
  },
  {
    name: "max.compaction.lag.ms",
    type: "long",
    doc: "Longest a record may wait before it becomes eligible for compaction.",
    brokerSynonym: "log.cleaner.max.compaction.lag.ms",
    defaultValue: fixed(LONG_MAX),
    check: atLeast("max.compaction.lag.ms", 1n),
  },
  {
    name: "max.message.bytes",
    type: "int",
    doc: "Largest record batch (after compression) the topic accepts.",
    brokerSynonym: "message.max.bytes",
    defaultValue: (c) => String(c.messageMaxBytes),
    check: atLeast("max.message.bytes", 0n),
  },
  {
    name: "message.downconversion.enable",
    type: "boolean",
    doc: "Whether old fetch versions may get records converted to an older format.",
    brokerSynonym: "log.message.downconversion.enable",
    defaultValue: fixed("true"),
  },
  {
    name: "message.format.version",
    type: "string",
    doc: "Record format the topic is written in (deprecated; always the current format here).",
    brokerSynonym: "log.message.format.version",
    defaultValue: fixed("3.0-IV1"),
    check: matches("message.format.version", /^\d+\.\d+(\.\d+)?(-IV\d+)?$/, "not a known version"),
  },
  {
    name: "message.timestamp.after.max.ms",
    type: "long",
    doc: "How far in the future a CreateTime timestamp may be, relative to the broker clock.",
    brokerSynonym: "log.message.timestamp.after.max.ms",
    defaultValue: (c) => String(c.messageTimestampAfterMaxMs),
    check: atLeast("message.timestamp.after.max.ms", 0n),
  },
  {
    name: "message.timestamp.before.max.ms",
    type: "long",
    doc: "How far in the past a CreateTime timestamp may be, relative to the broker clock.",
    brokerSynonym: "log.message.timestamp.before.max.ms",
    defaultValue: (c) => numberToLong(c.messageTimestampBeforeMaxMs),
    check: atLeast("message.timestamp.before.max.ms", 0n),
  },
  {
    name: "message.timestamp.difference.max.ms",
    type: "long",
    doc: "Largest distance between a CreateTime timestamp and the broker clock (deprecated for the before/after pair).",
    brokerSynonym: "log.message.timestamp.difference.max.ms",
    defaultValue: fixed(LONG_MAX),
    check: atLeast("message.timestamp.difference.max.ms", 0n),
  },
  {
    name: "message.timestamp.type",
    type: "string",
    doc: "Whether records keep the producer's timestamp (CreateTime) or get the broker's append time (LogAppendTime).",
    brokerSynonym: "log.message.timestamp.type",
    defaultValue: fromLog((l) => l.messageTimestampType),
    check: oneOf("message.timestamp.type", ["CreateTime", "LogAppendTime"]),
    apply: (l, v) => {
      l.messageTimestampType = v.trim() === "LogAppendTime" ? "LogAppendTime" : "CreateTime";
    },
  },
  {
    name: "min.cleanable.dirty.ratio",
    type: "double",
    doc: "Compaction starts once this share of the log has not been compacted yet.",
    brokerSynonym: "log.cleaner.min.cleanable.ratio",
    defaultValue: fromLog((l) => String(l.minCleanableDirtyRatio)),
    check: between("min.cleanable.dirty.ratio", 0, 1),
    apply: (l, v) => {
      l.minCleanableDirtyRatio = Number(v);
    },
  },
  {
    name: "min.compaction.lag.ms",
    type: "long",
    doc: "Shortest time a record stays uncompacted after it is written.",
    brokerSynonym: "log.cleaner.min.compaction.lag.ms",
    defaultValue: fixed("0"),
    check: atLeast("min.compaction.lag.ms", 0n),
  },
  {
    name: "min.insync.replicas",
    type: "int",
    doc: "Replicas that must acknowledge an acks=all write; with one broker only 1 can be met.",
    brokerSynonym: "min.insync.replicas",
    defaultValue: fixed("1"),
    check: atLeast("min.insync.replicas", 1n),
  },
  {
    name: "preallocate",
    type: "boolean",
    doc: "Whether a new segment's file is allocated at full size up front.",
    brokerSynonym: "log.preallocate",
    defaultValue: fixed("false"),
  },
  {
    name: "remote.log.copy.disable",
    type: "boolean",
    doc: "With tiered storage, stop copying segments to remote storage.",
    brokerSynonym: null,
    defaultValue: fixed("false"),
  },
  {
    name: "remote.log.delete.on.disable",
    type: "boolean",
    doc: "With tiered storage, delete remote data when tiering is switched off.",
    brokerSynonym: null,
    defaultValue: fixed("false"),
  },
  {
    name: "remote.storage.enable",
    type: "boolean",
    doc: "Move closed segments to remote (tiered) storage; not available on this broker.",
    brokerSynonym: null,
    defaultValue: fixed("false"),
    check: (v) =>
      v.trim().toLowerCase() === "true"
        ? "Invalid value true for configuration remote.storage.enable: tiered storage is not enabled on this broker"
        : null,
  },
  {
    name: "retention.bytes",
    type: "long",
    doc: "Largest a partition may grow before its oldest segments are deleted (-1: no limit).",
    brokerSynonym: "log.retention.bytes",
    defaultValue: fromLog((l) => numberToLong(l.retentionBytes)),
    apply: (l, v) => {
      l.retentionBytes = longToNumber(v);
    },
  },
  {
    name: "retention.ms",
    type: "long",
    doc: "How long records are kept before their segment may be deleted (-1: forever).",
    brokerSynonym: "log.retention.ms",
    brokerDefaultUnset: true,
    defaultValue: fromLog((l) => numberToLong(l.retentionMs)),
    check: atLeast("retention.ms", -1n),
    apply: (l, v) => {
      l.retentionMs = longToNumber(v);
    },
  },
  {
    name: "segment.bytes",
    type: "int",
    doc: "Size at which the active segment file is closed and a new one started.",
    brokerSynonym: "log.segment.bytes",
    defaultValue: fromLog((l) => String(l.segmentBytes)),
    check: atLeast("segment.bytes", 14n),
    apply: (l, v) => {
      l.segmentBytes = longToNumber(v);
    },
  },
  {
    name: "segment.index.bytes",
    type: "int",
    doc: "Largest size of a segment's offset index file.",
    brokerSynonym: "log.index.size.max.bytes",
    defaultValue: fixed(String(10 * 1024 * 1024)),
    check: atLeast("segment.index.bytes", 4n),
  },
  {
    name: "segment.jitter.ms",
    type: "long",
    doc: "Random amount taken off segment.ms so partitions do not all roll at once.",
    brokerSynonym: "log.roll.jitter.ms",
    brokerDefaultUnset: true,
    defaultValue: fixed("0"),
    check: atLeast("segment.jitter.ms", 0n),
  },
  {
    name: "segment.ms",
    type: "long",
    doc: "Age at which the active segment is closed even if not full, so retention and compaction can reach it.",
    brokerSynonym: "log.roll.ms",
    brokerDefaultUnset: true,
    defaultValue: fromLog((l) => numberToLong(l.segmentMs)),
    check: atLeast("segment.ms", 1n),
    apply: (l, v) => {
      l.segmentMs = longToNumber(v);
    },
  },
  {
    name: "unclean.leader.election.enable",
    type: "boolean",
    doc: "Whether a replica that is not in sync may become leader, at the cost of lost data.",
    brokerSynonym: "unclean.leader.election.enable",
    defaultValue: fixed("false"),
  },
];

const BY_NAME = new Map(TOPIC_CONFIG_DEFS.map((d) => [d.name, d]));

export function topicConfigDef(name: string): TopicConfigDef | undefined {
  return BY_NAME.get(name);
}
