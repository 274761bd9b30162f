import {
  decodeGroupMetadataKey,
  decodeGroupMetadataValue,
  decodeOffsetCommitKey,
  decodeOffsetCommitValue,
  encodeGroupMetadataKey,
  encodeGroupMetadataValue,
  encodeOffsetCommitKey,
  encodeOffsetCommitValue,
  type GroupMetadataValue,
  type OffsetCommitValue,
  Reader,
  sizeGroupMetadataKey,
  sizeGroupMetadataValue,
  sizeOffsetCommitKey,
  sizeOffsetCommitValue,
  Writer,
} from "@logbook/protocol";
import {
  type ConsumerGroupRecord,
  decodeConsumerGroupRecord,
  encodeConsumerGroupRecord,
  isConsumerGroupKeyKind,
} from "./consumer-records.js";
import type { LogRecord } from "./record-log.js";
import {
  decodeTxnOffsetKey,
  decodeTxnOffsetValue,
  encodeTxnOffsetKey,
  encodeTxnOffsetValue,
  TXN_OFFSET_KEY_KIND,
  type TxnOffsetValue,
} from "./txn-offset-records.js";

/**
 * The records of `__consumer_offsets`. Both key structs are schema version 0, so the
 * INT16 in front of a key names its kind the way Kafka's does: 1 = offset commit,
 * 2 = group metadata. Values are INT16 0 + the struct; null is a tombstone. Kind 100,
 * pending transactional offsets, is this broker's own (see txn-offset-records.ts); kinds
 * 3-8 and 16 are the KIP-848 consumer groups' (see consumer-records.ts).
 */
const OFFSET_KEY_KIND = 1;
const GROUP_KEY_KIND = 2;
const SCHEMA = 0;

export type CoordinatorRecord =
  | {
      kind: "offset";
      group: string;
      topic: string;
      partition: number;
      value: OffsetCommitValue | null;
    }
  | { kind: "group"; group: string; value: GroupMetadataValue | null }
  | {
      kind: "txn-offset";
      group: string;
      producerId: bigint;
      topic: string;
      partition: number;
      value: TxnOffsetValue | null;
    }
  | ConsumerGroupRecord;

export function isConsumerGroupRecord(r: CoordinatorRecord): r is ConsumerGroupRecord {
  return r.kind.startsWith("cg-");
}

/** INT16 `prefix` (a key kind or value schema), then what `write` writes in `size` bytes. */
export function prefixed(prefix: number, size: number, write: (w: Writer) => void): Buffer {
  const w = Writer.alloc(2 + size);
  w.int16(prefix);
  write(w);
  return w.result();
}

export function encodeRecord(r: CoordinatorRecord): LogRecord {
  if (isConsumerGroupRecord(r)) return encodeConsumerGroupRecord(r);
  if (r.kind === "txn-offset") {
    return {
      key: encodeTxnOffsetKey(r),
      value: r.value === null ? null : encodeTxnOffsetValue(r.value),
    };
  }
  if (r.kind === "offset") {
    const k = { group: r.group, topic: r.topic, partition: r.partition };
    const v = r.value;
    return {
      key: prefixed(OFFSET_KEY_KIND, sizeOffsetCommitKey(k, SCHEMA), (w) =>
        encodeOffsetCommitKey(w, k, SCHEMA),
      ),
      value:
        v === null
          ? null
          : prefixed(SCHEMA, sizeOffsetCommitValue(v, SCHEMA), (w) =>
              encodeOffsetCommitValue(w, v, SCHEMA),
            ),
    };
  }
  const k = { group: r.group };
  const v = r.value;
  return {
    key: prefixed(GROUP_KEY_KIND, sizeGroupMetadataKey(k, SCHEMA), (w) =>
      encodeGroupMetadataKey(w, k, SCHEMA),
    ),
    value:
      v === null
        ? null
        : prefixed(SCHEMA, sizeGroupMetadataValue(v, SCHEMA), (w) =>
            encodeGroupMetadataValue(w, v, SCHEMA),
          ),
  };
}

/** Undefined for kinds or value versions this broker does not know (skipped on replay). */
export function decodeRecord(rec: LogRecord): CoordinatorRecord | undefined {
  const kr = new Reader(rec.key);
  const kind = kr.int16();
  if (kind === TXN_OFFSET_KEY_KIND) {
    const k = decodeTxnOffsetKey(kr);
    if (rec.value === null) return { kind: "txn-offset", ...k, value: null };
    const value = decodeTxnOffsetValue(new Reader(rec.value));
    return value === undefined ? undefined : { kind: "txn-offset", ...k, value };
  }
  if (isConsumerGroupKeyKind(kind)) {
    return decodeConsumerGroupRecord(kind, kr, rec.value === null ? null : new Reader(rec.value));
  }
  let vr: Reader | null = null;
  if (rec.value !== null) {
    vr = new Reader(rec.value);
    if (vr.int16() !== SCHEMA) return undefined;
  }
  if (kind === OFFSET_KEY_KIND) {
    const k = decodeOffsetCommitKey(kr, SCHEMA);
    return {
      kind: "offset",
      ...k,
      value: vr === null ? null : decodeOffsetCommitValue(vr, SCHEMA),
    };
  }
  if (kind === GROUP_KEY_KIND) {
    const k = decodeGroupMetadataKey(kr, SCHEMA);
    return {
      kind: "group",
      group: k.group,
      value: vr === null ? null : decodeGroupMetadataValue(vr, SCHEMA),
    };
  }
  return undefined;
}
