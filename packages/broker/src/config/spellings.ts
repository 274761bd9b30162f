/**
 * Settings that own no field of their own: Kafka's other names and coarser units for a
 * field another setting owns (broker.id for node.id, log.retention.hours for
 * log.retention.ms). Within one source they apply before
 * the owner, and the lower `precedence` first, so the more specific one wins.
 */
import type { BrokerConfig } from "./broker-config.js";
import { int, inUnits, type Kind, type Listener, listeners, nonEmptyList, text } from "./kinds.js";
import { configuredListeners, isAdvertised } from "./listener-settings.js";
import { type BrokerSetting, spellingRow } from "./rows.js";
import type { Importance } from "./setting.js";

export interface Spelling<T> {
  readonly name: string;
  readonly kind: Kind<T>;
  readonly doc: string;
  readonly importance: Importance;
  readonly defaultText?: string;
  readonly precedence: 0 | 1;
  get(config: BrokerConfig): T;
  set(config: BrokerConfig, value: T): void;
  /** A warning about a value that is accepted but only partly used. */
  note?(value: T): string | undefined;
}

function spelling<T>(s: Spelling<T>): BrokerSetting {
  return spellingRow(s);
}

const HOUR = 3_600_000;
const MINUTE = 60_000;

/** A list setting of which only the first item is used. */
function onlyFirst(what: string): (items: readonly unknown[]) => string | undefined {
  return (items) => (items.length > 1 ? `${what}: only the first directory is used` : undefined);
}

/** Other names for the node id and the data directory. */
export const SERVER_SPELLINGS: readonly BrokerSetting[] = [
  spelling<number>({
    name: "broker.id",
    kind: int(0),
    importance: "low",
    precedence: 0,
    doc: "Older name of node.id.",
    get: (c) => c.nodeId,
    set: (c, v) => {
      c.nodeId = v;
    },
  }),
  spelling<string>({
    name: "log.dir",
    kind: text(true),
    importance: "high",
    precedence: 0,
    doc: "Data directory (alias of log.dirs).",
    get: (c) => c.dataDir,
    set: (c, v) => {
      c.dataDir = v;
    },
  }),
  spelling<string[]>({
    name: "log.dirs",
    kind: nonEmptyList("string"),
    importance: "high",
    precedence: 1,
    doc: "Data directory (or a storage engine URL such as memory:). One directory only.",
    get: (c) => [c.dataDir],
    set: (c, v) => {
      c.dataDir = v[0] ?? c.dataDir;
    },
    note: onlyFirst("log.dirs"),
  }),
];

/** Coarser units for the log's time settings (Kafka's .hours and .minutes). */
export const LOG_SPELLINGS: readonly BrokerSetting[] = [
  spelling<number>({
    name: "log.roll.hours",
    kind: inUnits(int(1), HOUR),
    importance: "high",
    precedence: 0,
    doc: "Roll a non-empty segment after this long (log.roll.ms wins).",
    get: (c) => c.logDefaults.segmentMs,
    set: (c, v) => {
      c.logDefaults.segmentMs = v;
    },
  }),
  spelling<number>({
    name: "log.retention.hours",
    kind: inUnits(int(-1), HOUR),
    importance: "high",
    precedence: 0,
    doc: "Delete segments older than this (.minutes and .ms win).",
    get: (c) => c.logDefaults.retentionMs,
    set: (c, v) => {
      c.logDefaults.retentionMs = v;
    },
  }),
  spelling<number>({
    name: "log.retention.minutes",
    kind: inUnits(int(-1), MINUTE),
    importance: "high",
    precedence: 1,
    doc: "Delete segments older than this (.ms wins).",
    get: (c) => c.logDefaults.retentionMs,
    set: (c, v) => {
      c.logDefaults.retentionMs = v;
    },
  }),
];

/** `listeners` and `advertised.listeners`, applied before host/port within one source. */
export const LISTENER_SPELLINGS: readonly BrokerSetting[] = [
  spelling<Listener[]>({
    name: "listeners",
    kind: listeners(),
    importance: "high",
    precedence: 0,
    doc: "Where to listen, NAME://host:port,... (empty host = all interfaces); the first is also host/port.",
    get: configuredListeners,
    set: (c, v) => {
      const [first, ...rest] = v;
      if (first === undefined) return;
      c.firstListenerName = first.name;
      c.host = first.host;
      c.port = first.port;
      c.moreListeners = rest;
    },
  }),
  spelling<Listener[]>({
    name: "advertised.listeners",
    kind: listeners(),
    importance: "high",
    // After `listeners` in the same source, so the first listener's name is known.
    precedence: 1,
    defaultText: "(the listeners)",
    doc: "Addresses clients are told to connect to, NAME://host:port,... (a listener not named here is not advertised: no broker in Metadata on it, as Kafka).",
    get: (c) => {
      const first = {
        name: c.firstListenerName,
        host: c.advertisedHost,
        port: c.advertisedPort > 0 ? c.advertisedPort : c.port,
      };
      const rest = c.advertisedListeners.filter((l) => l.name !== c.firstListenerName);
      return isAdvertised(c, c.firstListenerName) ? [first, ...rest] : rest;
    },
    set: (c, v) => {
      c.advertisedListeners = v;
      const first = v.find((l) => l.name === c.firstListenerName);
      if (first === undefined) return;
      c.advertisedHost = first.host;
      c.advertisedPort = first.port;
    },
  }),
];
