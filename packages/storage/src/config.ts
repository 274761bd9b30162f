/**
 * Per-log settings, named after Kafka's topic configs. Offsets, positions and
 * timestamps are plain numbers throughout the storage package: offsets are assigned
 * densely from 0 by this broker and stay far below 2^53.
 */
export interface LogConfig {
  /** segment.bytes: roll to a new segment once the active one would exceed this. */
  segmentBytes: number;
  /** segment.ms: roll once the active segment is older than this (and non-empty). */
  segmentMs: number;
  /** index.interval.bytes: bytes of log between two sparse index entries. */
  indexIntervalBytes: number;
  /** retention.ms: delete closed segments whose newest record is older; -1 = forever. */
  retentionMs: number;
  /** retention.bytes: delete oldest closed segments while the log is larger; -1 = no limit. */
  retentionBytes: number;
  /** cleanup.policy: "delete", "compact" or both. */
  cleanupPolicy: { delete: boolean; compact: boolean };
  /** delete.retention.ms: how long tombstones survive compaction. */
  deleteRetentionMs: number;
  /** min.cleanable.dirty.ratio: compact once dirty bytes / total bytes exceed this. */
  minCleanableDirtyRatio: number;
  /** flush.messages: fsync after this many appended records (1 = every append). */
  flushMessages: number;
  /** flush.ms: fsync when the oldest unflushed append is this old. */
  flushMs: number;
  /** message.timestamp.type */
  messageTimestampType: "CreateTime" | "LogAppendTime";
}

const DAY = 24 * 60 * 60 * 1000;

/** Kafka's defaults; durability is left to the OS (no fsync per append), as in Kafka. */
export const DEFAULT_LOG_CONFIG: Readonly<LogConfig> = Object.freeze({
  segmentBytes: 1024 * 1024 * 1024,
  segmentMs: 7 * DAY,
  indexIntervalBytes: 4096,
  retentionMs: 7 * DAY,
  retentionBytes: -1,
  cleanupPolicy: Object.freeze({ delete: true, compact: false }),
  deleteRetentionMs: DAY,
  minCleanableDirtyRatio: 0.5,
  flushMessages: Number.MAX_SAFE_INTEGER,
  flushMs: Number.MAX_SAFE_INTEGER,
  messageTimestampType: "CreateTime",
});

export function logConfig(overrides: Partial<LogConfig> = {}): LogConfig {
  return { ...DEFAULT_LOG_CONFIG, ...overrides };
}
