/**
 * Group configs (ConfigResource type GROUP, KIP-848/KIP-932/KIP-1071): the dynamic
 * per-group overrides that DescribeConfigs and (Incremental)AlterConfigs manage. One
 * row per config: its kind (the same kinds as broker settings), the broker setting it
 * defaults to (its synonym in DescribeConfigs), and the range that setting's min/max
 * companions allow.
 *
 * Defaults and ranges are read from the broker settings, so a group config follows the
 * broker's bounds as Kafka's do. Only what this broker has no setting for (streams
 * groups, assignment intervals) carries Kafka 4.4's defaults of those settings as
 * constants.
 */
import { type ConfigType, parseList } from "../metadata/config-values.js";
import type { BrokerConfig } from "./broker-config.js";
import { bool, ConfigValueError, int, type Kind, oneOf, text } from "./kinds.js";
import { checkAgainst } from "./setting.js";

/** Where a share partition without a committed start offset starts. */
export type ShareAutoOffsetReset =
  | { readonly kind: "earliest" }
  | { readonly kind: "latest" }
  /** Records with a timestamp at or after now minus `durationMs`. */
  | { readonly kind: "by_duration"; readonly durationMs: number };

export interface GroupConfigSpec<T> {
  readonly name: string;
  readonly kind: Kind<T>;
  /** The broker setting giving the default (DescribeConfigs' DEFAULT_CONFIG synonym). */
  readonly synonym: string;
  readonly default: (config: BrokerConfig) => T;
  /** A check beyond the kind's own (the broker's min/max bounds): Kafka's message, or null. */
  check?(value: T, name: string, config: BrokerConfig): string | null;
  readonly doc: string;
}

function groupConfig<T>(spec: GroupConfigSpec<T>): GroupConfigSpec<T> {
  return spec;
}

/** ISO-8601 days/hours/minutes/seconds (PnDTnHnMn.nS), non-negative, as milliseconds. */
function parseDurationMs(raw: string): number | undefined {
  const m = /^P(?:(\d+)D)?(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)(?:[.,](\d{1,9}))?S)?)?$/i.exec(
    raw,
  );
  if (m === null || raw.length === 1) return undefined;
  const [d, h, min, s, frac] = [m[1], m[2], m[3], m[4], m[5]].map((x) => x ?? "0");
  const fracMs = Number(`0.${frac}`) * 1000;
  return ((Number(d) * 24 + Number(h)) * 60 + Number(min)) * 60_000 + Number(s) * 1000 + fracMs;
}

const BY_DURATION = "by_duration:";

/** share.auto.offset.reset: earliest, latest or by_duration:<ISO-8601 duration>. */
function autoOffsetReset(): Kind<ShareAutoOffsetReset> {
  return {
    type: "string",
    parse(raw) {
      const v = raw.trim();
      if (v === "earliest" || v === "latest") return { kind: v };
      if (v.startsWith(BY_DURATION)) {
        const durationMs = parseDurationMs(v.slice(BY_DURATION.length));
        if (durationMs !== undefined) return { kind: "by_duration", durationMs };
      }
      throw new ConfigValueError(
        `Invalid value \`${raw}\` for configuration share.auto.offset.reset. The value must be either 'earliest', 'latest' or of the format 'by_duration:<PnDTnHnMn.nS>'.`,
      );
    },
    format: (v) => (v.kind === "by_duration" ? `${BY_DURATION}PT${v.durationMs / 1000}S` : v.kind),
  };
}

/** A comma-separated list, kept as its items. */
function list(): Kind<string[]> {
  return {
    type: "list",
    parse: parseList,
    format: (items) => items.join(","),
  };
}

/** The task assignors a streams group may name (only Kafka's default one is known). */
const STREAMS_ASSIGNORS = ["sticky"];

function registeredAssignor(name: string): string | null {
  return STREAMS_ASSIGNORS.includes(name)
    ? null
    : `streams.assignor.name '${name}' is not a registered task assignor. Registered assignors are: [${STREAMS_ASSIGNORS.join(", ")}].`;
}

const fixed =
  <T>(v: T) =>
  (): T =>
    v;

interface Range {
  readonly min: number;
  readonly max: number;
}

/** Kafka's check of a value against the min/max broker settings bounding it. */
function within(
  range: (config: BrokerConfig) => Range,
): (n: number, name: string, config: BrokerConfig) => string | null {
  return (n, name, config) => {
    const { min, max } = range(config);
    return n < min || n > max ? `${name} must be in the range ${min} to ${max} inclusive.` : null;
  };
}

const g = (c: BrokerConfig) => c.groups;
const sh = (c: BrokerConfig) => c.shareGroups;
const CONSUMER_SESSION_RANGE = (c: BrokerConfig): Range => ({
  min: g(c).consumerMinSessionTimeoutMs,
  max: g(c).consumerMaxSessionTimeoutMs,
});
const CONSUMER_HEARTBEAT_RANGE = (c: BrokerConfig): Range => ({
  min: g(c).consumerMinHeartbeatIntervalMs,
  max: g(c).consumerMaxHeartbeatIntervalMs,
});
const SHARE_SESSION_RANGE = (c: BrokerConfig): Range => ({
  min: sh(c).minSessionTimeoutMs,
  max: sh(c).maxSessionTimeoutMs,
});
const SHARE_HEARTBEAT_RANGE = (c: BrokerConfig): Range => ({
  min: sh(c).minHeartbeatIntervalMs,
  max: sh(c).maxHeartbeatIntervalMs,
});
const RECORD_LOCK_RANGE = (c: BrokerConfig): Range => ({
  min: sh(c).minRecordLockDurationMs,
  max: sh(c).maxRecordLockDurationMs,
});
const DELIVERY_COUNT_RANGE = (c: BrokerConfig): Range => ({
  min: sh(c).minDeliveryCountLimit,
  max: sh(c).maxDeliveryCountLimit,
});
const RECORD_LOCKS_RANGE = (c: BrokerConfig): Range => ({
  min: sh(c).minPartitionMaxRecordLocks,
  max: sh(c).maxPartitionMaxRecordLocks,
});

// Kafka 4.4's defaults of broker settings this broker does not have (see the file comment).
const STREAMS_SESSION_RANGE = fixed<Range>({ min: 45_000, max: 60_000 });
const STREAMS_HEARTBEAT_RANGE = fixed<Range>({ min: 5000, max: 15_000 });
const ASSIGNMENT_INTERVAL_RANGE = fixed<Range>({ min: 0, max: 15_000 });
const MAX_STANDBY_REPLICAS = 2;
const STREAMS_SESSION_TIMEOUT_MS = 45_000;
const STREAMS_HEARTBEAT_INTERVAL_MS = 5000;
const ASSIGNMENT_INTERVAL_MS = 1000;
const STREAMS_INITIAL_REBALANCE_DELAY_MS = 3000;

/** Every group config, by the field of GroupConfigValues it fills. */
export const GROUP_CONFIG_SPECS = {
  consumerSessionTimeoutMs: groupConfig({
    name: "consumer.session.timeout.ms",
    kind: int(1),
    synonym: "group.consumer.session.timeout.ms",
    default: (c) => c.groups.consumerSessionTimeoutMs,
    check: within(CONSUMER_SESSION_RANGE),
    doc: "How long a member of this consumer group may go without a heartbeat before it is removed.",
  }),
  consumerHeartbeatIntervalMs: groupConfig({
    name: "consumer.heartbeat.interval.ms",
    kind: int(1),
    synonym: "group.consumer.heartbeat.interval.ms",
    default: (c) => c.groups.consumerHeartbeatIntervalMs,
    check: within(CONSUMER_HEARTBEAT_RANGE),
    doc: "How often the members of this consumer group are told to heartbeat.",
  }),
  consumerAssignmentIntervalMs: groupConfig({
    name: "consumer.assignment.interval.ms",
    kind: int(0),
    synonym: "group.consumer.assignment.interval.ms",
    default: fixed(ASSIGNMENT_INTERVAL_MS),
    check: within(ASSIGNMENT_INTERVAL_RANGE),
    doc: "Least time between two assignment updates of this consumer group.",
  }),
  shareSessionTimeoutMs: groupConfig({
    name: "share.session.timeout.ms",
    kind: int(1),
    synonym: "group.share.session.timeout.ms",
    default: (c) => c.shareGroups.sessionTimeoutMs,
    check: within(SHARE_SESSION_RANGE),
    doc: "How long a member of this share group may go without a heartbeat before it is removed.",
  }),
  shareHeartbeatIntervalMs: groupConfig({
    name: "share.heartbeat.interval.ms",
    kind: int(1),
    synonym: "group.share.heartbeat.interval.ms",
    default: (c) => c.shareGroups.heartbeatIntervalMs,
    check: within(SHARE_HEARTBEAT_RANGE),
    doc: "How often the members of this share group are told to heartbeat.",
  }),
  shareAssignmentIntervalMs: groupConfig({
    name: "share.assignment.interval.ms",
    kind: int(0),
    synonym: "group.share.assignment.interval.ms",
    default: fixed(ASSIGNMENT_INTERVAL_MS),
    check: within(ASSIGNMENT_INTERVAL_RANGE),
    doc: "Least time between two assignment updates of this share group.",
  }),
  shareRecordLockDurationMs: groupConfig({
    name: "share.record.lock.duration.ms",
    kind: int(1000),
    synonym: "group.share.record.lock.duration.ms",
    default: (c) => c.shareGroups.recordLockDurationMs,
    check: within(RECORD_LOCK_RANGE),
    doc: "How long a record acquired by a consumer of this share group stays locked to it.",
  }),
  shareDeliveryCountLimit: groupConfig({
    name: "share.delivery.count.limit",
    kind: int(2),
    synonym: "group.share.delivery.count.limit",
    default: (c) => c.shareGroups.deliveryCountLimit,
    check: within(DELIVERY_COUNT_RANGE),
    doc: "How many times a record is delivered to this share group before it is archived.",
  }),
  sharePartitionMaxRecordLocks: groupConfig({
    name: "share.partition.max.record.locks",
    kind: int(100),
    synonym: "group.share.partition.max.record.locks",
    default: (c) => c.shareGroups.partitionMaxRecordLocks,
    check: within(RECORD_LOCKS_RANGE),
    doc: "Most records of one share partition this share group may have acquired at once.",
  }),
  shareAutoOffsetReset: groupConfig({
    name: "share.auto.offset.reset",
    kind: autoOffsetReset(),
    synonym: "share.auto.offset.reset",
    default: fixed<ShareAutoOffsetReset>({ kind: "latest" }),
    doc: "Where this share group starts reading a partition it has no start offset for: earliest, latest, or by_duration:<ISO-8601 duration> (records no older than that duration).",
  }),
  shareIsolationLevel: groupConfig({
    name: "share.isolation.level",
    kind: oneOf(["read_committed", "read_uncommitted"]),
    synonym: "share.isolation.level",
    default: fixed<"read_committed" | "read_uncommitted">("read_uncommitted"),
    doc: "Whether this share group is delivered only committed transactional records (read_committed) or all of them (read_uncommitted).",
  }),
  shareRenewAcknowledgeEnable: groupConfig({
    name: "share.renew.acknowledge.enable",
    kind: bool(),
    synonym: "share.renew.acknowledge.enable",
    default: fixed(true),
    doc: "Whether consumers of this share group may renew the lock of a record they hold.",
  }),
  errorsDeadletterqueueTopicName: groupConfig({
    name: "errors.deadletterqueue.topic.name",
    kind: text(false),
    synonym: "errors.deadletterqueue.topic.name",
    default: fixed(""),
    doc: "Topic that receives the records this share group gives up on; empty for none.",
  }),
  errorsDeadletterqueueCopyRecordEnable: groupConfig({
    name: "errors.deadletterqueue.copy.record.enable",
    kind: bool(),
    synonym: "errors.deadletterqueue.copy.record.enable",
    default: fixed(false),
    doc: "Whether a dead-letter record carries the original record, or only headers describing it.",
  }),
  streamsSessionTimeoutMs: groupConfig({
    name: "streams.session.timeout.ms",
    kind: int(1),
    synonym: "group.streams.session.timeout.ms",
    default: fixed(STREAMS_SESSION_TIMEOUT_MS),
    check: within(STREAMS_SESSION_RANGE),
    doc: "How long a member of this streams group may go without a heartbeat before it is removed.",
  }),
  streamsHeartbeatIntervalMs: groupConfig({
    name: "streams.heartbeat.interval.ms",
    kind: int(1),
    synonym: "group.streams.heartbeat.interval.ms",
    default: fixed(STREAMS_HEARTBEAT_INTERVAL_MS),
    check: within(STREAMS_HEARTBEAT_RANGE),
    doc: "How often the members of this streams group are told to heartbeat.",
  }),
  streamsAssignmentIntervalMs: groupConfig({
    name: "streams.assignment.interval.ms",
    kind: int(0),
    synonym: "group.streams.assignment.interval.ms",
    default: fixed(ASSIGNMENT_INTERVAL_MS),
    check: within(ASSIGNMENT_INTERVAL_RANGE),
    doc: "Least time between two assignment updates of this streams group.",
  }),
  streamsInitialRebalanceDelayMs: groupConfig({
    name: "streams.initial.rebalance.delay.ms",
    kind: int(0),
    synonym: "group.streams.initial.rebalance.delay.ms",
    default: fixed(STREAMS_INITIAL_REBALANCE_DELAY_MS),
    doc: "How long a new streams group waits for more members before its first assignment.",
  }),
  streamsNumStandbyReplicas: groupConfig({
    name: "streams.num.standby.replicas",
    kind: int(0),
    synonym: "group.streams.num.standby.replicas",
    default: fixed(0),
    check: (n, name) =>
      n > MAX_STANDBY_REPLICAS
        ? `${name} must be less than or equal to ${MAX_STANDBY_REPLICAS}`
        : null,
    doc: "Standby replicas of each task of this streams group.",
  }),
  streamsAssignorName: groupConfig({
    name: "streams.assignor.name",
    kind: text(false),
    synonym: "group.streams.assignors",
    default: fixed("sticky"),
    check: registeredAssignor,
    doc: "The task assignor of this streams group, by its short name.",
  }),
  streamsRackAwareAssignmentTags: groupConfig({
    name: "streams.rack.aware.assignment.tags",
    kind: list(),
    synonym: "group.streams.rack.aware.assignment.tags",
    default: fixed<string[]>([]),
    doc: "Client tag keys across which this streams group spreads the standby replicas of a task.",
  }),
} as const;

type Specs = typeof GROUP_CONFIG_SPECS;

/** A group's effective configs, typed, with the defaults applied. */
export type GroupConfigValues = {
  readonly [K in keyof Specs]: Specs[K] extends GroupConfigSpec<infer T> ? T : never;
};

/** A group config as the config handlers see it (untyped, by name). */
export interface GroupConfigDef {
  readonly name: string;
  readonly type: ConfigType;
  readonly doc: string;
  readonly synonym: string;
  /** The value a group gets without an override on this broker. */
  defaultValue(config: BrokerConfig): string;
  /** Kafka's message for a refused value, or null when the value is acceptable. */
  check(value: string, config: BrokerConfig): string | null;
}

function defOf<T>(spec: GroupConfigSpec<T>): GroupConfigDef {
  const ofKind = checkAgainst(spec.name, spec.kind);
  return {
    name: spec.name,
    type: spec.kind.type,
    doc: spec.doc,
    synonym: spec.synonym,
    defaultValue: (config) => spec.kind.format(spec.default(config)),
    check(value, config) {
      const refused = ofKind(value);
      if (refused !== null) return refused;
      return spec.check?.(spec.kind.parse(value), spec.name, config) ?? null;
    },
  };
}

/** Every group config, by name. */
export const GROUP_CONFIG_DEFS: ReadonlyMap<string, GroupConfigDef> = new Map(
  Object.values(GROUP_CONFIG_SPECS).map((s: GroupConfigSpec<unknown>) => [s.name, defOf(s)]),
);

/** The effective configs of a group with (checked) overrides `overrides`. */
export function groupConfigValues(
  config: BrokerConfig,
  overrides: ReadonlyMap<string, string>,
): GroupConfigValues {
  const out: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(GROUP_CONFIG_SPECS) as [
    string,
    GroupConfigSpec<unknown>,
  ][]) {
    const raw = overrides.get(spec.name);
    out[key] = raw === undefined ? spec.default(config) : spec.kind.parse(raw);
  }
  // Every key of the specs was filled, each with its spec's kind.
  return Object.freeze(out) as GroupConfigValues;
}
