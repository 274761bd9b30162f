/**
 * One aborted transaction of a partition, as its transaction index records it: the
 * producer, the offset of its first data batch, the offset of its ABORT marker, and
 * the partition's last stable offset right after the marker (every transaction
 * aborted later starts at or above it, which lets a lookup stop early).
 */
export interface AbortedTxn {
  producerId: bigint;
  firstOffset: number;
  /** Offset of the ABORT marker. */
  lastOffset: number;
  lastStableOffset: number;
}

/** Entry format version; an entry of another version makes the whole file unreadable. */
const ENTRY_VERSION = 0;
/** INT16 version, INT64 producerId, INT64 firstOffset, INT64 lastOffset, INT64 lastStableOffset. */
export const TXN_INDEX_ENTRY_SIZE = 34;

/** Entries in the on-disk layout, appended back to back (see the storage README). */
export function encodeTxnIndex(entries: readonly AbortedTxn[]): Buffer {
  const b = Buffer.alloc(entries.length * TXN_INDEX_ENTRY_SIZE);
  entries.forEach((e, i) => {
    const at = i * TXN_INDEX_ENTRY_SIZE;
    b.writeInt16BE(ENTRY_VERSION, at);
    b.writeBigInt64BE(e.producerId, at + 2);
    b.writeBigInt64BE(BigInt(e.firstOffset), at + 10);
    b.writeBigInt64BE(BigInt(e.lastOffset), at + 18);
    b.writeBigInt64BE(BigInt(e.lastStableOffset), at + 26);
  });
  return b;
}

/**
 * Decodes a segment's transaction index; null when it is torn or malformed: a length
 * that is not whole entries, an unknown version, an entry outside
 * [baseOffset, nextOffset), or markers not strictly increasing (they are appended in
 * log order). A null index is rebuilt from the log.
 */
export function decodeTxnIndex(
  bytes: Buffer,
  baseOffset: number,
  nextOffset = Number.POSITIVE_INFINITY,
): AbortedTxn[] | null {
  if (bytes.length % TXN_INDEX_ENTRY_SIZE !== 0) return null;
  const out: AbortedTxn[] = [];
  let previous = baseOffset - 1;
  for (let at = 0; at < bytes.length; at += TXN_INDEX_ENTRY_SIZE) {
    if (bytes.readInt16BE(at) !== ENTRY_VERSION) return null;
    const e: AbortedTxn = {
      producerId: bytes.readBigInt64BE(at + 2),
      firstOffset: Number(bytes.readBigInt64BE(at + 10)),
      lastOffset: Number(bytes.readBigInt64BE(at + 18)),
      lastStableOffset: Number(bytes.readBigInt64BE(at + 26)),
    };
    const plausible =
      e.producerId >= 0n &&
      e.firstOffset >= 0 &&
      e.firstOffset <= e.lastOffset &&
      e.lastOffset > previous &&
      e.lastOffset < nextOffset &&
      e.lastStableOffset >= 0 &&
      e.lastStableOffset <= e.lastOffset + 1;
    if (!plausible) return null;
    out.push(e);
    previous = e.lastOffset;
  }
  return out;
}
