/** Kafka's broker settings for share-group membership (group.share.*), Kafka's defaults. */
export interface ShareGroupConfig {
  /** group.share.heartbeat.interval.ms: told to members in every heartbeat answer. */
  heartbeatIntervalMs: number;
  /** group.share.session.timeout.ms: a member silent this long is removed. */
  sessionTimeoutMs: number;
  /** group.share.max.size: GROUP_MAX_SIZE_REACHED for a joiner beyond it. */
  maxSize: number;
}

export const DEFAULT_SHARE_GROUP_CONFIG: Readonly<ShareGroupConfig> = Object.freeze({
  heartbeatIntervalMs: 5000,
  sessionTimeoutMs: 45_000,
  maxSize: 200,
});
