/**
 * Cluster membership of brokers sharing one database (the PostgreSQL engine); the file
 * and memory engines have one broker only and ignore these.
 */
import { DEFAULT_CLUSTER_TIMEOUTS } from "@logbook/storage";
import { int } from "./kinds.js";
import { type SectionValues, setting } from "./setting.js";

export const CLUSTER_SETTINGS = {
  brokerHeartbeatIntervalMs: setting({
    name: "broker.heartbeat.interval.ms",
    kind: int(1),
    default: DEFAULT_CLUSTER_TIMEOUTS.heartbeatIntervalMs,
    importance: "medium",
    doc: "How often the broker heartbeats to the cluster (PostgreSQL engine: refreshes its row and reads the live brokers).",
  }),
  brokerSessionTimeoutMs: setting({
    name: "broker.session.timeout.ms",
    kind: int(1),
    default: DEFAULT_CLUSTER_TIMEOUTS.sessionTimeoutMs,
    importance: "medium",
    doc: "How long a broker may go without a heartbeat before the others drop it and take over its partitions (PostgreSQL engine).",
  }),
};

export type ClusterConfig = SectionValues<typeof CLUSTER_SETTINGS>;
