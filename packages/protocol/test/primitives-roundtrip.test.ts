import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { EncodeError } from "../src/primitives/errors.js";
import { Reader } from "../src/primitives/reader.js";
import {
  arrayPrefixSize,
  bytesSize,
  stringSize,
  uvarintSize,
  uvarlongSize,
  varintSize,
  varlongSize,
} from "../src/primitives/sizes.js";
import { Writer } from "../src/primitives/writer.js";

/**
 * Writes `value` into a buffer of exactly `size` bytes, checks that exactly `size`
 * bytes were written, reads it back and checks that the reader consumed all of them.
 */
function roundTrip<T>(
  value: T,
  size: number,
  write: (w: Writer, v: T) => void,
  read: (r: Reader) => T,
): T {
  const w = Writer.alloc(size);
  write(w, value);
  assert.equal(w.pos, size, "bytes written = encoded size");
  const r = new Reader(w.result());
  const back = read(r);
  assert.equal(r.remaining(), 0, "reader consumed every byte");
  return back;
}

function checkRoundTrip<T>(
  arb: fc.Arbitrary<T>,
  size: (v: T) => number,
  write: (w: Writer, v: T) => void,
  read: (r: Reader) => T,
): void {
  fc.assert(
    fc.property(arb, (v) => {
      assert.deepEqual(roundTrip(v, size(v), write, read), v);
    }),
  );
}

const int32 = fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });
const uint32 = fc.integer({ min: 0, max: 2 ** 32 - 1 });
const int64 = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });
const uint64 = fc.bigInt({ min: 0n, max: 2n ** 64n - 1n });
const text = fc.string({ unit: "binary", maxLength: 200 });
const blob = fc.uint8Array({ maxLength: 300 }).map((b): Buffer => Buffer.from(b));

describe("fixed-width primitives round-trip", () => {
  it("int8", () => {
    checkRoundTrip(
      fc.integer({ min: -128, max: 127 }),
      () => 1,
      (w, v) => w.int8(v),
      (r) => r.int8(),
    );
  });
  it("uint8", () => {
    checkRoundTrip(
      fc.integer({ min: 0, max: 255 }),
      () => 1,
      (w, v) => w.uint8(v),
      (r) => r.uint8(),
    );
  });
  it("int16", () => {
    const arb = fc.integer({ min: -32768, max: 32767 });
    checkRoundTrip(
      arb,
      () => 2,
      (w, v) => w.int16(v),
      (r) => r.int16(),
    );
  });
  it("uint16", () => {
    checkRoundTrip(
      fc.integer({ min: 0, max: 65535 }),
      () => 2,
      (w, v) => w.uint16(v),
      (r) => r.uint16(),
    );
  });
  it("int32", () => {
    checkRoundTrip(
      int32,
      () => 4,
      (w, v) => w.int32(v),
      (r) => r.int32(),
    );
  });
  it("uint32", () => {
    checkRoundTrip(
      uint32,
      () => 4,
      (w, v) => w.uint32(v),
      (r) => r.uint32(),
    );
  });
  it("int64", () => {
    checkRoundTrip(
      int64,
      () => 8,
      (w, v) => w.int64(v),
      (r) => r.int64(),
    );
  });
  it("float64, including NaN, infinities and -0", () => {
    checkRoundTrip(
      fc.double(),
      () => 8,
      (w, v) => w.float64(v),
      (r) => r.float64(),
    );
    assert.ok(
      Object.is(
        roundTrip(
          -0,
          8,
          (w, v) => w.float64(v),
          (r) => r.float64(),
        ),
        -0,
      ),
    );
  });
  it("bool", () => {
    checkRoundTrip(
      fc.boolean(),
      () => 1,
      (w, v) => w.bool(v),
      (r) => r.bool(),
    );
  });
  it("uuid", () => {
    const arb = fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b): Buffer => Buffer.from(b));
    checkRoundTrip(
      arb,
      () => 16,
      (w, v) => w.uuid(v),
      (r) => r.uuid(),
    );
  });
  it("is big-endian on the wire", () => {
    const w = Writer.alloc(14);
    w.int16(0x0102);
    w.int32(0x03040506);
    w.int64(0x0708090a0b0c0d0en);
    assert.equal(w.result().toString("hex"), "0102030405060708090a0b0c0d0e");
  });
});

describe("varints round-trip with the size from sizes.ts", () => {
  it("uvarint over the full 32-bit range", () => {
    checkRoundTrip(
      uint32,
      uvarintSize,
      (w, v) => w.uvarint(v),
      (r) => r.uvarint(),
    );
  });
  it("varint over the full signed 32-bit range", () => {
    checkRoundTrip(
      int32,
      varintSize,
      (w, v) => w.varint(v),
      (r) => r.varint(),
    );
  });
  it("uvarlong over the full 64-bit range", () => {
    checkRoundTrip(
      uint64,
      uvarlongSize,
      (w, v) => w.uvarlong(v),
      (r) => r.uvarlong(),
    );
  });
  it("varlong over the full signed 64-bit range", () => {
    checkRoundTrip(
      int64,
      varlongSize,
      (w, v) => w.varlong(v),
      (r) => r.varlong(),
    );
  });
  it("at the extremes", () => {
    const ints = [0, -1, 2 ** 31 - 1, -(2 ** 31)];
    for (const v of ints)
      assert.equal(
        roundTrip(
          v,
          varintSize(v),
          (w, x) => w.varint(x),
          (r) => r.varint(),
        ),
        v,
      );
    assert.equal(varintSize(2 ** 31 - 1), 5);
    assert.equal(varintSize(-(2 ** 31)), 5);
    assert.equal(uvarintSize(2 ** 32 - 1), 5);
    const longs = [0n, -1n, 2n ** 63n - 1n, -(2n ** 63n)];
    for (const v of longs) {
      assert.equal(
        roundTrip(
          v,
          varlongSize(v),
          (w, x) => w.varlong(x),
          (r) => r.varlong(),
        ),
        v,
      );
    }
    assert.equal(varlongSize(-(2n ** 63n)), 10);
    assert.equal(uvarlongSize(2n ** 64n - 1n), 10);
  });
});

describe("zig-zag and LEB128 vectors from wire-format-notes section 2", () => {
  const zigzag: [number, string][] = [
    [0, "00"],
    [-1, "01"],
    [1, "02"],
    [-2, "03"],
    [63, "7e"],
    [-64, "7f"],
    [64, "8001"],
  ];

  it("varint encodes and decodes each vector", () => {
    for (const [value, hex] of zigzag) {
      const w = Writer.alloc(varintSize(value));
      w.varint(value);
      assert.equal(w.result().toString("hex"), hex, `varint ${value}`);
      assert.equal(new Reader(Buffer.from(hex, "hex")).varint(), value);
    }
  });

  it("varlong encodes and decodes each vector", () => {
    for (const [value, hex] of zigzag) {
      const v = BigInt(value);
      const w = Writer.alloc(varlongSize(v));
      w.varlong(v);
      assert.equal(w.result().toString("hex"), hex, `varlong ${value}`);
      assert.equal(new Reader(Buffer.from(hex, "hex")).varlong(), v);
    }
  });

  it("unsigned 300 is ac 02", () => {
    const w = Writer.alloc(uvarintSize(300));
    w.uvarint(300);
    assert.equal(w.result().toString("hex"), "ac02");
    assert.equal(new Reader(Buffer.from("ac02", "hex")).uvarint(), 300);
    const wl = Writer.alloc(uvarlongSize(300n));
    wl.uvarlong(300n);
    assert.equal(wl.result().toString("hex"), "ac02");
  });
});

describe("strings and bytes round-trip in classic and compact form", () => {
  for (const flexible of [false, true]) {
    const form = flexible ? "compact" : "classic";

    it(`${form} string`, () => {
      checkRoundTrip(
        text,
        (s) => stringSize(s, flexible),
        (w, s) => w.string(s, flexible),
        (r) => r.string(flexible),
      );
    });

    it(`${form} nullable string`, () => {
      checkRoundTrip(
        fc.option(text, { nil: null }),
        (s) => stringSize(s, flexible),
        (w, s) => w.nullableString(s, flexible),
        (r) => r.nullableString(flexible),
      );
    });

    it(`${form} bytes`, () => {
      checkRoundTrip(
        blob,
        (b) => bytesSize(b, flexible),
        (w, b) => w.bytes(b, flexible),
        (r) => r.bytes(flexible),
      );
    });

    it(`${form} nullable bytes`, () => {
      checkRoundTrip(
        fc.option(blob, { nil: null }),
        (b) => bytesSize(b, flexible),
        (w, b) => w.nullableBytes(b, flexible),
        (r) => r.nullableBytes(flexible),
      );
    });

    it(`${form} array length, null included`, () => {
      fc.assert(
        fc.property(fc.integer({ min: -1, max: 64 }), (count) => {
          const elements = Math.max(0, count);
          const size = arrayPrefixSize(count, flexible) + elements;
          const w = Writer.alloc(size);
          w.arrayLength(count, flexible);
          w.raw(Buffer.alloc(elements, 0xab));
          assert.equal(w.pos, size);
          const r = new Reader(w.result());
          assert.equal(r.arrayLength(flexible, 1, true), count);
          assert.equal(r.remaining(), elements);
        }),
      );
    });
  }

  it("writes the documented null and empty markers", () => {
    const hex = (f: (w: Writer) => void): string => {
      const w = Writer.alloc(8);
      f(w);
      return w.result().toString("hex");
    };
    assert.equal(
      hex((w) => w.nullableString(null, false)),
      "ffff",
    );
    assert.equal(
      hex((w) => w.nullableString(null, true)),
      "00",
    );
    assert.equal(
      hex((w) => w.string("", true)),
      "01",
    );
    assert.equal(
      hex((w) => w.string("t", false)),
      "000174",
    );
    assert.equal(
      hex((w) => w.nullableBytes(null, false)),
      "ffffffff",
    );
    assert.equal(
      hex((w) => w.nullableBytes(null, true)),
      "00",
    );
    assert.equal(
      hex((w) => w.arrayLength(-1, false)),
      "ffffffff",
    );
    assert.equal(
      hex((w) => w.arrayLength(-1, true)),
      "00",
    );
    assert.equal(
      hex((w) => w.arrayLength(3, true)),
      "04",
    );
  });

  it("measures strings in UTF-8 bytes, not UTF-16 units", () => {
    assert.equal(stringSize("é", false), 2 + 2);
    assert.equal(stringSize("😀", true), 1 + 4);
  });
});

describe("Writer refuses values it cannot encode", () => {
  const big = Writer.alloc(64);
  it("varints outside their range", () => {
    assert.throws(() => big.uvarint(-1), EncodeError);
    assert.throws(() => big.uvarint(2 ** 32), EncodeError);
    assert.throws(() => big.varint(2 ** 31), EncodeError);
    assert.throws(() => big.varint(-(2 ** 31) - 1), EncodeError);
    assert.throws(() => big.varint(1.5), EncodeError);
    assert.throws(() => big.uvarlong(-1n), EncodeError);
    assert.throws(() => big.uvarlong(2n ** 64n), EncodeError);
    assert.throws(() => big.varlong(2n ** 63n), EncodeError);
    assert.throws(() => big.varlong(-(2n ** 63n) - 1n), EncodeError);
  });
  it("a classic string longer than an INT16 length, and a uuid of the wrong size", () => {
    assert.throws(() => Writer.alloc(40000).string("x".repeat(0x8000), false), EncodeError);
    assert.throws(() => big.uuid(Buffer.alloc(15)), EncodeError);
  });
  it("output that overran an undersized buffer", () => {
    const w = Writer.alloc(1);
    w.uvarint(300);
    assert.throws(() => w.result(), EncodeError);
  });
});
