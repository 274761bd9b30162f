/**
 * KIP-848 consumer-group settings (group.consumer.*): BrokerConfig.groups, beside the
 * classic ones of group-settings.ts. Defaults come from the group coordinator. The
 * min/max companions (Kafka 4.4.0's defaults) bound the setting they name and the
 * consumer.* group configs; config/relations.ts checks them at start-up.
 */
import {
  type ConsumerGroupConfig,
  DEFAULT_COORDINATOR_CONFIG as D,
  MIGRATION_POLICIES,
  serverAssignorsFromConfig,
} from "@logbook/group-coordinator";
import { ConfigValueError, int, intOrUnbounded, type Kind, nonEmptyList, oneOf } from "./kinds.js";
import { type SectionSpecs, setting } from "./setting.js";

/** A list of server-side assignor names this broker knows. */
function assignorNames(): Kind<readonly string[]> {
  const list = nonEmptyList("list");
  return {
    type: list.type,
    parse(raw) {
      const names = list.parse(raw);
      const known = serverAssignorsFromConfig(names);
      if (!known.ok) throw new ConfigValueError(known.message);
      return known.assignors.map((a) => a.name);
    },
    format: (names) => names.join(","),
  };
}

/** The consumer-group settings only the broker reads: the bounds of the timeouts. */
export interface ConsumerGroupSettings extends ConsumerGroupConfig {
  consumerMinSessionTimeoutMs: number;
  consumerMaxSessionTimeoutMs: number;
  consumerMinHeartbeatIntervalMs: number;
  consumerMaxHeartbeatIntervalMs: number;
}

function bound(name: string, def: number, doc: string) {
  return setting({ name, kind: int(1), default: def, importance: "medium", doc });
}

export const GROUP_CONSUMER_SETTINGS: SectionSpecs<ConsumerGroupSettings> = {
  consumerHeartbeatIntervalMs: setting({
    name: "group.consumer.heartbeat.interval.ms",
    kind: int(1),
    default: D.consumerHeartbeatIntervalMs,
    importance: "medium",
    doc: "How often members of consumer-protocol groups (KIP-848) are told to heartbeat.",
  }),
  consumerSessionTimeoutMs: setting({
    name: "group.consumer.session.timeout.ms",
    kind: int(1),
    default: D.consumerSessionTimeoutMs,
    importance: "medium",
    doc: "How long a consumer-protocol group member may go without a heartbeat before it is removed.",
  }),
  consumerMinSessionTimeoutMs: bound(
    "group.consumer.min.session.timeout.ms",
    45_000,
    "Smallest session timeout a consumer-protocol group may be configured with.",
  ),
  consumerMaxSessionTimeoutMs: bound(
    "group.consumer.max.session.timeout.ms",
    60_000,
    "Largest session timeout a consumer-protocol group may be configured with.",
  ),
  consumerMinHeartbeatIntervalMs: bound(
    "group.consumer.min.heartbeat.interval.ms",
    5000,
    "Smallest heartbeat interval a consumer-protocol group may be configured with.",
  ),
  consumerMaxHeartbeatIntervalMs: bound(
    "group.consumer.max.heartbeat.interval.ms",
    15_000,
    "Largest heartbeat interval a consumer-protocol group may be configured with.",
  ),
  consumerAssignors: setting({
    name: "group.consumer.assignors",
    kind: assignorNames(),
    default: D.consumerAssignors,
    importance: "medium",
    doc: "Server-side assignors consumer-protocol groups may ask for; the first is the default.",
  }),
  consumerMaxGroupSize: setting({
    name: "group.consumer.max.size",
    kind: intOrUnbounded(1),
    default: D.consumerMaxGroupSize,
    defaultText: "unbounded",
    importance: "medium",
    doc: "Most members one consumer-protocol group may have (GROUP_MAX_SIZE_REACHED beyond).",
  }),
  consumerMigrationPolicy: setting({
    name: "group.consumer.migration.policy",
    // Kafka accepts the values in any case.
    kind: oneOf(MIGRATION_POLICIES, true),
    default: D.consumerMigrationPolicy,
    importance: "medium",
    doc: "Which live conversions between classic and consumer-protocol groups are allowed: bidirectional, upgrade (classic to consumer), downgrade (consumer to classic) or disabled.",
  }),
};
