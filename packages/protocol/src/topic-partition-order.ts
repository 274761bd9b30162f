/**
 * Topic-partition order: topics by UTF-16 code unit, as Java's String.compareTo sorts them
 * in Kafka's tools, then partitions by number. Not localeCompare: that orders "B" after
 * "a" unlike Kafka, and its first call loads ICU's collation data, about 3 MB resident
 * for the rest of the process (docs/performance.md, "Start-up and footprint").
 */
export function byTopicPartition(
  a: { readonly topic: string; readonly partition: number },
  b: { readonly topic: string; readonly partition: number },
): number {
  if (a.topic !== b.topic) return a.topic < b.topic ? -1 : 1;
  return a.partition - b.partition;
}
