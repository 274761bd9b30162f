import type { SharePartitionLimits } from "@logbook/group-coordinator";
import type { GroupConfigValues, ShareAutoOffsetReset } from "../config/group-config-defs.js";

export type ShareIsolationLevel = "read_committed" | "read_uncommitted";

/** What share-partitions of a group follow: limits, where a new one starts, sessions. */
export interface SharePartitionSettings extends SharePartitionLimits {
  readonly autoOffsetReset: ShareAutoOffsetReset;
  /** share.isolation.level: read_committed acquires up to the LSO and skips aborted records. */
  readonly isolationLevel: ShareIsolationLevel;
  /** group.share.max.share.sessions: open share sessions at once on this broker. */
  readonly maxShareSessions: number;
}

/**
 * Kafka 4.4's defaults: group.share.delivery.count.limit 5,
 * group.share.record.lock.duration.ms 30000, group.share.partition.max.record.locks
 * 2000, group.share.max.share.sessions 2000 and the group config
 * share.auto.offset.reset latest, share.isolation.level read_uncommitted.
 *
 * The broker (Broker) passes the group.share.* settings and each group's configs
 * (share.* group configs over them, `groupSharePartitionSettings`); tests pass overrides.
 */
export const DEFAULT_SHARE_PARTITION_SETTINGS: SharePartitionSettings = Object.freeze({
  deliveryCountLimit: 5,
  lockDurationMs: 30_000,
  maxInFlightRecords: 2000,
  autoOffsetReset: Object.freeze({ kind: "latest" as const }),
  isolationLevel: "read_uncommitted",
  maxShareSessions: 2000,
});

export function sharePartitionSettings(
  overrides: Partial<SharePartitionSettings> = {},
): SharePartitionSettings {
  return { ...DEFAULT_SHARE_PARTITION_SETTINGS, ...overrides };
}

/** A share group's settings: its group configs (which default to the broker's). */
export function groupSharePartitionSettings(
  broker: SharePartitionSettings,
  group: GroupConfigValues,
): SharePartitionSettings {
  return {
    ...broker,
    deliveryCountLimit: group.shareDeliveryCountLimit,
    lockDurationMs: group.shareRecordLockDurationMs,
    maxInFlightRecords: group.sharePartitionMaxRecordLocks,
    autoOffsetReset: group.shareAutoOffsetReset,
    isolationLevel:
      group.shareIsolationLevel === "read_committed" ? "read_committed" : "read_uncommitted",
  };
}
