import type { BrokerConfig } from "./broker-config.js";

/** A setting that must lie between two others (Kafka's min/max companions). */
interface Between {
  name: string;
  value: (c: BrokerConfig) => number;
  min: [string, (c: BrokerConfig) => number];
  max: [string, (c: BrokerConfig) => number];
}

const s = (c: BrokerConfig) => c.shareGroups;

const BETWEEN: readonly Between[] = [
  {
    name: "group.share.heartbeat.interval.ms",
    value: (c) => s(c).heartbeatIntervalMs,
    min: ["group.share.min.heartbeat.interval.ms", (c) => s(c).minHeartbeatIntervalMs],
    max: ["group.share.max.heartbeat.interval.ms", (c) => s(c).maxHeartbeatIntervalMs],
  },
  {
    name: "group.share.session.timeout.ms",
    value: (c) => s(c).sessionTimeoutMs,
    min: ["group.share.min.session.timeout.ms", (c) => s(c).minSessionTimeoutMs],
    max: ["group.share.max.session.timeout.ms", (c) => s(c).maxSessionTimeoutMs],
  },
  {
    name: "group.share.delivery.count.limit",
    value: (c) => s(c).deliveryCountLimit,
    min: ["group.share.min.delivery.count.limit", (c) => s(c).minDeliveryCountLimit],
    max: ["group.share.max.delivery.count.limit", (c) => s(c).maxDeliveryCountLimit],
  },
  {
    name: "group.share.record.lock.duration.ms",
    value: (c) => s(c).recordLockDurationMs,
    min: ["group.share.min.record.lock.duration.ms", (c) => s(c).minRecordLockDurationMs],
    max: ["group.share.max.record.lock.duration.ms", (c) => s(c).maxRecordLockDurationMs],
  },
  {
    name: "group.share.partition.max.record.locks",
    value: (c) => s(c).partitionMaxRecordLocks,
    min: ["group.share.min.partition.max.record.locks", (c) => s(c).minPartitionMaxRecordLocks],
    max: ["group.share.max.partition.max.record.locks", (c) => s(c).maxPartitionMaxRecordLocks],
  },
];

/**
 * Checks between settings that no single value can check: each setting with min/max
 * companions must lie between them, as Kafka refuses to start otherwise. Returns one
 * message per violation (the loader makes them a ConfigError).
 */
export function settingRelationErrors(c: BrokerConfig): string[] {
  const errors: string[] = [];
  for (const b of BETWEEN) {
    const v = b.value(c);
    const [minName, min] = b.min;
    const [maxName, max] = b.max;
    if (v < min(c)) errors.push(`${b.name} must be greater than or equal to ${minName}`);
    if (v > max(c)) errors.push(`${b.name} must be less than or equal to ${maxName}`);
  }
  return errors;
}
