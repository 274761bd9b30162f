import { type CoordinatorConfig, DEFAULT_COORDINATOR_CONFIG } from "@logbook/group-coordinator";
import { DEFAULT_LOG_CONFIG, type LogConfig } from "@logbook/storage";

/**
 * Broker settings. Names in comments are Kafka's property names, which the CLI's
 * --config file and LOGBOOK_* environment variables use.
 */
export interface BrokerConfig {
  /** node.id */
  nodeId: number;
  /** listeners host / port */
  host: string;
  port: number;
  /** advertised.listeners host / port: what clients are told to connect to. */
  advertisedHost: string;
  advertisedPort: number;
  /** log.dirs (or a storage engine URL). */
  dataDir: string;
  clusterId: string;
  /** socket.request.max.bytes */
  socketRequestMaxBytes: number;
  /** connections.max.idle.ms */
  connectionsMaxIdleMs: number;
  /** auto.create.topics.enable */
  autoCreateTopicsEnable: boolean;
  /** num.partitions */
  numPartitions: number;
  /** message.max.bytes (topic: max.message.bytes) */
  messageMaxBytes: number;
  /** log.message.timestamp.before.max.ms: oldest CreateTime accepted, relative to now. */
  messageTimestampBeforeMaxMs: number;
  /** log.message.timestamp.after.max.ms: furthest future CreateTime accepted. */
  messageTimestampAfterMaxMs: number;
  /** delete.topic.enable */
  deleteTopicEnable: boolean;
  /** transaction.max.timeout.ms */
  transactionMaxTimeoutMs: number;
  /** transactional.id.expiration.ms: forget a transactional id idle this long. */
  transactionalIdExpirationMs: number;
  /** transaction.abort.timed.out.transaction.cleanup.interval.ms */
  transactionAbortTimedOutCheckIntervalMs: number;
  /** transaction.remove.expired.transaction.cleanup.interval.ms */
  transactionRemoveExpiredCheckIntervalMs: number;
  /** log.retention.check.interval.ms: how often retention and compaction run. */
  logRetentionCheckIntervalMs: number;
  /** Defaults for every topic's log (log.retention.ms, log.segment.bytes, …). */
  logDefaults: LogConfig;
  /** Consumer-group settings (group.*, offsets.retention.minutes, …). */
  groups: CoordinatorConfig;
  /** Stop reading a connection while this many response bytes wait to be sent. */
  maxPendingResponseBytes: number;
}

export const DEFAULT_BROKER_CONFIG: Readonly<BrokerConfig> = Object.freeze({
  nodeId: 0,
  host: "127.0.0.1",
  port: 9092,
  advertisedHost: "",
  advertisedPort: 0,
  dataDir: "./data",
  clusterId: "",
  socketRequestMaxBytes: 100 * 1024 * 1024,
  connectionsMaxIdleMs: 10 * 60 * 1000,
  autoCreateTopicsEnable: true,
  numPartitions: 1,
  messageMaxBytes: 1048588,
  messageTimestampBeforeMaxMs: Number.MAX_SAFE_INTEGER,
  // Kafka 4.0's default (KIP-937): producers' clocks may run an hour ahead, no more.
  messageTimestampAfterMaxMs: 60 * 60 * 1000,
  deleteTopicEnable: true,
  transactionMaxTimeoutMs: 15 * 60 * 1000,
  transactionalIdExpirationMs: 7 * 24 * 60 * 60 * 1000,
  transactionAbortTimedOutCheckIntervalMs: 10_000,
  transactionRemoveExpiredCheckIntervalMs: 60 * 60 * 1000,
  logRetentionCheckIntervalMs: 5 * 60 * 1000,
  logDefaults: DEFAULT_LOG_CONFIG,
  groups: DEFAULT_COORDINATOR_CONFIG,
  maxPendingResponseBytes: 16 * 1024 * 1024,
});

export function brokerConfig(overrides: Partial<BrokerConfig> = {}): BrokerConfig {
  const c = { ...DEFAULT_BROKER_CONFIG, ...overrides };
  if (c.advertisedHost === "") c.advertisedHost = c.host === "0.0.0.0" ? "127.0.0.1" : c.host;
  return c;
}
