import { DecodeError } from "../primitives/errors.js";
import { type BatchAttributes, decodeBatchAttributes, type TimestampTypeId } from "./attributes.js";
import { BATCH_HEADER_SIZE, BatchField, CURRENT_MAGIC, LOG_OVERHEAD } from "./batch-layout.js";

/**
 * A zero-copy view of a RecordBatch header inside a larger buffer (a produce request,
 * a segment read, a fetch response). Getters read the bytes on demand; the setters
 * patch only the two fields outside the CRC, so the broker can stamp offsets and
 * epochs without re-checksumming.
 */
export class RecordBatchHeader {
  private constructor(
    readonly buf: Buffer,
    readonly start: number,
  ) {}

  /** Throws DecodeError when fewer than 61 bytes remain or the magic is not 2. */
  static at(buf: Buffer, start = 0): RecordBatchHeader {
    if (start < 0 || buf.length - start < BATCH_HEADER_SIZE) {
      throw new DecodeError("truncated", `batch header needs ${BATCH_HEADER_SIZE} bytes`, start);
    }
    const magic = buf.readInt8(start + BatchField.magic);
    if (magic !== CURRENT_MAGIC) {
      throw new DecodeError(
        "invalid-value",
        `batch magic ${magic}, expected 2`,
        start + BatchField.magic,
      );
    }
    return new RecordBatchHeader(buf, start);
  }

  get baseOffset(): bigint {
    return this.buf.readBigInt64BE(this.start + BatchField.baseOffset);
  }
  get batchLength(): number {
    return this.buf.readInt32BE(this.start + BatchField.batchLength);
  }
  /** Whole batch size in bytes, as claimed by batchLength (check with validateBatch). */
  get sizeInBytes(): number {
    return this.batchLength + LOG_OVERHEAD;
  }
  get end(): number {
    return this.start + this.sizeInBytes;
  }
  get partitionLeaderEpoch(): number {
    return this.buf.readInt32BE(this.start + BatchField.partitionLeaderEpoch);
  }
  get magic(): number {
    return this.buf.readInt8(this.start + BatchField.magic);
  }
  get crc(): number {
    return this.buf.readUInt32BE(this.start + BatchField.crc);
  }
  get attributes(): number {
    return this.buf.readInt16BE(this.start + BatchField.attributes);
  }
  get decodedAttributes(): BatchAttributes {
    return decodeBatchAttributes(this.attributes);
  }
  get compression(): number {
    return this.attributes & 0x07;
  }
  get timestampType(): TimestampTypeId {
    return this.decodedAttributes.timestampType;
  }
  get isTransactional(): boolean {
    return this.decodedAttributes.isTransactional;
  }
  get isControl(): boolean {
    return this.decodedAttributes.isControl;
  }
  get hasDeleteHorizon(): boolean {
    return this.decodedAttributes.hasDeleteHorizon;
  }
  get lastOffsetDelta(): number {
    return this.buf.readInt32BE(this.start + BatchField.lastOffsetDelta);
  }
  get lastOffset(): bigint {
    return this.baseOffset + BigInt(this.lastOffsetDelta);
  }
  get nextOffset(): bigint {
    return this.lastOffset + 1n;
  }
  get baseTimestamp(): bigint {
    return this.buf.readBigInt64BE(this.start + BatchField.baseTimestamp);
  }
  /** When hasDeleteHorizon is set, baseTimestamp holds the delete horizon (KIP-534). */
  get deleteHorizonMs(): bigint | null {
    return this.hasDeleteHorizon ? this.baseTimestamp : null;
  }
  get maxTimestamp(): bigint {
    return this.buf.readBigInt64BE(this.start + BatchField.maxTimestamp);
  }
  get producerId(): bigint {
    return this.buf.readBigInt64BE(this.start + BatchField.producerId);
  }
  get producerEpoch(): number {
    return this.buf.readInt16BE(this.start + BatchField.producerEpoch);
  }
  get baseSequence(): number {
    return this.buf.readInt32BE(this.start + BatchField.baseSequence);
  }
  get recordsCount(): number {
    return this.buf.readInt32BE(this.start + BatchField.recordsCount);
  }

  /** Outside the CRC: no re-checksum needed. */
  setBaseOffset(offset: bigint): void {
    this.buf.writeBigInt64BE(offset, this.start + BatchField.baseOffset);
  }
  /** Outside the CRC: no re-checksum needed. */
  setPartitionLeaderEpoch(epoch: number): void {
    this.buf.writeInt32BE(epoch, this.start + BatchField.partitionLeaderEpoch);
  }

  /** The batch bytes as claimed by batchLength (a view, not a copy). */
  bytes(): Buffer {
    return this.buf.subarray(this.start, this.end);
  }
}
