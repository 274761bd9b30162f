/** Kafka's broker settings for groups, with Kafka's defaults. */
export interface CoordinatorConfig extends ClassicGroupConfig, ConsumerGroupConfig {}

/** The classic groups' and the offsets' settings. */
export interface ClassicGroupConfig {
  /** group.min.session.timeout.ms */
  minSessionTimeoutMs: number;
  /** group.max.session.timeout.ms */
  maxSessionTimeoutMs: number;
  /** group.max.size; Infinity = unbounded. */
  maxGroupSize: number;
  /** group.initial.rebalance.delay.ms: how long a new group waits for more joiners. */
  initialRebalanceDelayMs: number;
  /** offsets.retention.minutes, in ms. */
  offsetsRetentionMs: number;
  /** offsets.retention.check.interval.ms */
  offsetsRetentionCheckIntervalMs: number;
  /** offset.metadata.max.bytes */
  offsetMetadataMaxBytes: number;
}

/** The KIP-848 consumer-group settings (group.consumer.*). */
export interface ConsumerGroupConfig {
  /** group.consumer.heartbeat.interval.ms (KIP-848 groups). */
  consumerHeartbeatIntervalMs: number;
  /** group.consumer.session.timeout.ms (KIP-848 groups). */
  consumerSessionTimeoutMs: number;
  /** group.consumer.assignors: server-side assignor names, the first is the default. */
  consumerAssignors: readonly string[];
  /** group.consumer.max.size; Infinity = unbounded. */
  consumerMaxGroupSize: number;
  /** group.consumer.migration.policy: which live conversions between protocols are allowed. */
  consumerMigrationPolicy: MigrationPolicy;
}

/**
 * Kafka's ConsumerGroupMigrationPolicy values: whether a non-empty classic group may be
 * upgraded to a consumer group (a ConsumerGroupHeartbeat joins it) and a consumer group
 * whose remaining members all speak the classic protocol downgraded back.
 */
export type MigrationPolicy = "bidirectional" | "upgrade" | "downgrade" | "disabled";
export const MIGRATION_POLICIES: readonly MigrationPolicy[] = [
  "bidirectional",
  "upgrade",
  "downgrade",
  "disabled",
];

export function upgradeEnabled(policy: MigrationPolicy): boolean {
  return policy === "bidirectional" || policy === "upgrade";
}

export function downgradeEnabled(policy: MigrationPolicy): boolean {
  return policy === "bidirectional" || policy === "downgrade";
}

export const DEFAULT_COORDINATOR_CONFIG: Readonly<CoordinatorConfig> = Object.freeze({
  minSessionTimeoutMs: 6000,
  maxSessionTimeoutMs: 1_800_000,
  maxGroupSize: Number.POSITIVE_INFINITY,
  initialRebalanceDelayMs: 3000,
  offsetsRetentionMs: 7 * 24 * 60 * 60 * 1000,
  offsetsRetentionCheckIntervalMs: 600_000,
  offsetMetadataMaxBytes: 4096,
  consumerHeartbeatIntervalMs: 5000,
  consumerSessionTimeoutMs: 45_000,
  consumerAssignors: Object.freeze(["uniform", "range"]),
  consumerMaxGroupSize: Number.POSITIVE_INFINITY,
  consumerMigrationPolicy: "bidirectional",
});

export function coordinatorConfig(overrides: Partial<CoordinatorConfig> = {}): CoordinatorConfig {
  return { ...DEFAULT_COORDINATOR_CONFIG, ...overrides };
}
