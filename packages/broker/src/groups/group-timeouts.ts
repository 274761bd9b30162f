/**
 * The coordinators' per-group timeouts, from the group configs: a consumer group's
 * consumer.session.timeout.ms / consumer.heartbeat.interval.ms and a share group's
 * share.* ones, each defaulting to the broker's setting (see config/group-config-defs.ts).
 */
import type { GroupTimeoutsOf } from "@logbook/group-coordinator";
import type { GroupConfigs } from "../metadata/group-configs.js";

export function consumerGroupTimeouts(configs: GroupConfigs): GroupTimeoutsOf {
  return (groupId) => {
    const v = configs.of(groupId);
    return {
      sessionTimeoutMs: v.consumerSessionTimeoutMs,
      heartbeatIntervalMs: v.consumerHeartbeatIntervalMs,
    };
  };
}

export function shareGroupTimeouts(configs: GroupConfigs): GroupTimeoutsOf {
  return (groupId) => {
    const v = configs.of(groupId);
    return {
      sessionTimeoutMs: v.shareSessionTimeoutMs,
      heartbeatIntervalMs: v.shareHeartbeatIntervalMs,
    };
  };
}
