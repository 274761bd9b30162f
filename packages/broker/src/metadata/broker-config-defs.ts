import type { BrokerConfig } from "../config.js";
import { TOPIC_CONFIG_DEFS } from "./config-defs.js";
import { type ConfigType, numberToLong } from "./config-values.js";

/**
 * Broker properties reported by DescribeConfigs for the broker resource. All are static
 * (set at start-up; read-only to AlterConfigs). The log defaults are derived from the
 * topic table's broker synonyms so the two tables cannot disagree.
 */
export interface BrokerConfigDef {
  readonly name: string;
  readonly type: ConfigType;
  readonly doc: string;
  value(config: BrokerConfig): string;
}

function listener(host: string, port: number): string {
  return `PLAINTEXT://${host}:${port}`;
}

const OWN: readonly BrokerConfigDef[] = [
  {
    name: "node.id",
    type: "int",
    doc: "This broker's id in the cluster.",
    value: (c) => String(c.nodeId),
  },
  {
    name: "broker.id",
    type: "int",
    doc: "Older name of node.id.",
    value: (c) => String(c.nodeId),
  },
  {
    name: "process.roles",
    type: "list",
    doc: "Roles this node plays; Logbook is broker and controller in one process.",
    value: () => "broker,controller",
  },
  {
    name: "log.dirs",
    type: "string",
    doc: "Where partition data lives (a directory or a storage engine URL).",
    value: (c) => c.dataDir,
  },
  {
    name: "listeners",
    type: "list",
    doc: "Address the broker accepts connections on.",
    value: (c) => listener(c.host, c.port),
  },
  {
    name: "advertised.listeners",
    type: "list",
    doc: "Address clients are told to connect to.",
    value: (c) => listener(c.advertisedHost, c.advertisedPort > 0 ? c.advertisedPort : c.port),
  },
  {
    name: "num.partitions",
    type: "int",
    doc: "Partition count of topics created without one (auto-created or num_partitions -1).",
    value: (c) => String(c.numPartitions),
  },
  {
    name: "auto.create.topics.enable",
    type: "boolean",
    doc: "Whether a Metadata request for an unknown topic creates it.",
    value: (c) => String(c.autoCreateTopicsEnable),
  },
  {
    name: "delete.topic.enable",
    type: "boolean",
    doc: "Whether DeleteTopics may delete topics.",
    value: (c) => String(c.deleteTopicEnable),
  },
  {
    name: "default.replication.factor",
    type: "int",
    doc: "Replication factor of topics created without one; one broker means 1.",
    value: () => "1",
  },
  {
    name: "offsets.topic.replication.factor",
    type: "short",
    doc: "Replication factor of the committed-offsets topic.",
    value: () => "1",
  },
  {
    name: "transaction.state.log.replication.factor",
    type: "short",
    doc: "Replication factor of the transaction state topic.",
    value: () => "1",
  },
  {
    name: "transaction.state.log.min.isr",
    type: "int",
    doc: "min.insync.replicas of the transaction state topic.",
    value: () => "1",
  },
  {
    name: "transaction.max.timeout.ms",
    type: "int",
    doc: "Longest transaction timeout a producer may ask for.",
    value: (c) => String(c.transactionMaxTimeoutMs),
  },
  {
    name: "socket.request.max.bytes",
    type: "int",
    doc: "Largest request frame the broker reads.",
    value: (c) => String(c.socketRequestMaxBytes),
  },
  {
    name: "connections.max.idle.ms",
    type: "long",
    doc: "Idle connections are closed after this long.",
    value: (c) => numberToLong(c.connectionsMaxIdleMs),
  },
];

/** The log defaults: one per topic config that has a broker synonym. */
const LOG_DEFAULTS: readonly BrokerConfigDef[] = TOPIC_CONFIG_DEFS.flatMap((d) =>
  d.brokerSynonym === null
    ? []
    : [
        {
          name: d.brokerSynonym,
          type: d.type,
          doc: `Default of the topic config ${d.name}. ${d.doc}`,
          value: (c: BrokerConfig) => d.defaultValue(c),
        },
      ],
);

export const BROKER_CONFIG_DEFS: readonly BrokerConfigDef[] = [...OWN, ...LOG_DEFAULTS].sort(
  (a, b) => a.name.localeCompare(b.name),
);

const BY_NAME = new Map(BROKER_CONFIG_DEFS.map((d) => [d.name, d]));

export function brokerConfigDef(name: string): BrokerConfigDef | undefined {
  return BY_NAME.get(name);
}
