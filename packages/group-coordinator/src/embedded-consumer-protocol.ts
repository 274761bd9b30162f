export {
  CONSUMER_PROTOCOL_TYPE,
  type EmbeddedSubscription,
  type NamedPartitions,
  readAssignment,
  readSubscription,
  writeAssignment,
} from "@logbook/protocol";

import type { NamedPartitions } from "@logbook/protocol";
import type { ConsumerTopicView } from "./consumer-api.js";
import { type Assignment, addPartition, partitionsOf } from "./consumer-group.js";

/** By topic id; partitions of topics that no longer exist are left out. */
export function byTopicId(named: NamedPartitions[], topics: ConsumerTopicView): Assignment {
  const a: Assignment = new Map();
  for (const t of named) {
    const id = topics.byName(t.topic)?.id;
    if (id === undefined) continue;
    for (const p of t.partitions) addPartition(a, id.toString("hex"), p);
  }
  return a;
}

/** By topic name, topics in name order; partitions of unknown topic ids are left out. */
export function byTopicName(a: Assignment, topics: ConsumerTopicView): NamedPartitions[] {
  const named = new Map<string, number[]>();
  for (const [id, p] of partitionsOf(a)) {
    const name = topics.byId(Buffer.from(id, "hex"))?.name;
    if (name === undefined) continue;
    const ps = named.get(name) ?? [];
    ps.push(p);
    named.set(name, ps);
  }
  return [...named.keys()].sort().map((topic) => ({ topic, partitions: named.get(topic) ?? [] }));
}
