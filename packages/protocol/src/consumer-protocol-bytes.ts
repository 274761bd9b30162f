import {
  decodeConsumerProtocolAssignment,
  decodeConsumerProtocolSubscription,
  encodeConsumerProtocolAssignment,
  encodeConsumerProtocolSubscription,
  sizeConsumerProtocolAssignment,
  sizeConsumerProtocolSubscription,
} from "./generated/consumer-protocol.js";
import { Reader } from "./primitives/reader.js";
import { Writer } from "./primitives/writer.js";

/**
 * The classic consumer's embedded protocol (the JoinGroup metadata and SyncGroup
 * assignment bytes: INT16 version, then the struct), as the group coordinator reads and
 * writes it for classic members and as clients join with it. A version above the highest
 * known is read as the highest: later versions only append fields.
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

/** Subscription bytes (JoinGroup metadata) for `topics`, at the highest known version. */
export function writeSubscription(
  topics: readonly string[],
  owned: NamedPartitions[] = [],
): Buffer {
  const value = {
    topics: [...topics],
    userData: null,
    ownedPartitions: owned,
    generationId: -1,
    rackId: null,
  };
  const w = Writer.alloc(2 + sizeConsumerProtocolSubscription(value, HIGHEST));
  w.int16(HIGHEST);
  encodeConsumerProtocolSubscription(w, value, HIGHEST);
  return w.result();
}
