/**
 * Kafka's RangeAssignor: per topic, members (sorted by member id) get consecutive
 * partition ranges, the first ones one partition more when the count does not divide.
 */
import type { NamedPartitions } from "@logbook/protocol";

export function rangeAssign(
  subscriptions: ReadonlyMap<string, readonly string[]>,
  partitionCounts: ReadonlyMap<string, number>,
): Map<string, NamedPartitions[]> {
  const out = new Map<string, NamedPartitions[]>([...subscriptions.keys()].map((m) => [m, []]));
  const topics = [...new Set([...subscriptions.values()].flat())].sort();
  for (const topic of topics) {
    const members = [...subscriptions]
      .filter(([, ts]) => ts.includes(topic))
      .map(([m]) => m)
      .sort();
    const n = partitionCounts.get(topic) ?? 0;
    const per = Math.floor(n / members.length);
    const extra = n % members.length;
    members.forEach((m, i) => {
      const start = i * per + Math.min(i, extra);
      const length = per + (i < extra ? 1 : 0);
      if (length === 0) return;
      out.get(m)?.push({ topic, partitions: Array.from({ length }, (_, k) => start + k) });
    });
  }
  return out;
}
