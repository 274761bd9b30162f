import { DecodeError } from "./errors.js";

/**
 * A bounds-checked cursor over untrusted bytes.
 *
 * Every length or count read from the wire is checked against the bytes that are
 * actually left before anything is allocated or looped over, so a hostile frame can
 * neither make us allocate what it claims nor spin on a huge count. Any violation
 * throws a {@link DecodeError}; the reader never returns partial values.
 */
export class Reader {
  pos: number;

  constructor(
    readonly buf: Buffer,
    start = 0,
    readonly end: number = buf.length,
  ) {
    if (start < 0 || end > buf.length || start > end) {
      throw new RangeError(`reader window ${start}..${end} outside a buffer of ${buf.length}`);
    }
    this.pos = start;
  }

  remaining(): number {
    return this.end - this.pos;
  }

  private need(n: number): number {
    const at = this.pos;
    // raw()/skip() take lengths decoded from the wire (e.g. record varints): a negative
    // or NaN length must not move the cursor backwards or poison it.
    if (!(n >= 0)) throw new DecodeError("negative-length", `length ${n}`, at);
    if (n > this.end - at) {
      throw new DecodeError("truncated", `need ${n} bytes, ${this.end - at} left`, at);
    }
    this.pos = at + n;
    return at;
  }

  int8(): number {
    return this.buf.readInt8(this.need(1));
  }
  uint8(): number {
    return this.buf[this.need(1)] as number;
  }
  int16(): number {
    return this.buf.readInt16BE(this.need(2));
  }
  uint16(): number {
    return this.buf.readUInt16BE(this.need(2));
  }
  int32(): number {
    return this.buf.readInt32BE(this.need(4));
  }
  uint32(): number {
    return this.buf.readUInt32BE(this.need(4));
  }
  int64(): bigint {
    return this.buf.readBigInt64BE(this.need(8));
  }
  float64(): number {
    return this.buf.readDoubleBE(this.need(8));
  }
  bool(): boolean {
    return this.buf[this.need(1)] !== 0;
  }

  /** 16 bytes, copied so the value does not pin the request buffer. */
  uuid(): Buffer {
    const at = this.need(16);
    return Buffer.from(this.buf.subarray(at, at + 16));
  }

  /** Unsigned LEB128 of at most 5 bytes whose value fits 32 bits. */
  uvarint(): number {
    const start = this.pos;
    let result = 0;
    for (let i = 0; i < 5; i++) {
      if (this.pos >= this.end)
        throw new DecodeError("truncated", "varint runs past the end", start);
      const b = this.buf[this.pos++] as number;
      if (i === 4 && b > 0x0f) throw new DecodeError("bad-varint", "varint exceeds 32 bits", start);
      result += (b & 0x7f) * 2 ** (7 * i);
      if ((b & 0x80) === 0) return result;
    }
    throw new DecodeError("bad-varint", "varint longer than 5 bytes", start);
  }

  /** Zig-zag signed 32-bit varint. */
  varint(): number {
    const z = this.uvarint();
    return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
  }

  /** Unsigned LEB128 of at most 10 bytes, as a bigint. */
  uvarlong(): bigint {
    const start = this.pos;
    let result = 0n;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end)
        throw new DecodeError("truncated", "varlong runs past the end", start);
      const b = this.buf[this.pos++] as number;
      if (i === 9 && b > 0x01)
        throw new DecodeError("bad-varint", "varlong exceeds 64 bits", start);
      result |= BigInt(b & 0x7f) << BigInt(7 * i);
      if ((b & 0x80) === 0) return result;
    }
    throw new DecodeError("bad-varint", "varlong longer than 10 bytes", start);
  }

  /** Zig-zag signed 64-bit varint. */
  varlong(): bigint {
    const z = this.uvarlong();
    return (z >> 1n) ^ -(z & 1n);
  }

  /**
   * Length prefix of a string, bytes or array: INT16/INT32 classic or compact (N+1) form.
   * Returns -1 for null. Never trusts the value: callers check it against the bytes left.
   */
  private lengthPrefix(flexible: boolean, wide: boolean): number {
    if (flexible) return this.uvarint() - 1;
    return wide ? this.int32() : this.int16();
  }

  private checkedLength(len: number, start: number, what: string, nullable: boolean): number {
    if (len < -1 || (len === -1 && !nullable)) {
      throw new DecodeError("negative-length", `${what} length ${len}`, start);
    }
    if (len > this.end - this.pos) {
      throw new DecodeError(
        "length-exceeds-input",
        `${what} length ${len} but ${this.end - this.pos} bytes left`,
        start,
      );
    }
    return len;
  }

  string(flexible: boolean): string {
    const s = this.nullableString(flexible, false);
    return s as string;
  }

  nullableString(flexible: boolean, nullable = true): string | null {
    const start = this.pos;
    const len = this.checkedLength(this.lengthPrefix(flexible, false), start, "string", nullable);
    if (len === -1) return null;
    const at = this.need(len);
    return this.buf.toString("utf8", at, at + len);
  }

  bytes(flexible: boolean): Buffer {
    return this.nullableBytes(flexible, false) as Buffer;
  }

  /** A view into the input (no copy); record batches are served from it as they are. */
  nullableBytes(flexible: boolean, nullable = true): Buffer | null {
    const start = this.pos;
    const len = this.checkedLength(this.lengthPrefix(flexible, true), start, "bytes", nullable);
    if (len === -1) return null;
    const at = this.need(len);
    return this.buf.subarray(at, at + len);
  }

  /**
   * Array element count (-1 = null). Rejects a count that could not fit in the bytes
   * left, given that each element takes at least `minElementSize` bytes.
   */
  arrayLength(flexible: boolean, minElementSize: number, nullable: boolean): number {
    const start = this.pos;
    const n = this.lengthPrefix(flexible, true);
    if (n < -1 || (n === -1 && !nullable)) {
      throw new DecodeError("negative-length", `array count ${n}`, start);
    }
    if (n > 0 && n * Math.max(1, minElementSize) > this.end - this.pos) {
      throw new DecodeError(
        "count-exceeds-input",
        `array of ${n} cannot fit in ${this.end - this.pos} bytes`,
        start,
      );
    }
    return n;
  }

  /** Count of a tagged-field section; each entry takes at least two bytes (tag, size). */
  taggedFieldCount(): number {
    const start = this.pos;
    const n = this.uvarint();
    if (n * 2 > this.end - this.pos) {
      throw new DecodeError("bad-tagged-fields", `${n} tagged fields cannot fit`, start);
    }
    return n;
  }

  /** A reader over the next `n` bytes, advancing this one past them. */
  sub(n: number): Reader {
    if (n < 0) throw new DecodeError("negative-length", `section length ${n}`, this.pos);
    const at = this.need(n);
    return new Reader(this.buf, at, at + n);
  }

  raw(n: number): Buffer {
    const at = this.need(n);
    return this.buf.subarray(at, at + n);
  }

  skip(n: number): void {
    this.need(n);
  }
}
