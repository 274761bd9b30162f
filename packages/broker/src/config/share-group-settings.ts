/**
 * Share-group settings (KIP-932): BrokerConfig.shareGroups. Membership (heartbeat,
 * session, size) is read by the share-group coordinator, which keeps its own defaults
 * for standalone use; the share-partition side (delivery count, acquisition locks,
 * share sessions) reads the rest from BrokerConfig. The min/max companions bound the
 * setting they name and per-group overrides (share.* group configs), as in Kafka; the
 * ranges and defaults are Kafka 4.4.0's. config/relations.ts checks each lies between
 * its bounds.
 */
import { DEFAULT_SHARE_GROUP_CONFIG as D, type ShareGroupConfig } from "@logbook/group-coordinator";
import { int } from "./kinds.js";
import { type SectionSpecs, setting } from "./setting.js";

export interface ShareGroupSettings extends ShareGroupConfig {
  minHeartbeatIntervalMs: number;
  maxHeartbeatIntervalMs: number;
  minSessionTimeoutMs: number;
  maxSessionTimeoutMs: number;
  /** group.share.delivery.count.limit: deliveries of a record before it is archived. */
  deliveryCountLimit: number;
  minDeliveryCountLimit: number;
  maxDeliveryCountLimit: number;
  /** group.share.record.lock.duration.ms: how long an acquired record stays locked. */
  recordLockDurationMs: number;
  minRecordLockDurationMs: number;
  maxRecordLockDurationMs: number;
  /** group.share.partition.max.record.locks: in-flight records per share partition. */
  partitionMaxRecordLocks: number;
  minPartitionMaxRecordLocks: number;
  maxPartitionMaxRecordLocks: number;
  /** group.share.max.share.sessions: share sessions the broker keeps. */
  maxShareSessions: number;
}

function ms(name: string, def: number, min: number, max: number | undefined, doc: string) {
  return setting({ name, kind: int(min, max), default: def, importance: "medium", doc });
}

export const SHARE_GROUP_SETTINGS: SectionSpecs<ShareGroupSettings> = {
  heartbeatIntervalMs: ms(
    "group.share.heartbeat.interval.ms",
    D.heartbeatIntervalMs,
    1,
    undefined,
    "How often share-group members are told to heartbeat.",
  ),
  minHeartbeatIntervalMs: ms(
    "group.share.min.heartbeat.interval.ms",
    5000,
    1,
    undefined,
    "Smallest heartbeat interval a share group may be configured with.",
  ),
  maxHeartbeatIntervalMs: ms(
    "group.share.max.heartbeat.interval.ms",
    15_000,
    1,
    undefined,
    "Largest heartbeat interval a share group may be configured with.",
  ),
  sessionTimeoutMs: ms(
    "group.share.session.timeout.ms",
    D.sessionTimeoutMs,
    1,
    undefined,
    "How long a silent share-group member is kept before it is removed.",
  ),
  minSessionTimeoutMs: ms(
    "group.share.min.session.timeout.ms",
    45_000,
    1,
    undefined,
    "Smallest session timeout a share group may be configured with.",
  ),
  maxSessionTimeoutMs: ms(
    "group.share.max.session.timeout.ms",
    60_000,
    1,
    undefined,
    "Largest session timeout a share group may be configured with.",
  ),
  maxSize: ms(
    "group.share.max.size",
    D.maxSize,
    1,
    1000,
    "Most members one share group may have (GROUP_MAX_SIZE_REACHED beyond).",
  ),
  deliveryCountLimit: ms(
    "group.share.delivery.count.limit",
    5,
    2,
    10,
    "How many times a record of a share group is delivered before it is archived.",
  ),
  minDeliveryCountLimit: ms(
    "group.share.min.delivery.count.limit",
    2,
    2,
    5,
    "Smallest delivery count limit a share group may be configured with.",
  ),
  maxDeliveryCountLimit: ms(
    "group.share.max.delivery.count.limit",
    10,
    5,
    25,
    "Largest delivery count limit a share group may be configured with.",
  ),
  recordLockDurationMs: ms(
    "group.share.record.lock.duration.ms",
    30_000,
    1000,
    3_600_000,
    "How long a record acquired by a share consumer stays locked to it.",
  ),
  minRecordLockDurationMs: ms(
    "group.share.min.record.lock.duration.ms",
    15_000,
    1000,
    30_000,
    "Smallest record lock duration a share group may be configured with.",
  ),
  maxRecordLockDurationMs: ms(
    "group.share.max.record.lock.duration.ms",
    60_000,
    30_000,
    3_600_000,
    "Largest record lock duration a share group may be configured with.",
  ),
  partitionMaxRecordLocks: ms(
    "group.share.partition.max.record.locks",
    2000,
    100,
    10_000,
    "Most records of one share partition that may be acquired at once.",
  ),
  minPartitionMaxRecordLocks: ms(
    "group.share.min.partition.max.record.locks",
    100,
    100,
    2000,
    "Smallest in-flight record limit a share group may be configured with.",
  ),
  maxPartitionMaxRecordLocks: ms(
    "group.share.max.partition.max.record.locks",
    4000,
    2000,
    10_000,
    "Largest in-flight record limit a share group may be configured with.",
  ),
  maxShareSessions: ms(
    "group.share.max.share.sessions",
    2000,
    1,
    undefined,
    "Most share sessions (ShareFetch sessions) the broker keeps.",
  ),
};
