/**
 * Share-group settings (KIP-932): BrokerConfig.shareGroups. Membership (heartbeat,
 * session, size) is read by the share-group coordinator, which keeps its own defaults
 * for standalone use; the share-partition side (delivery count, acquisition locks,
 * share sessions) reads the rest from BrokerConfig. Kafka's min/max companions of these
 * settings bound per-group overrides, which this broker does not have: here they are
 * the fixed ranges below (Kafka's defaults of those companions).
 */
import { DEFAULT_SHARE_GROUP_CONFIG as D, type ShareGroupConfig } from "@logbook/group-coordinator";
import { int } from "./kinds.js";
import { type SectionSpecs, setting } from "./setting.js";

export interface ShareGroupSettings extends ShareGroupConfig {
  /** group.share.delivery.count.limit: deliveries of a record before it is archived. */
  deliveryCountLimit: number;
  /** group.share.record.lock.duration.ms: how long an acquired record stays locked. */
  recordLockDurationMs: number;
  /** group.share.partition.max.record.locks: in-flight records per share partition. */
  partitionMaxRecordLocks: number;
  /** group.share.max.share.sessions: share sessions the broker keeps. */
  maxShareSessions: number;
}

export const SHARE_GROUP_SETTINGS: SectionSpecs<ShareGroupSettings> = {
  heartbeatIntervalMs: setting({
    name: "group.share.heartbeat.interval.ms",
    kind: int(5000, 15_000),
    default: D.heartbeatIntervalMs,
    importance: "medium",
    doc: "How often share-group members are told to heartbeat.",
  }),
  sessionTimeoutMs: setting({
    name: "group.share.session.timeout.ms",
    kind: int(45_000, 60_000),
    default: D.sessionTimeoutMs,
    importance: "medium",
    doc: "A share-group member that does not heartbeat for this long is removed.",
  }),
  maxSize: setting({
    name: "group.share.max.size",
    kind: int(1, 1000),
    default: D.maxSize,
    importance: "medium",
    doc: "Most members one share group may have (GROUP_MAX_SIZE_REACHED beyond).",
  }),
  deliveryCountLimit: setting({
    name: "group.share.delivery.count.limit",
    kind: int(2, 10),
    default: 5,
    importance: "medium",
    doc: "How many times a record of a share group is delivered before it is archived.",
  }),
  recordLockDurationMs: setting({
    name: "group.share.record.lock.duration.ms",
    kind: int(15_000, 60_000),
    default: 30_000,
    importance: "medium",
    doc: "How long a record acquired by a share consumer stays locked to it.",
  }),
  partitionMaxRecordLocks: setting({
    name: "group.share.partition.max.record.locks",
    kind: int(100, 4000),
    default: 2000,
    importance: "medium",
    doc: "Most records of one share partition that may be acquired at once.",
  }),
  maxShareSessions: setting({
    name: "group.share.max.share.sessions",
    kind: int(1),
    default: 2000,
    importance: "medium",
    doc: "Most share sessions (ShareFetch sessions) the broker keeps.",
  }),
};
