/**
 * Classic consumer-group and offset settings: BrokerConfig.groups (the KIP-848 ones are
 * in group-consumer-settings.ts). The group coordinator keeps its own
 * defaults for standalone use; the schema takes them from there rather than repeat them.
 */
import {
  type ClassicGroupConfig,
  DEFAULT_COORDINATOR_CONFIG as D,
} from "@logbook/group-coordinator";
import { int, intOrUnbounded, inUnits, long, TIMER_MAX_MS } from "./kinds.js";
import { type SectionSpecs, setting } from "./setting.js";

const MINUTE = 60_000;

export const GROUP_SETTINGS: SectionSpecs<ClassicGroupConfig> = {
  initialRebalanceDelayMs: setting({
    name: "group.initial.rebalance.delay.ms",
    kind: int(0),
    default: D.initialRebalanceDelayMs,
    importance: "medium",
    doc: "How long a new consumer group waits for more members before its first rebalance.",
  }),
  minSessionTimeoutMs: setting({
    name: "group.min.session.timeout.ms",
    kind: int(1),
    default: D.minSessionTimeoutMs,
    importance: "medium",
    doc: "Smallest session timeout a consumer may ask for (INVALID_SESSION_TIMEOUT below).",
  }),
  maxSessionTimeoutMs: setting({
    name: "group.max.session.timeout.ms",
    kind: int(1),
    default: D.maxSessionTimeoutMs,
    importance: "medium",
    doc: "Largest session timeout a consumer may ask for.",
  }),
  maxGroupSize: setting({
    name: "group.max.size",
    kind: intOrUnbounded(1),
    default: D.maxGroupSize,
    defaultText: "unbounded",
    importance: "medium",
    doc: "Most members one consumer group may have (GROUP_MAX_SIZE_REACHED beyond).",
  }),
  offsetsRetentionMs: setting({
    name: "offsets.retention.minutes",
    kind: inUnits(int(1), MINUTE),
    default: D.offsetsRetentionMs,
    importance: "high",
    doc: "How long committed offsets of an empty group are kept.",
  }),
  offsetsRetentionCheckIntervalMs: setting({
    name: "offsets.retention.check.interval.ms",
    kind: long(1, TIMER_MAX_MS),
    default: D.offsetsRetentionCheckIntervalMs,
    importance: "high",
    doc: "How often committed offsets are checked against offsets.retention.minutes.",
  }),
  offsetMetadataMaxBytes: setting({
    name: "offset.metadata.max.bytes",
    kind: int(0),
    default: D.offsetMetadataMaxBytes,
    importance: "high",
    doc: "Longest metadata string a committed offset may carry (OFFSET_METADATA_TOO_LARGE beyond).",
  }),
};
