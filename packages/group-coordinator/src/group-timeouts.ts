/**
 * A group's member timeouts: its own group configs (consumer.* or share.* session
 * timeout and heartbeat interval) where it has them, the broker's settings otherwise.
 * The broker supplies the lookup; without one every group has the coordinator's config.
 */
export interface GroupTimeouts {
  readonly sessionTimeoutMs: number;
  readonly heartbeatIntervalMs: number;
}

/** The timeouts of one group, asked at each heartbeat and when sessions are re-armed. */
export type GroupTimeoutsOf = (groupId: string) => GroupTimeouts;

/** The same timeouts for every group. */
export function sameTimeouts(t: GroupTimeouts): GroupTimeoutsOf {
  const fixed = {
    sessionTimeoutMs: t.sessionTimeoutMs,
    heartbeatIntervalMs: t.heartbeatIntervalMs,
  };
  return () => fixed;
}
