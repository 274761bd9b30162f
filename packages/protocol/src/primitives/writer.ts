import { EncodeError } from "./errors.js";

/**
 * Writes into a buffer sized up front by the generated `size*` functions, so encoding
 * never reallocates. Methods mirror {@link Reader}.
 */
export class Writer {
  pos: number;

  constructor(
    readonly buf: Buffer,
    start = 0,
  ) {
    this.pos = start;
  }

  static alloc(size: number): Writer {
    return new Writer(Buffer.allocUnsafe(size));
  }

  /** The bytes written so far. */
  result(): Buffer {
    // Single-byte writes index the buffer directly, and a typed array silently drops
    // writes past its end: catch an undersized buffer here rather than emit a short frame.
    if (this.pos > this.buf.length) {
      throw new EncodeError(`wrote ${this.pos} bytes into a buffer of ${this.buf.length}`);
    }
    return this.buf.subarray(0, this.pos);
  }

  int8(v: number): void {
    this.pos = this.buf.writeInt8(v, this.pos);
  }
  uint8(v: number): void {
    this.buf[this.pos++] = v;
  }
  int16(v: number): void {
    this.pos = this.buf.writeInt16BE(v, this.pos);
  }
  uint16(v: number): void {
    this.pos = this.buf.writeUInt16BE(v, this.pos);
  }
  int32(v: number): void {
    this.pos = this.buf.writeInt32BE(v, this.pos);
  }
  uint32(v: number): void {
    this.pos = this.buf.writeUInt32BE(v, this.pos);
  }
  int64(v: bigint): void {
    this.pos = this.buf.writeBigInt64BE(v, this.pos);
  }
  float64(v: number): void {
    this.pos = this.buf.writeDoubleBE(v, this.pos);
  }
  bool(v: boolean): void {
    this.buf[this.pos++] = v ? 1 : 0;
  }
  uuid(v: Uint8Array): void {
    if (v.length !== 16) throw new EncodeError(`uuid must be 16 bytes, got ${v.length}`);
    this.buf.set(v, this.pos);
    this.pos += 16;
  }

  uvarint(v: number): void {
    let n = v >>> 0;
    if (n !== v) throw new EncodeError(`uvarint out of range: ${v}`);
    while (n >= 0x80) {
      this.buf[this.pos++] = (n & 0x7f) | 0x80;
      n >>>= 7;
    }
    this.buf[this.pos++] = n;
  }

  varint(v: number): void {
    if ((v | 0) !== v) throw new EncodeError(`varint out of 32-bit range: ${v}`);
    this.uvarint(((v << 1) ^ (v >> 31)) >>> 0);
  }

  uvarlong(v: bigint): void {
    if (BigInt.asUintN(64, v) !== v) throw new EncodeError(`uvarlong out of range: ${v}`);
    let n = v;
    while (n >= 0x80n) {
      this.buf[this.pos++] = Number(n & 0x7fn) | 0x80;
      n >>= 7n;
    }
    this.buf[this.pos++] = Number(n);
  }

  varlong(v: bigint): void {
    if (BigInt.asIntN(64, v) !== v) throw new EncodeError(`varlong out of 64-bit range: ${v}`);
    this.uvarlong(BigInt.asUintN(64, (v << 1n) ^ (v >> 63n)));
  }

  private lengthPrefix(len: number, flexible: boolean, wide: boolean): void {
    if (flexible) this.uvarint(len + 1);
    else if (wide) this.int32(len);
    else this.int16(len);
  }

  string(s: string, flexible: boolean): void {
    this.nullableString(s, flexible);
  }

  nullableString(s: string | null, flexible: boolean): void {
    if (s === null) {
      this.lengthPrefix(-1, flexible, false);
      return;
    }
    const n = Buffer.byteLength(s, "utf8");
    if (!flexible && n > 0x7fff) throw new EncodeError(`string of ${n} bytes exceeds INT16 length`);
    this.lengthPrefix(n, flexible, false);
    this.pos += this.buf.write(s, this.pos, n, "utf8");
  }

  bytes(b: Uint8Array, flexible: boolean): void {
    this.nullableBytes(b, flexible);
  }

  nullableBytes(b: Uint8Array | null, flexible: boolean): void {
    if (b === null) {
      this.lengthPrefix(-1, flexible, true);
      return;
    }
    this.lengthPrefix(b.length, flexible, true);
    this.raw(b);
  }

  arrayLength(count: number, flexible: boolean): void {
    this.lengthPrefix(count, flexible, true);
  }

  raw(b: Uint8Array): void {
    // Buffer#copy is measurably faster than TypedArray#set for large record blobs.
    if (Buffer.isBuffer(b)) b.copy(this.buf, this.pos);
    else this.buf.set(b, this.pos);
    this.pos += b.length;
  }
}
