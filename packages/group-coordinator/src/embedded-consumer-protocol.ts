import {
  decodeConsumerProtocolAssignment,
  decodeConsumerProtocolSubscription,
  encodeConsumerProtocolAssignment,
  Reader,
  sizeConsumerProtocolAssignment,
  Writer,
} from "@logbook/protocol";
import type { ConsumerTopicView } from "./consumer-api.js";
import { type Assignment, addPartition, partitionsOf } from "./consumer-group.js";

/**
 * The classic consumer's embedded protocol (the JoinGroup metadata and SyncGroup
 * assignment bytes: INT16 version, then the struct) as a consumer group reads and writes
 * it for its classic members. A version above the highest known is read as the highest:
 * later versions only append fields.
 */

const HIGHEST = 3;

/** The protocol type of consumers (JoinGroup's ProtocolType). */
export const CONSUMER_PROTOCOL_TYPE = "consumer";

export interface NamedPartitions {
  topic: string;
  partitions: number[];
}

export interface EmbeddedSubscription {
  version: number;
  topics: string[];
  owned: NamedPartitions[];
  rackId: string | null;
}

/** Null when the bytes are not a subscription. */
export function readSubscription(metadata: Buffer): EmbeddedSubscription | null {
  try {
    const r = new Reader(metadata);
    const version = r.int16();
    if (version < 0) return null;
    const s = decodeConsumerProtocolSubscription(r, Math.min(version, HIGHEST));
    return {
      version,
      topics: s.topics,
      owned: s.ownedPartitions.map((t) => ({ topic: t.topic, partitions: t.partitions })),
      rackId: s.rackId,
    };
  } catch {
    return null;
  }
}

/** Empty bytes are no assignment (a member the leader left out); null when unreadable. */
export function readAssignment(bytes: Buffer): NamedPartitions[] | null {
  if (bytes.length === 0) return [];
  try {
    const r = new Reader(bytes);
    const version = r.int16();
    if (version < 0) return null;
    const a = decodeConsumerProtocolAssignment(r, Math.min(version, HIGHEST));
    return a.assignedPartitions.map((t) => ({ topic: t.topic, partitions: t.partitions }));
  } catch {
    return null;
  }
}

/** The assignment bytes, in the version the member's subscription used (at most the highest). */
export function writeAssignment(partitions: NamedPartitions[], version: number): Buffer {
  const v = Math.max(0, Math.min(version, HIGHEST));
  const value = { assignedPartitions: partitions, userData: null };
  const w = Writer.alloc(2 + sizeConsumerProtocolAssignment(value, v));
  w.int16(v);
  encodeConsumerProtocolAssignment(w, value, v);
  return w.result();
}

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
