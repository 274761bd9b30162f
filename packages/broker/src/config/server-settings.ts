/** Settings of the process, its listener and its connections (top-level BrokerConfig fields). */
import type { LogLevel } from "@logbook/storage";
import { int, long, oneOf, TIMER_MAX_MS, text } from "./kinds.js";
import { type SectionValues, setting } from "./setting.js";

export const LOG_LEVELS: readonly LogLevel[] = ["debug", "info", "warn", "error"];

export const SERVER_SETTINGS = {
  logLevel: setting<LogLevel>({
    name: "log.level",
    kind: oneOf(LOG_LEVELS, true),
    default: "info",
    flag: "--log-level",
    importance: "medium",
    doc: "Lowest level of the JSON log lines written to stderr (debug, info, warn, error).",
  }),
  nodeId: setting({
    name: "node.id",
    kind: int(0),
    default: 0,
    importance: "high",
    doc: "This broker's id in Metadata responses (broker.id is the older name).",
  }),
  clusterId: setting({
    name: "cluster.id",
    kind: text(false),
    default: "",
    defaultText: "(empty)",
    importance: "low",
    doc: "Cluster id reported to clients; when empty the broker decides.",
  }),
  host: setting({
    name: "host",
    kind: text(true),
    default: "127.0.0.1",
    flag: "--host",
    importance: "high",
    doc: "Listen address (overrides the host of listeners).",
  }),
  port: setting({
    name: "port",
    kind: int(0, 65535),
    default: 9092,
    flag: "--port",
    importance: "high",
    doc: "Listen port; 0 picks a free one (the ready line shows it).",
  }),
  advertisedHost: setting({
    name: "advertised.host",
    kind: text(true),
    default: "",
    defaultText: "(listen host; 127.0.0.1 for 0.0.0.0)",
    flag: "--advertised-host",
    importance: "high",
    doc: "Host clients are told to connect to (e.g. the name of a Docker host).",
  }),
  advertisedPort: setting({
    name: "advertised.port",
    kind: int(0, 65535),
    default: 0,
    defaultText: "(listen port)",
    flag: "--advertised-port",
    importance: "high",
    doc: "Port clients are told to connect to; 0 = the port actually listened on.",
  }),
  dataDir: setting({
    name: "data.dir",
    kind: text(true),
    default: "./data",
    flag: "--data-dir",
    importance: "high",
    doc: "Data directory (same as log.dirs) or a storage engine URL such as memory:; created when missing.",
  }),
  socketRequestMaxBytes: setting({
    name: "socket.request.max.bytes",
    kind: int(1),
    default: 100 * 1024 * 1024,
    importance: "high",
    doc: "Largest request frame; a larger size prefix closes the connection unread.",
  }),
  connectionsMaxIdleMs: setting({
    name: "connections.max.idle.ms",
    kind: long(1, TIMER_MAX_MS),
    default: 10 * 60 * 1000,
    importance: "medium",
    doc: "Close a connection with no traffic for this long.",
  }),
  maxPendingResponseBytes: setting({
    name: "max.pending.response.bytes",
    kind: int(1),
    default: 16 * 1024 * 1024,
    importance: "low",
    doc: "Logbook: stop reading a connection while this many response bytes wait to be sent.",
  }),
  logRetentionCheckIntervalMs: setting({
    name: "log.retention.check.interval.ms",
    kind: long(1, TIMER_MAX_MS),
    default: 5 * 60 * 1000,
    importance: "medium",
    doc: "How often retention and compaction run over every partition.",
  }),
  logFlushOffsetCheckpointIntervalMs: setting({
    name: "log.flush.offset.checkpoint.interval.ms",
    kind: int(0),
    default: 60 * 1000,
    importance: "high",
    doc: "How often each partition that changed fsyncs its active segment and writes its recovery checkpoint (after a SIGKILL, recovery rescans only what came after it); 0 turns the timer off.",
  }),
};

export type ServerConfig = SectionValues<typeof SERVER_SETTINGS>;
