/**
 * Topic configs that are accepted, checked and reported but change nothing on this
 * broker (compression levels, replication, tiered storage, preallocation, …), so that
 * Kafka tooling can read and set them. Those with a broker synonym are broker settings
 * too (BrokerConfig.inertTopicDefaults); the rest exist per topic only.
 */
import { bool, ConfigValueError, int, type Kind, long, matching, NEVER, oneOf } from "./kinds.js";
import {
  type Importance,
  type SectionValues,
  type SettingSpec,
  setting,
  type TopicConfigDef,
  topicOnly,
} from "./setting.js";

/** A broker synonym that only sets the reported default of its topic config. */
function inert<T>(
  name: string,
  topic: string,
  kind: Kind<T>,
  value: T,
  topicDoc: string,
  extra: { importance?: Importance; defaultUnset?: true } = {},
): SettingSpec<T> {
  return setting({
    name,
    kind,
    default: value,
    importance: extra.importance ?? "low",
    doc: `Default of the topic config ${topic} (no effect here). ${topicDoc}`,
    topic: {
      name: topic,
      doc: topicDoc,
      ...(extra.defaultUnset === true ? { defaultUnset: true as const } : {}),
    },
  });
}

/** -1 ("the codec's default") or a level in [min, max]. */
function level(min: number, max: number): Kind<number> {
  const range = int(min, max);
  return { ...range, parse: (raw) => (raw.trim() === "-1" ? -1 : range.parse(raw)) };
}

const COMPRESSION = ["uncompressed", "zstd", "lz4", "snappy", "gzip", "producer"] as const;

export const INERT_TOPIC_SETTINGS = {
  compressionType: inert(
    "compression.type",
    "compression.type",
    oneOf(COMPRESSION),
    "producer",
    "Codec the topic's data is kept in; 'producer' keeps whatever the producer sent. Logbook never recompresses, so only 'producer' changes nothing.",
    { importance: "high" },
  ),
  compressionGzipLevel: inert(
    "compression.gzip.level",
    "compression.gzip.level",
    level(1, 9),
    -1,
    "Gzip level used when the broker itself compresses with gzip.",
  ),
  compressionLz4Level: inert(
    "compression.lz4.level",
    "compression.lz4.level",
    int(1, 17),
    9,
    "LZ4 level used when the broker itself compresses with lz4.",
  ),
  compressionZstdLevel: inert(
    "compression.zstd.level",
    "compression.zstd.level",
    int(-131072, 22),
    3,
    "Zstandard level used when the broker itself compresses with zstd.",
  ),
  fileDeleteDelayMs: inert(
    "log.segment.delete.delay.ms",
    "file.delete.delay.ms",
    long(0),
    60_000,
    "Grace period before a removed segment's files leave the disk.",
  ),
  localRetentionBytes: inert(
    "log.local.retention.bytes",
    "local.retention.bytes",
    long(-2),
    -2,
    "With tiered storage, bytes kept on local disk; -2 means the same as retention.bytes.",
  ),
  localRetentionMs: inert(
    "log.local.retention.ms",
    "local.retention.ms",
    long(-2),
    -2,
    "With tiered storage, how long data stays on local disk; -2 means the same as retention.ms.",
  ),
  maxCompactionLagMs: inert(
    "log.cleaner.max.compaction.lag.ms",
    "max.compaction.lag.ms",
    long(1),
    NEVER,
    "Longest a record may wait before it becomes eligible for compaction.",
  ),
  messageDownconversionEnable: inert(
    "log.message.downconversion.enable",
    "message.downconversion.enable",
    bool(),
    true,
    "Whether old fetch versions may get records converted to an older format.",
  ),
  messageFormatVersion: inert(
    "log.message.format.version",
    "message.format.version",
    matching("string", /^\d+\.\d+(\.\d+)?(-IV\d+)?$/, "not a known version"),
    "3.0-IV1",
    "Record format the topic is written in (deprecated; always the current format here).",
  ),
  messageTimestampDifferenceMaxMs: inert(
    "log.message.timestamp.difference.max.ms",
    "message.timestamp.difference.max.ms",
    long(0),
    NEVER,
    "Largest distance between a CreateTime timestamp and the broker clock (deprecated for the before/after pair).",
  ),
  minCompactionLagMs: inert(
    "log.cleaner.min.compaction.lag.ms",
    "min.compaction.lag.ms",
    long(0),
    0,
    "Shortest time a record stays uncompacted after it is written.",
  ),
  minInsyncReplicas: inert(
    "min.insync.replicas",
    "min.insync.replicas",
    int(1),
    1,
    "Replicas that must acknowledge an acks=all write; with one broker only 1 can be met.",
    { importance: "high" },
  ),
  preallocate: inert(
    "log.preallocate",
    "preallocate",
    bool(),
    false,
    "Whether a new segment's file is allocated at full size up front.",
  ),
  segmentIndexBytes: inert(
    "log.index.size.max.bytes",
    "segment.index.bytes",
    int(4),
    10 * 1024 * 1024,
    "Largest size of a segment's offset index file.",
  ),
  segmentJitterMs: inert(
    "log.roll.jitter.ms",
    "segment.jitter.ms",
    long(0),
    0,
    "Random amount taken off segment.ms so partitions do not all roll at once.",
    { defaultUnset: true },
  ),
  uncleanLeaderElectionEnable: inert(
    "unclean.leader.election.enable",
    "unclean.leader.election.enable",
    bool(),
    false,
    "Whether a replica that is not in sync may become leader, at the cost of lost data.",
  ),
};

export type InertTopicDefaults = SectionValues<typeof INERT_TOPIC_SETTINGS>;

const THROTTLED = matching(
  "list",
  /^(\*|\s*|\d+\s*:\s*\d+(\s*,\s*\d+\s*:\s*\d+)*)$/,
  "expected '*' or partition:broker pairs",
);

/** remote.storage.enable: there is no tiered storage here, so only false is accepted. */
const REMOTE_STORAGE: Kind<boolean> = {
  ...bool(),
  parse: (raw) => {
    if (bool().parse(raw))
      throw new ConfigValueError("tiered storage is not enabled on this broker");
    return false;
  },
};

/** Topic configs without a broker synonym: only a topic can set them. */
export const TOPIC_ONLY_CONFIGS: readonly TopicConfigDef[] = [
  topicOnly(
    "follower.replication.throttled.replicas",
    THROTTLED,
    "",
    "Replicas ('partition:broker' pairs, or '*') whose follower-side replication is throttled.",
  ),
  topicOnly(
    "leader.replication.throttled.replicas",
    THROTTLED,
    "",
    "Replicas ('partition:broker' pairs, or '*') whose leader-side replication is throttled.",
  ),
  topicOnly(
    "remote.log.copy.disable",
    bool(),
    false,
    "With tiered storage, stop copying segments to remote storage.",
  ),
  topicOnly(
    "remote.log.delete.on.disable",
    bool(),
    false,
    "With tiered storage, delete remote data when tiering is switched off.",
  ),
  topicOnly(
    "remote.storage.enable",
    REMOTE_STORAGE,
    false,
    "Move closed segments to remote (tiered) storage; not available on this broker.",
  ),
];
