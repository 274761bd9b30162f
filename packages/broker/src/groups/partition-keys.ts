import type { TopicRegistry } from "../topics.js";

/** A map key for one topic-partition (topic names cannot contain NUL). */
export function partitionKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}

/**
 * Whether the partition exists. Kafka answers UNKNOWN_TOPIC_OR_PARTITION to
 * OffsetCommit and OffsetDelete for partitions its metadata does not hold, before
 * the coordinator sees them.
 */
export function partitionExists(topics: TopicRegistry, topic: string, partition: number): boolean {
  const t = topics.get(topic);
  return t !== undefined && partition >= 0 && partition < t.partitions;
}
