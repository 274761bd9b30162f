import { BatchField, ControlRecordType, Reader } from "@logbook/protocol";
import type { AbortedTxn } from "./aborted-txn.js";

const COMPRESSION_MASK = 0x07;
const TRANSACTIONAL_BIT = 0x10;
const CONTROL_BIT = 0x20;
const RECORDS_START = 61;

/**
 * The type of the control record in the control batch at `at` (ControlRecordType), or
 * -1 when it cannot be read. Markers are written uncompressed by the broker and
 * clients may not produce control batches, so a compressed one is not a marker here.
 */
export function controlTypeAt(buf: Buffer, at: number): number {
  try {
    const size = buf.readInt32BE(at + BatchField.batchLength) + 12;
    const attributes = buf.readInt16BE(at + BatchField.attributes);
    if ((attributes & COMPRESSION_MASK) !== 0) return -1;
    if (buf.readInt32BE(at + BatchField.recordsCount) < 1) return -1;
    const r = new Reader(buf, at + RECORDS_START, at + size);
    r.varint(); // record length
    r.skip(1); // record attributes
    r.varlong(); // timestamp delta
    r.varint(); // offset delta
    const keyLength = r.varint();
    if (keyLength < 4) return -1;
    const key = r.raw(keyLength);
    return key.readInt16BE(2);
  } catch {
    return -1;
  }
}

/**
 * Which producers have a transaction open in one partition, and where each began: the
 * state a transaction index is built from. Fed every stored batch in offset order: a
 * transactional data batch opens its producer's transaction (if none is open), a
 * COMMIT or ABORT marker ends it, and an ABORT that ends an open transaction yields
 * the index entry. A marker for a producer with nothing open (a retried marker, or
 * one whose data lay wholly below the scan start) yields nothing: no data of that
 * transaction is in the part of the log the index describes.
 */
export class OpenTransactions {
  private readonly firstOffsets: Map<bigint, number>;

  constructor(entries: Iterable<readonly [bigint, number]> = []) {
    this.firstOffsets = new Map(entries);
  }

  /** Feeds the stored batch at `at` (offsets stamped); returns its aborted transaction, if any. */
  observe(buf: Buffer, at: number): AbortedTxn | null {
    const attributes = buf.readInt16BE(at + BatchField.attributes);
    const producerId = buf.readBigInt64BE(at + BatchField.producerId);
    if (producerId < 0n) return null;
    const offset = Number(buf.readBigInt64BE(at + BatchField.baseOffset));
    if ((attributes & CONTROL_BIT) === 0) {
      if ((attributes & TRANSACTIONAL_BIT) !== 0 && !this.firstOffsets.has(producerId))
        this.firstOffsets.set(producerId, offset);
      return null;
    }
    const type = controlTypeAt(buf, at);
    if (type !== ControlRecordType.abort && type !== ControlRecordType.commit) return null;
    const firstOffset = this.firstOffsets.get(producerId);
    if (firstOffset === undefined) return null;
    this.firstOffsets.delete(producerId);
    if (type === ControlRecordType.commit) return null;
    return {
      producerId,
      firstOffset,
      lastOffset: offset,
      lastStableOffset: this.lastStableOffset(offset + 1),
    };
  }

  /** Where the producer's open transaction began; undefined when it has none open. */
  firstOffsetOf(producerId: bigint): number | undefined {
    return this.firstOffsets.get(producerId);
  }

  /** The first offset of the oldest open transaction, or `endOffset` when none is open. */
  lastStableOffset(endOffset: number): number {
    let lso = endOffset;
    for (const first of this.firstOffsets.values()) if (first < lso) lso = first;
    return lso;
  }

  /** (producerId, first offset) of every open transaction, for the checkpoint. */
  entries(): [bigint, number][] {
    return [...this.firstOffsets];
  }

  clone(): OpenTransactions {
    return new OpenTransactions(this.firstOffsets);
  }
}
