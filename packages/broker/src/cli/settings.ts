/**
 * Every setting the CLI understands, in one table that drives the --config file, the
 * LOGBOOK_* environment variables, `--override`, the flags' help and the README's
 * configuration table (a test keeps the README in step). Names are Kafka's property
 * names where Kafka has one; host, port, advertised.host, advertised.port, data.dir
 * and log.level are Logbook's own shorthands.
 *
 * Within one source, settings apply in table order, so the more specific one wins when
 * a source sets both (port after listeners, log.retention.ms after .hours).
 */

import type { CoordinatorConfig } from "@logbook/group-coordinator";
import type { LogConfig, LogLevel } from "@logbook/storage";
import type { BrokerConfig } from "../config.js";
import {
  ConfigValueError,
  parseBool,
  parseCleanupPolicy,
  parseDouble,
  parseEnum,
  parseInt32,
  parseListeners,
  parseLong,
  parseNonEmpty,
} from "./values.js";

/** What the settings write into while the sources are applied, lowest precedence first. */
export interface ConfigDraft {
  broker: Partial<Omit<BrokerConfig, "logDefaults" | "groups">>;
  log: Partial<LogConfig>;
  groups: Partial<CoordinatorConfig>;
  logLevel: LogLevel;
  warnings: string[];
}

export interface Setting {
  /** Property name in a --config file and in `--override`. */
  readonly name: string;
  /** The dedicated command-line flag, when there is one. */
  readonly flag?: string;
  /** Default as shown in docs. */
  readonly defaultText: string;
  readonly meaning: string;
  apply(draft: ConfigDraft, raw: string): void;
}

export const LOG_LEVELS: readonly LogLevel[] = ["debug", "info", "warn", "error"];

const HOUR = 3_600_000;
const MINUTE = 60_000;

/** LOGBOOK_ + the upper-cased name, dots (and dashes) as underscores. */
export function envVarName(name: string): string {
  return `LOGBOOK_${name.toUpperCase().replace(/[.-]/g, "_")}`;
}

function firstListener(
  draft: ConfigDraft,
  raw: string,
  what: string,
): { host: string; port: number } {
  const all = parseListeners(raw);
  if (all.length > 1) draft.warnings.push(`${what}: only the first listener is used`);
  return all[0] as { host: string; port: number };
}

const brokerInt = (key: "numPartitions" | "nodeId", min: number, max?: number) =>
  function apply(d: ConfigDraft, raw: string) {
    d.broker[key] = parseInt32(raw, min, max);
  };

const groupInt =
  (key: keyof CoordinatorConfig, min: number, scale = 1) =>
  (d: ConfigDraft, raw: string): void => {
    d.groups[key] = parseInt32(raw, min) * scale;
  };

export const SETTINGS: readonly Setting[] = [
  {
    name: "log.level",
    flag: "--log-level",
    defaultText: "info",
    meaning: "Lowest level of the JSON log lines written to stderr (debug, info, warn, error).",
    apply: (d, raw) => {
      d.logLevel = parseEnum(raw.toLowerCase(), LOG_LEVELS);
    },
  },
  {
    name: "node.id",
    defaultText: "0",
    meaning: "This broker's id in Metadata responses (broker.id is accepted as an alias).",
    apply: brokerInt("nodeId", 0),
  },
  {
    name: "cluster.id",
    defaultText: "(empty)",
    meaning: "Cluster id reported to clients; when empty the broker decides.",
    apply: (d, raw) => {
      d.broker.clusterId = raw.trim();
    },
  },
  {
    name: "listeners",
    defaultText: "PLAINTEXT://127.0.0.1:9092",
    meaning: "Where to listen, NAME://host:port (empty host = all interfaces). Plaintext only.",
    apply: (d, raw) => {
      const l = firstListener(d, raw, "listeners");
      d.broker.host = l.host;
      d.broker.port = l.port;
    },
  },
  {
    name: "host",
    flag: "--host",
    defaultText: "127.0.0.1",
    meaning: "Listen address (overrides the host of listeners).",
    apply: (d, raw) => {
      d.broker.host = parseNonEmpty(raw);
    },
  },
  {
    name: "port",
    flag: "--port",
    defaultText: "9092",
    meaning: "Listen port; 0 picks a free one (the ready line shows it).",
    apply: (d, raw) => {
      d.broker.port = parseInt32(raw, 0, 65535);
    },
  },
  {
    name: "advertised.listeners",
    defaultText: "(the listener)",
    meaning: "Address clients are told to connect to, NAME://host:port.",
    apply: (d, raw) => {
      const l = firstListener(d, raw, "advertised.listeners");
      d.broker.advertisedHost = l.host;
      d.broker.advertisedPort = l.port;
    },
  },
  {
    name: "advertised.host",
    flag: "--advertised-host",
    defaultText: "(listen host; 127.0.0.1 for 0.0.0.0)",
    meaning: "Host clients are told to connect to (e.g. the name of a Docker host).",
    apply: (d, raw) => {
      d.broker.advertisedHost = parseNonEmpty(raw);
    },
  },
  {
    name: "advertised.port",
    flag: "--advertised-port",
    defaultText: "(listen port)",
    meaning: "Port clients are told to connect to; 0 = the port actually listened on.",
    apply: (d, raw) => {
      d.broker.advertisedPort = parseInt32(raw, 0, 65535);
    },
  },
  {
    name: "log.dir",
    defaultText: "./data",
    meaning: "Data directory (alias of log.dirs).",
    apply: (d, raw) => {
      d.broker.dataDir = parseNonEmpty(raw);
    },
  },
  {
    name: "log.dirs",
    defaultText: "./data",
    meaning: "Data directory (or a storage engine URL such as memory:). One directory only.",
    apply: (d, raw) => {
      const dirs = raw
        .split(",")
        .map((s) => s.trim())
        .filter((s) => s !== "");
      if (dirs.length === 0) throw new ConfigValueError("the value is empty");
      if (dirs.length > 1) d.warnings.push("log.dirs: only the first directory is used");
      d.broker.dataDir = dirs[0] as string;
    },
  },
  {
    name: "data.dir",
    flag: "--data-dir",
    defaultText: "./data",
    meaning: "Data directory (same as log.dirs); created when missing.",
    apply: (d, raw) => {
      d.broker.dataDir = parseNonEmpty(raw);
    },
  },
  {
    name: "socket.request.max.bytes",
    defaultText: "104857600",
    meaning: "Largest request frame; a larger size prefix closes the connection unread.",
    apply: (d, raw) => {
      d.broker.socketRequestMaxBytes = parseInt32(raw, 1);
    },
  },
  {
    name: "connections.max.idle.ms",
    defaultText: "600000",
    meaning: "Close a connection with no traffic for this long.",
    apply: (d, raw) => {
      d.broker.connectionsMaxIdleMs = parseInt32(raw, 1);
    },
  },
  {
    name: "max.pending.response.bytes",
    defaultText: "16777216",
    meaning: "Logbook: stop reading a connection while this many response bytes wait to be sent.",
    apply: (d, raw) => {
      d.broker.maxPendingResponseBytes = parseInt32(raw, 1);
    },
  },
  {
    name: "auto.create.topics.enable",
    defaultText: "true",
    meaning: "Create a topic when Metadata asks for an unknown one.",
    apply: (d, raw) => {
      d.broker.autoCreateTopicsEnable = parseBool(raw);
    },
  },
  {
    name: "num.partitions",
    defaultText: "1",
    meaning: "Partitions of an auto-created topic, and of CreateTopics with -1.",
    apply: brokerInt("numPartitions", 1, 100_000),
  },
  {
    name: "group.initial.rebalance.delay.ms",
    defaultText: "3000",
    meaning: "How long a new consumer group waits for more members before its first rebalance.",
    apply: groupInt("initialRebalanceDelayMs", 0),
  },
  {
    name: "group.min.session.timeout.ms",
    defaultText: "6000",
    meaning: "Smallest session timeout a consumer may ask for (INVALID_SESSION_TIMEOUT below).",
    apply: groupInt("minSessionTimeoutMs", 1),
  },
  {
    name: "group.max.session.timeout.ms",
    defaultText: "1800000",
    meaning: "Largest session timeout a consumer may ask for.",
    apply: groupInt("maxSessionTimeoutMs", 1),
  },
  {
    name: "group.max.size",
    defaultText: "unbounded",
    meaning: "Most members one consumer group may have (GROUP_MAX_SIZE_REACHED beyond).",
    apply: groupInt("maxGroupSize", 1),
  },
  {
    name: "offsets.retention.minutes",
    defaultText: "10080",
    meaning: "How long committed offsets of an empty group are kept.",
    apply: groupInt("offsetsRetentionMs", 1, MINUTE),
  },
  {
    name: "delete.topic.enable",
    defaultText: "true",
    meaning: "Allow DeleteTopics.",
    apply: (d, raw) => {
      d.broker.deleteTopicEnable = parseBool(raw);
    },
  },
  {
    name: "message.max.bytes",
    defaultText: "1048588",
    meaning: "Largest record batch accepted (per topic: max.message.bytes).",
    apply: (d, raw) => {
      d.broker.messageMaxBytes = parseInt32(raw, 0);
    },
  },
  {
    name: "transaction.max.timeout.ms",
    defaultText: "900000",
    meaning: "Largest transaction timeout a producer may ask for.",
    apply: (d, raw) => {
      d.broker.transactionMaxTimeoutMs = parseInt32(raw, 1);
    },
  },
  {
    name: "transactional.id.expiration.ms",
    defaultText: "604800000",
    meaning: "Forget a transactional id with no open transaction after this long without use.",
    apply: (d, raw) => {
      d.broker.transactionalIdExpirationMs = parseInt32(raw, 1);
    },
  },
  {
    name: "transaction.abort.timed.out.transaction.cleanup.interval.ms",
    defaultText: "10000",
    meaning: "How often open transactions are checked against their timeout (and aborted).",
    apply: (d, raw) => {
      d.broker.transactionAbortTimedOutCheckIntervalMs = parseInt32(raw, 1);
    },
  },
  {
    name: "transaction.remove.expired.transaction.cleanup.interval.ms",
    defaultText: "3600000",
    meaning: "How often transactional ids are checked against transactional.id.expiration.ms.",
    apply: (d, raw) => {
      d.broker.transactionRemoveExpiredCheckIntervalMs = parseInt32(raw, 1);
    },
  },
  {
    name: "log.segment.bytes",
    defaultText: "1073741824",
    meaning: "Roll to a new segment file at this size.",
    apply: (d, raw) => {
      d.log.segmentBytes = parseInt32(raw, 14);
    },
  },
  {
    name: "log.roll.hours",
    defaultText: "168",
    meaning: "Roll a non-empty segment after this long (log.roll.ms wins).",
    apply: (d, raw) => {
      d.log.segmentMs = parseInt32(raw, 1) * HOUR;
    },
  },
  {
    name: "log.roll.ms",
    defaultText: "604800000",
    meaning: "Roll a non-empty segment after this long.",
    apply: (d, raw) => {
      d.log.segmentMs = parseLong(raw, 1);
    },
  },
  {
    name: "log.index.interval.bytes",
    defaultText: "4096",
    meaning: "Bytes of log between two offset-index entries.",
    apply: (d, raw) => {
      d.log.indexIntervalBytes = parseInt32(raw, 0);
    },
  },
  {
    name: "log.retention.hours",
    defaultText: "168",
    meaning: "Delete segments older than this (.minutes and .ms win).",
    apply: (d, raw) => {
      const h = parseInt32(raw, -1);
      d.log.retentionMs = h < 0 ? -1 : h * HOUR;
    },
  },
  {
    name: "log.retention.minutes",
    defaultText: "(unset)",
    meaning: "Delete segments older than this (.ms wins).",
    apply: (d, raw) => {
      const m = parseInt32(raw, -1);
      d.log.retentionMs = m < 0 ? -1 : m * MINUTE;
    },
  },
  {
    name: "log.retention.ms",
    defaultText: "604800000",
    meaning: "Delete segments whose newest record is older than this; -1 keeps forever.",
    apply: (d, raw) => {
      d.log.retentionMs = parseLong(raw, -1);
    },
  },
  {
    name: "log.retention.bytes",
    defaultText: "-1",
    meaning: "Delete the oldest segments while a partition is larger; -1 = no limit.",
    apply: (d, raw) => {
      d.log.retentionBytes = parseLong(raw, -1);
    },
  },
  {
    name: "log.cleanup.policy",
    defaultText: "delete",
    meaning: "delete, compact, or compact,delete.",
    apply: (d, raw) => {
      d.log.cleanupPolicy = parseCleanupPolicy(raw);
    },
  },
  {
    name: "log.cleaner.delete.retention.ms",
    defaultText: "86400000",
    meaning: "How long compaction keeps tombstones.",
    apply: (d, raw) => {
      d.log.deleteRetentionMs = parseLong(raw, 0);
    },
  },
  {
    name: "log.cleaner.min.cleanable.ratio",
    defaultText: "0.5",
    meaning: "Compact once this share of a log is dirty.",
    apply: (d, raw) => {
      d.log.minCleanableDirtyRatio = parseDouble(raw, 0, 1);
    },
  },
  {
    name: "log.flush.interval.messages",
    defaultText: "9223372036854775807",
    meaning: "fsync after this many records (1 = every append); default leaves it to the OS.",
    apply: (d, raw) => {
      d.log.flushMessages = parseLong(raw, 1);
    },
  },
  {
    name: "log.retention.check.interval.ms",
    defaultText: "300000",
    meaning: "How often retention and compaction run over every partition.",
    apply: (d, raw) => {
      d.broker.logRetentionCheckIntervalMs = parseInt32(raw, 1);
    },
  },
  {
    name: "log.flush.interval.ms",
    defaultText: "9223372036854775807",
    meaning: "fsync when the oldest unflushed append is this old.",
    apply: (d, raw) => {
      d.log.flushMs = parseLong(raw, 0);
    },
  },
  {
    name: "log.message.timestamp.before.max.ms",
    defaultText: "9223372036854775807",
    meaning: "Refuse CreateTime records older than this (INVALID_TIMESTAMP).",
    apply: (d, raw) => {
      d.broker.messageTimestampBeforeMaxMs = parseLong(raw, 0);
    },
  },
  {
    name: "log.message.timestamp.after.max.ms",
    defaultText: "3600000",
    meaning: "Refuse CreateTime records further in the future than this (INVALID_TIMESTAMP).",
    apply: (d, raw) => {
      d.broker.messageTimestampAfterMaxMs = parseLong(raw, 0);
    },
  },
  {
    name: "log.message.timestamp.type",
    defaultText: "CreateTime",
    meaning: "CreateTime keeps the producer's timestamps; LogAppendTime stamps the broker's.",
    apply: (d, raw) => {
      d.log.messageTimestampType = parseEnum(raw, ["CreateTime", "LogAppendTime"] as const);
    },
  },
];

/** Accepted in a file as the same setting under another name. */
export const ALIASES: ReadonlyMap<string, string> = new Map([["broker.id", "node.id"]]);

/**
 * Properties of a Kafka server.properties that do not apply to a single-node broker;
 * accepted with an info line, not a warning, so Kafka's sample file loads quietly.
 */
export const IGNORED: ReadonlySet<string> = new Set([
  "process.roles",
  "controller.quorum.voters",
  "controller.quorum.bootstrap.servers",
  "controller.listener.names",
  "inter.broker.listener.name",
  "listener.security.protocol.map",
  "num.network.threads",
  "num.io.threads",
  "socket.send.buffer.bytes",
  "socket.receive.buffer.bytes",
  "num.recovery.threads.per.data.dir",
  "offsets.topic.replication.factor",
  "transaction.state.log.replication.factor",
  "transaction.state.log.min.isr",
  "share.coordinator.state.topic.replication.factor",
  "share.coordinator.state.topic.min.isr",
  "default.replication.factor",
  "min.insync.replicas",
  "group.initial.rebalance.delay.ms",
  "zookeeper.connect",
  "zookeeper.connection.timeout.ms",
]);

const BY_NAME = new Map(SETTINGS.map((s) => [s.name, s]));

export function findSetting(name: string): Setting | undefined {
  return BY_NAME.get(ALIASES.get(name) ?? name);
}

/** Table position, for applying one source's settings in a fixed order. */
export function settingRank(s: Setting): number {
  return SETTINGS.indexOf(s);
}
