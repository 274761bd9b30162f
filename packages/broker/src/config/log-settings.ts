/**
 * Log settings: BrokerConfig.logDefaults, each the broker-wide default of a topic config
 * (Kafka's ServerTopicConfigSynonyms). Storage keeps its own defaults for standalone
 * use; the schema takes them from there rather than repeat them.
 */
import { DEFAULT_LOG_CONFIG as D, type LogConfig } from "@logbook/storage";
import { cleanupPolicy, double, int, long, oneOf } from "./kinds.js";
import { type SectionSpecs, setting } from "./setting.js";

export const LOG_SETTINGS: SectionSpecs<LogConfig> = {
  segmentBytes: setting({
    name: "log.segment.bytes",
    kind: int(14),
    default: D.segmentBytes,
    importance: "high",
    doc: "Roll to a new segment file at this size.",
    topic: {
      name: "segment.bytes",
      doc: "Size at which the active segment file is closed and a new one started.",
    },
  }),
  segmentMs: setting({
    name: "log.roll.ms",
    kind: long(1),
    default: D.segmentMs,
    importance: "high",
    doc: "Roll a non-empty segment after this long.",
    topic: {
      name: "segment.ms",
      doc: "Age at which the active segment is closed even if not full, so retention and compaction can reach it.",
      defaultUnset: true,
    },
  }),
  indexIntervalBytes: setting({
    name: "log.index.interval.bytes",
    kind: int(0),
    default: D.indexIntervalBytes,
    importance: "medium",
    doc: "Bytes of log between two offset-index entries.",
    topic: {
      name: "index.interval.bytes",
      doc: "Bytes of log between two entries of the sparse offset index.",
    },
  }),
  retentionMs: setting({
    name: "log.retention.ms",
    kind: long(-1),
    default: D.retentionMs,
    importance: "high",
    doc: "Delete segments whose newest record is older than this; -1 keeps forever.",
    topic: {
      name: "retention.ms",
      doc: "How long records are kept before their segment may be deleted (-1: forever).",
      defaultUnset: true,
    },
  }),
  retentionBytes: setting({
    name: "log.retention.bytes",
    kind: long(),
    default: D.retentionBytes,
    importance: "high",
    doc: "Delete the oldest segments while a partition is larger; -1 = no limit.",
    topic: {
      name: "retention.bytes",
      doc: "Largest a partition may grow before its oldest segments are deleted (-1: no limit).",
    },
  }),
  cleanupPolicy: setting({
    name: "log.cleanup.policy",
    kind: cleanupPolicy(),
    default: D.cleanupPolicy,
    importance: "medium",
    doc: "delete, compact, or compact,delete.",
    topic: {
      name: "cleanup.policy",
      doc: "How old segments are reclaimed: 'delete' drops them by age or size, 'compact' keeps the latest record of each key; both may be given.",
    },
  }),
  deleteRetentionMs: setting({
    name: "log.cleaner.delete.retention.ms",
    kind: long(0),
    default: D.deleteRetentionMs,
    importance: "medium",
    doc: "How long compaction keeps tombstones.",
    topic: {
      name: "delete.retention.ms",
      doc: "How long a tombstone stays readable after compaction reached it, so slow consumers still see the delete.",
    },
  }),
  minCleanableDirtyRatio: setting({
    name: "log.cleaner.min.cleanable.ratio",
    kind: double(0, 1),
    default: D.minCleanableDirtyRatio,
    importance: "medium",
    doc: "Compact once this share of a log is dirty.",
    topic: {
      name: "min.cleanable.dirty.ratio",
      doc: "Compaction starts once this share of the log has not been compacted yet.",
    },
  }),
  flushMessages: setting({
    name: "log.flush.interval.messages",
    kind: long(1),
    default: D.flushMessages,
    importance: "high",
    doc: "fsync after this many records (1 = every append); default leaves it to the OS.",
    topic: {
      name: "flush.messages",
      doc: "Force an fsync after this many records; the default leaves flushing to the OS.",
    },
  }),
  flushMs: setting({
    name: "log.flush.interval.ms",
    kind: long(0),
    default: D.flushMs,
    importance: "high",
    doc: "fsync when the oldest unflushed append is this old.",
    topic: {
      name: "flush.ms",
      doc: "Force an fsync when unflushed data is this old; the default leaves flushing to the OS.",
      defaultUnset: true,
    },
  }),
  messageTimestampType: setting({
    name: "log.message.timestamp.type",
    kind: oneOf(["CreateTime", "LogAppendTime"] as const),
    default: D.messageTimestampType,
    importance: "medium",
    doc: "CreateTime keeps the producer's timestamps; LogAppendTime stamps the broker's.",
    topic: {
      name: "message.timestamp.type",
      doc: "Whether records keep the producer's timestamp (CreateTime) or get the broker's append time (LogAppendTime).",
    },
  }),
};
