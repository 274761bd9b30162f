import {
  type ConsumerGroupCurrentMemberAssignmentValue,
  type ConsumerGroupMemberMetadataValue,
  type ConsumerGroupMetadataValue,
  type ConsumerGroupPartitionMetadataValue,
  type ConsumerGroupRegularExpressionValue,
  type ConsumerGroupTargetAssignmentMemberValue,
  type ConsumerGroupTargetAssignmentMetadataValue,
  decodeConsumerGroupCurrentMemberAssignmentKey,
  decodeConsumerGroupCurrentMemberAssignmentValue,
  decodeConsumerGroupMemberMetadataKey,
  decodeConsumerGroupMemberMetadataValue,
  decodeConsumerGroupMetadataKey,
  decodeConsumerGroupMetadataValue,
  decodeConsumerGroupPartitionMetadataKey,
  decodeConsumerGroupPartitionMetadataValue,
  decodeConsumerGroupRegularExpressionKey,
  decodeConsumerGroupRegularExpressionValue,
  decodeConsumerGroupTargetAssignmentMemberKey,
  decodeConsumerGroupTargetAssignmentMemberValue,
  decodeConsumerGroupTargetAssignmentMetadataKey,
  decodeConsumerGroupTargetAssignmentMetadataValue,
  encodeConsumerGroupCurrentMemberAssignmentKey,
  encodeConsumerGroupCurrentMemberAssignmentValue,
  encodeConsumerGroupMemberMetadataKey,
  encodeConsumerGroupMemberMetadataValue,
  encodeConsumerGroupMetadataKey,
  encodeConsumerGroupMetadataValue,
  encodeConsumerGroupPartitionMetadataKey,
  encodeConsumerGroupPartitionMetadataValue,
  encodeConsumerGroupRegularExpressionKey,
  encodeConsumerGroupRegularExpressionValue,
  encodeConsumerGroupTargetAssignmentMemberKey,
  encodeConsumerGroupTargetAssignmentMemberValue,
  encodeConsumerGroupTargetAssignmentMetadataKey,
  encodeConsumerGroupTargetAssignmentMetadataValue,
  type Reader,
  sizeConsumerGroupCurrentMemberAssignmentKey,
  sizeConsumerGroupCurrentMemberAssignmentValue,
  sizeConsumerGroupMemberMetadataKey,
  sizeConsumerGroupMemberMetadataValue,
  sizeConsumerGroupMetadataKey,
  sizeConsumerGroupMetadataValue,
  sizeConsumerGroupPartitionMetadataKey,
  sizeConsumerGroupPartitionMetadataValue,
  sizeConsumerGroupRegularExpressionKey,
  sizeConsumerGroupRegularExpressionValue,
  sizeConsumerGroupTargetAssignmentMemberKey,
  sizeConsumerGroupTargetAssignmentMemberValue,
  sizeConsumerGroupTargetAssignmentMetadataKey,
  sizeConsumerGroupTargetAssignmentMetadataValue,
  Writer,
} from "@logbook/protocol";
import type { LogRecord } from "./record-log.js";

/**
 * The KIP-848 consumer-group records of `__consumer_offsets`, under the key kinds Kafka
 * numbers them with (3 group epoch, 4 subscribed topics' partition counts, 5 member
 * subscription, 6 target assignment epoch, 7 member target assignment, 8 member current
 * assignment, 16 resolved regular expression). The layouts are Logbook's own (declared
 * in protocol-specs/data/internal-records.lbs): key = INT16 kind | struct v0, value =
 * INT16 0 | struct v0, null value = tombstone.
 */
interface Shapes {
  "cg-epoch": [{ group: string }, ConsumerGroupMetadataValue];
  "cg-topics": [{ group: string }, ConsumerGroupPartitionMetadataValue];
  "cg-member": [{ group: string; memberId: string }, ConsumerGroupMemberMetadataValue];
  "cg-target-epoch": [{ group: string }, ConsumerGroupTargetAssignmentMetadataValue];
  "cg-target": [{ group: string; memberId: string }, ConsumerGroupTargetAssignmentMemberValue];
  "cg-current": [{ group: string; memberId: string }, ConsumerGroupCurrentMemberAssignmentValue];
  "cg-regex": [{ group: string; regex: string }, ConsumerGroupRegularExpressionValue];
}

export type ConsumerGroupRecordKind = keyof Shapes;

export type ConsumerGroupRecord = {
  [K in ConsumerGroupRecordKind]: Shapes[K][0] & { kind: K; value: Shapes[K][1] | null };
}[ConsumerGroupRecordKind];

/** One generated struct's codec at schema version 0 (method syntax: read as bivariant). */
interface StructCodec<T> {
  size(v: T, version: number): number;
  encode(w: Writer, v: T, version: number): void;
  decode(r: Reader, version: number): T;
}

interface KindCodec<K, V> {
  id: number;
  key: StructCodec<K>;
  value: StructCodec<V>;
}

const CODECS: { [K in ConsumerGroupRecordKind]: KindCodec<Shapes[K][0], Shapes[K][1]> } = {
  "cg-epoch": {
    id: 3,
    key: {
      size: sizeConsumerGroupMetadataKey,
      encode: encodeConsumerGroupMetadataKey,
      decode: decodeConsumerGroupMetadataKey,
    },
    value: {
      size: sizeConsumerGroupMetadataValue,
      encode: encodeConsumerGroupMetadataValue,
      decode: decodeConsumerGroupMetadataValue,
    },
  },
  "cg-topics": {
    id: 4,
    key: {
      size: sizeConsumerGroupPartitionMetadataKey,
      encode: encodeConsumerGroupPartitionMetadataKey,
      decode: decodeConsumerGroupPartitionMetadataKey,
    },
    value: {
      size: sizeConsumerGroupPartitionMetadataValue,
      encode: encodeConsumerGroupPartitionMetadataValue,
      decode: decodeConsumerGroupPartitionMetadataValue,
    },
  },
  "cg-member": {
    id: 5,
    key: {
      size: sizeConsumerGroupMemberMetadataKey,
      encode: encodeConsumerGroupMemberMetadataKey,
      decode: decodeConsumerGroupMemberMetadataKey,
    },
    value: {
      size: sizeConsumerGroupMemberMetadataValue,
      encode: encodeConsumerGroupMemberMetadataValue,
      decode: decodeConsumerGroupMemberMetadataValue,
    },
  },
  "cg-target-epoch": {
    id: 6,
    key: {
      size: sizeConsumerGroupTargetAssignmentMetadataKey,
      encode: encodeConsumerGroupTargetAssignmentMetadataKey,
      decode: decodeConsumerGroupTargetAssignmentMetadataKey,
    },
    value: {
      size: sizeConsumerGroupTargetAssignmentMetadataValue,
      encode: encodeConsumerGroupTargetAssignmentMetadataValue,
      decode: decodeConsumerGroupTargetAssignmentMetadataValue,
    },
  },
  "cg-target": {
    id: 7,
    key: {
      size: sizeConsumerGroupTargetAssignmentMemberKey,
      encode: encodeConsumerGroupTargetAssignmentMemberKey,
      decode: decodeConsumerGroupTargetAssignmentMemberKey,
    },
    value: {
      size: sizeConsumerGroupTargetAssignmentMemberValue,
      encode: encodeConsumerGroupTargetAssignmentMemberValue,
      decode: decodeConsumerGroupTargetAssignmentMemberValue,
    },
  },
  "cg-current": {
    id: 8,
    key: {
      size: sizeConsumerGroupCurrentMemberAssignmentKey,
      encode: encodeConsumerGroupCurrentMemberAssignmentKey,
      decode: decodeConsumerGroupCurrentMemberAssignmentKey,
    },
    value: {
      size: sizeConsumerGroupCurrentMemberAssignmentValue,
      encode: encodeConsumerGroupCurrentMemberAssignmentValue,
      decode: decodeConsumerGroupCurrentMemberAssignmentValue,
    },
  },
  "cg-regex": {
    id: 16,
    key: {
      size: sizeConsumerGroupRegularExpressionKey,
      encode: encodeConsumerGroupRegularExpressionKey,
      decode: decodeConsumerGroupRegularExpressionKey,
    },
    value: {
      size: sizeConsumerGroupRegularExpressionValue,
      encode: encodeConsumerGroupRegularExpressionValue,
      decode: decodeConsumerGroupRegularExpressionValue,
    },
  },
};

const SCHEMA = 0;
type AnyCodec = KindCodec<object, object>;

const BY_ID = new Map<number, [ConsumerGroupRecordKind, AnyCodec]>(
  Object.entries(CODECS).map(([kind, c]) => [c.id, [kind as ConsumerGroupRecordKind, c]]),
);

export function isConsumerGroupKeyKind(id: number): boolean {
  return BY_ID.has(id);
}

function prefixed<T>(prefix: number, codec: StructCodec<T>, v: T): Buffer {
  const w = Writer.alloc(2 + codec.size(v, SCHEMA));
  w.int16(prefix);
  codec.encode(w, v, SCHEMA);
  return w.result();
}

export function encodeConsumerGroupRecord(r: ConsumerGroupRecord): LogRecord {
  const codec: AnyCodec = CODECS[r.kind];
  const { kind: _kind, value, ...key } = r;
  return {
    key: prefixed(codec.id, codec.key, key),
    value: value === null ? null : prefixed(SCHEMA, codec.value, value),
  };
}

/** Reads a record whose key kind `id` was already read; undefined for unknown value schemas. */
export function decodeConsumerGroupRecord(
  id: number,
  key: Reader,
  value: Reader | null,
): ConsumerGroupRecord | undefined {
  const entry = BY_ID.get(id);
  if (entry === undefined) return undefined;
  const [kind, codec] = entry;
  const k = codec.key.decode(key, SCHEMA);
  if (value !== null && value.int16() !== SCHEMA) return undefined;
  const v = value === null ? null : codec.value.decode(value, SCHEMA);
  // The codec table pairs each kind with its own structs, so the shape matches `kind`.
  return { ...k, kind, value: v } as ConsumerGroupRecord;
}
