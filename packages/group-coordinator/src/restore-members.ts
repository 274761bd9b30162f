import type { ClassicGroup, Member } from "./group.js";

/**
 * Start-up: the members of a group's last GroupMetadata record come back as live
 * members (Kafka loads them too), so consumers that outlive a broker restart keep
 * their member ids and generation instead of being told UNKNOWN_MEMBER_ID and forcing
 * a rebalance while they still process their partitions. Session timers are the
 * caller's: a member that does not come back is expired as usual.
 *
 * Returns whether the stored record carried assignments. A record written when a join
 * completed but before the leader's sync has none; such a group must rebalance again.
 */
export function restoreMembers(group: ClassicGroup): { restored: Member[]; assigned: boolean } {
  const protocol = group.protocolName;
  if (!group.hasMetadata || protocol === null || group.storedMembers.length === 0) {
    return { restored: [], assigned: false };
  }
  const restored: Member[] = [];
  let assigned = false;
  for (const s of group.storedMembers) {
    if (s.assignment.length > 0) assigned = true;
    const m: Member = {
      memberId: s.memberId,
      groupInstanceId: s.groupInstanceId,
      clientId: s.clientId,
      clientHost: s.clientHost,
      sessionTimeoutMs: s.sessionTimeoutMs,
      rebalanceTimeoutMs: s.rebalanceTimeoutMs,
      protocolType: group.protocolType ?? "",
      // Only the chosen protocol was stored; a rejoin offering more is a protocol change.
      protocols: [{ name: protocol, metadata: s.subscription }],
      assignment: s.assignment,
      joinWaiter: null,
      syncWaiter: null,
    };
    group.members.set(m.memberId, m);
    if (m.groupInstanceId !== null) group.staticMembers.set(m.groupInstanceId, m.memberId);
    restored.push(m);
  }
  return { restored, assigned };
}
