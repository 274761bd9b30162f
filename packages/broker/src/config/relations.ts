import type { BrokerConfig } from "./broker-config.js";

type Named = [string, (c: BrokerConfig) => number];

/** A setting that must lie between two others (Kafka's min/max companions). */
interface Between {
  value: Named;
  min: Named;
  max: Named;
  /** Kafka also refuses a max companion below the min one for this setting. */
  ordered?: boolean;
}

const g = (c: BrokerConfig) => c.groups;
const s = (c: BrokerConfig) => c.shareGroups;

const CONSUMER_HEARTBEAT: Named = [
  "group.consumer.heartbeat.interval.ms",
  (c) => g(c).consumerHeartbeatIntervalMs,
];
const CONSUMER_SESSION: Named = [
  "group.consumer.session.timeout.ms",
  (c) => g(c).consumerSessionTimeoutMs,
];
const SHARE_HEARTBEAT: Named = [
  "group.share.heartbeat.interval.ms",
  (c) => s(c).heartbeatIntervalMs,
];
const SHARE_SESSION: Named = ["group.share.session.timeout.ms", (c) => s(c).sessionTimeoutMs];

const BETWEEN: readonly Between[] = [
  {
    value: CONSUMER_HEARTBEAT,
    min: ["group.consumer.min.heartbeat.interval.ms", (c) => g(c).consumerMinHeartbeatIntervalMs],
    max: ["group.consumer.max.heartbeat.interval.ms", (c) => g(c).consumerMaxHeartbeatIntervalMs],
    ordered: true,
  },
  {
    value: CONSUMER_SESSION,
    min: ["group.consumer.min.session.timeout.ms", (c) => g(c).consumerMinSessionTimeoutMs],
    max: ["group.consumer.max.session.timeout.ms", (c) => g(c).consumerMaxSessionTimeoutMs],
    ordered: true,
  },
  {
    value: SHARE_HEARTBEAT,
    min: ["group.share.min.heartbeat.interval.ms", (c) => s(c).minHeartbeatIntervalMs],
    max: ["group.share.max.heartbeat.interval.ms", (c) => s(c).maxHeartbeatIntervalMs],
    ordered: true,
  },
  {
    value: SHARE_SESSION,
    min: ["group.share.min.session.timeout.ms", (c) => s(c).minSessionTimeoutMs],
    max: ["group.share.max.session.timeout.ms", (c) => s(c).maxSessionTimeoutMs],
    ordered: true,
  },
  {
    value: ["group.share.delivery.count.limit", (c) => s(c).deliveryCountLimit],
    min: ["group.share.min.delivery.count.limit", (c) => s(c).minDeliveryCountLimit],
    max: ["group.share.max.delivery.count.limit", (c) => s(c).maxDeliveryCountLimit],
  },
  {
    value: ["group.share.record.lock.duration.ms", (c) => s(c).recordLockDurationMs],
    min: ["group.share.min.record.lock.duration.ms", (c) => s(c).minRecordLockDurationMs],
    max: ["group.share.max.record.lock.duration.ms", (c) => s(c).maxRecordLockDurationMs],
  },
  {
    value: ["group.share.partition.max.record.locks", (c) => s(c).partitionMaxRecordLocks],
    min: ["group.share.min.partition.max.record.locks", (c) => s(c).minPartitionMaxRecordLocks],
    max: ["group.share.max.partition.max.record.locks", (c) => s(c).maxPartitionMaxRecordLocks],
  },
];

/** Settings that must be strictly below another: a member heartbeats within its session. */
const BELOW: readonly [Named, Named][] = [
  [CONSUMER_HEARTBEAT, CONSUMER_SESSION],
  [SHARE_HEARTBEAT, SHARE_SESSION],
];

/**
 * Checks between settings that no single value can check: each setting with min/max
 * companions must lie between them, and a heartbeat interval below its session
 * timeout, as Kafka refuses to start otherwise. Returns one message per violation (the
 * loader makes them a ConfigError).
 */
export function settingRelationErrors(c: BrokerConfig): string[] {
  const errors: string[] = [];
  for (const b of BETWEEN) {
    const [name, value] = b.value;
    const [minName, min] = b.min;
    const [maxName, max] = b.max;
    if (b.ordered === true && max(c) < min(c)) {
      errors.push(`${maxName} must be greater than or equal to ${minName}`);
      continue;
    }
    if (value(c) < min(c)) errors.push(`${name} must be greater than or equal to ${minName}`);
    if (value(c) > max(c)) errors.push(`${name} must be less than or equal to ${maxName}`);
  }
  for (const [[lowName, low], [highName, high]] of BELOW) {
    if (low(c) >= high(c)) errors.push(`${lowName} must be less than ${highName}`);
  }
  // As Kafka: no connection from anywhere would be allowed.
  if (c.maxConnectionsPerIp === 0 && c.maxConnectionsPerIpOverrides === "")
    errors.push(
      "max.connections.per.ip can be 0 only when max.connections.per.ip.overrides is set",
    );
  return errors;
}
