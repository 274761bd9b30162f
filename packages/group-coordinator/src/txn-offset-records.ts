import {
  decodeOffsetCommitValue,
  encodeOffsetCommitValue,
  type OffsetCommitValue,
  type Reader,
  sizeOffsetCommitValue,
  Writer,
} from "@logbook/protocol";

/**
 * The record of a pending TxnOffsetCommit offset. Kafka writes transactional offsets as
 * ordinary offset records inside a transactional batch and lets the marker complete
 * them; `RecordLog` has no producer ids or markers, so this broker keeps them under
 * their own key kind instead:
 *
 *   key   = INT16 100 | STRING group | INT64 producer id | STRING topic | INT32 partition
 *   value = INT16 0 | INT16 producer epoch | OffsetCommitValue (the offset records' schema)
 *
 * 100 stays clear of the kinds Kafka numbers (1-2 classic, 3+ KIP-848). A transaction's
 * end appends, in one all-or-nothing batch, a tombstone for each of its pending keys and
 * (commit only) an ordinary offset record carrying the value: so compaction keeps
 * neither a finished pending offset nor a half-completed transaction, and replay sees
 * exactly the offsets still pending.
 */
export const TXN_OFFSET_KEY_KIND = 100;
const VALUE_SCHEMA = 0;
/** The schema the ordinary offset records use; the embedded value shares it. */
const OFFSET_VALUE_SCHEMA = 0;

export interface TxnOffsetKey {
  group: string;
  producerId: bigint;
  topic: string;
  partition: number;
}

export interface TxnOffsetValue {
  producerEpoch: number;
  offset: OffsetCommitValue;
}

function stringSize(s: string): number {
  return 2 + Buffer.byteLength(s);
}

export function encodeTxnOffsetKey(k: TxnOffsetKey): Buffer {
  const w = Writer.alloc(2 + stringSize(k.group) + 8 + stringSize(k.topic) + 4);
  w.int16(TXN_OFFSET_KEY_KIND);
  w.string(k.group, false);
  w.int64(k.producerId);
  w.string(k.topic, false);
  w.int32(k.partition);
  return w.result();
}

/** Reads the key after its kind. */
export function decodeTxnOffsetKey(r: Reader): TxnOffsetKey {
  const group = r.string(false);
  const producerId = r.int64();
  const topic = r.string(false);
  const partition = r.int32();
  return { group, producerId, topic, partition };
}

export function encodeTxnOffsetValue(v: TxnOffsetValue): Buffer {
  const w = Writer.alloc(4 + sizeOffsetCommitValue(v.offset, OFFSET_VALUE_SCHEMA));
  w.int16(VALUE_SCHEMA);
  w.int16(v.producerEpoch);
  encodeOffsetCommitValue(w, v.offset, OFFSET_VALUE_SCHEMA);
  return w.result();
}

/** Undefined for a value schema this broker does not know. */
export function decodeTxnOffsetValue(r: Reader): TxnOffsetValue | undefined {
  if (r.int16() !== VALUE_SCHEMA) return undefined;
  const producerEpoch = r.int16();
  return { producerEpoch, offset: decodeOffsetCommitValue(r, OFFSET_VALUE_SCHEMA) };
}
