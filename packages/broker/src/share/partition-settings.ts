import type { SharePartitionLimits } from "@logbook/group-coordinator";

/** Where a share-partition with no state starts reading: share.auto.offset.reset. */
export type ShareAutoOffsetReset = "latest" | "earliest";

/** What share-partitions of a group follow: limits, where a new one starts, sessions. */
export interface SharePartitionSettings extends SharePartitionLimits {
  readonly autoOffsetReset: ShareAutoOffsetReset;
  /** group.share.max.share.sessions: open share sessions at once on this broker. */
  readonly maxShareSessions: number;
}

/**
 * Kafka 4.4's defaults: group.share.delivery.count.limit 5,
 * group.share.record.lock.duration.ms 30000, group.share.partition.max.record.locks
 * 2000, group.share.max.share.sessions 2000 and the group config
 * share.auto.offset.reset latest.
 *
 * The one accessor share-partition code reads its settings through. The group.share.*
 * rows of the config schema and per-group configs belong to share-group membership;
 * until they are wired here, these defaults (with a test's overrides) apply.
 */
export const DEFAULT_SHARE_PARTITION_SETTINGS: SharePartitionSettings = Object.freeze({
  deliveryCountLimit: 5,
  lockDurationMs: 30_000,
  maxInFlightRecords: 2000,
  autoOffsetReset: "latest",
  maxShareSessions: 2000,
});

export function sharePartitionSettings(
  overrides: Partial<SharePartitionSettings> = {},
): SharePartitionSettings {
  return { ...DEFAULT_SHARE_PARTITION_SETTINGS, ...overrides };
}
