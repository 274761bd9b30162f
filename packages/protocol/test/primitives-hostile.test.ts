// A Reader that hostile bytes cannot exploit: every malformed input ends in a DecodeError,
// before anything sized by the input is allocated or looped over.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { DecodeError, type DecodeErrorKind } from "../src/primitives/errors.js";
import { Reader } from "../src/primitives/reader.js";
import { Writer } from "../src/primitives/writer.js";

function hex(h: string): Reader {
  return new Reader(Buffer.from(h.replaceAll(" ", ""), "hex"));
}

function assertDecodeError(fn: () => unknown, kind: DecodeErrorKind): DecodeError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof DecodeError, `expected DecodeError, got ${String(caught)}`);
  assert.equal(caught.kind, kind, caught.message);
  return caught;
}

/** Every Reader method, with each flag combination, as a call on a fresh reader. */
const readerCalls: [string, (r: Reader, n: number) => unknown][] = [
  ["int8", (r) => r.int8()],
  ["uint8", (r) => r.uint8()],
  ["int16", (r) => r.int16()],
  ["uint16", (r) => r.uint16()],
  ["int32", (r) => r.int32()],
  ["uint32", (r) => r.uint32()],
  ["int64", (r) => r.int64()],
  ["float64", (r) => r.float64()],
  ["bool", (r) => r.bool()],
  ["uuid", (r) => r.uuid()],
  ["uvarint", (r) => r.uvarint()],
  ["varint", (r) => r.varint()],
  ["uvarlong", (r) => r.uvarlong()],
  ["varlong", (r) => r.varlong()],
  ["string", (r) => r.string(false)],
  ["compact string", (r) => r.string(true)],
  ["nullable string", (r) => r.nullableString(false)],
  ["compact nullable string", (r) => r.nullableString(true)],
  ["bytes", (r) => r.bytes(false)],
  ["compact bytes", (r) => r.bytes(true)],
  ["nullable bytes", (r) => r.nullableBytes(false)],
  ["compact nullable bytes", (r) => r.nullableBytes(true)],
  ["array length", (r, n) => r.arrayLength(false, n, true)],
  ["compact array length", (r, n) => r.arrayLength(true, n, false)],
  ["raw", (r, n) => r.raw(n)],
  ["skip", (r, n) => r.skip(n)],
  ["sub", (r, n) => r.sub(n)],
];

/** A message using every primitive, for the truncation tests. */
function everyPrimitive(): Buffer {
  const w = Writer.alloc(200);
  w.int8(-5);
  w.int16(-300);
  w.uint16(65000);
  w.int32(-70000);
  w.uint32(4000000000);
  w.int64(-(2n ** 40n));
  w.float64(Math.PI);
  w.bool(true);
  w.uuid(Buffer.alloc(16, 0x5a));
  w.uvarint(300);
  w.varint(-64);
  w.uvarlong(2n ** 50n);
  w.varlong(-(2n ** 50n));
  w.string("héllo", false);
  w.string("wörld", true);
  w.nullableString("n", false);
  w.nullableString("c", true);
  w.bytes(Buffer.from([1, 2, 3]), false);
  w.bytes(Buffer.from([4, 5]), true);
  w.arrayLength(2, false);
  w.raw(Buffer.from([6, 7]));
  w.arrayLength(3, true);
  w.raw(Buffer.from([8, 9, 10]));
  return Buffer.from(w.result());
}

function readEveryPrimitive(r: Reader): void {
  r.int8();
  r.int16();
  r.uint16();
  r.int32();
  r.uint32();
  r.int64();
  r.float64();
  r.bool();
  r.uuid();
  r.uvarint();
  r.varint();
  r.uvarlong();
  r.varlong();
  r.string(false);
  r.string(true);
  r.nullableString(false);
  r.nullableString(true);
  r.bytes(false);
  r.bytes(true);
  r.skip(r.arrayLength(false, 1, false));
  r.skip(r.arrayLength(true, 1, false));
}

describe("truncated input", () => {
  it("the full message reads back exactly", () => {
    const msg = everyPrimitive();
    const r = new Reader(msg);
    readEveryPrimitive(r);
    assert.equal(r.remaining(), 0);
  });

  it("fails with a DecodeError at every cut point", () => {
    const msg = everyPrimitive();
    const inputShortfall: DecodeErrorKind[] = [
      "truncated",
      "length-exceeds-input",
      "count-exceeds-input",
    ];
    for (let cut = 0; cut < msg.length; cut++) {
      let caught: unknown;
      try {
        readEveryPrimitive(new Reader(msg.subarray(0, cut)));
      } catch (e) {
        caught = e;
      }
      assert.ok(caught instanceof DecodeError, `cut at ${cut}: ${String(caught)}`);
      assert.ok(inputShortfall.includes(caught.kind), `cut at ${cut}: ${caught.kind}`);
      assert.ok(caught.position >= 0 && caught.position <= cut);
    }
  });

  it("stays inside its window even when the buffer behind it goes on", () => {
    const backing = everyPrimitive();
    for (let end = 0; end < backing.length; end++) {
      assert.throws(() => readEveryPrimitive(new Reader(backing, 0, end)), DecodeError);
    }
    const sub = new Reader(Buffer.from("0000000000ffffffff", "hex")).sub(4);
    assertDecodeError(() => sub.int64(), "truncated");
  });
});

describe("negative lengths", () => {
  it("reject -1 where null is not allowed", () => {
    assertDecodeError(() => hex("ffff").string(false), "negative-length");
    assertDecodeError(() => hex("00").string(true), "negative-length");
    assertDecodeError(() => hex("ffffffff").bytes(false), "negative-length");
    assertDecodeError(() => hex("00").bytes(true), "negative-length");
    assertDecodeError(() => hex("ffffffff").arrayLength(false, 1, false), "negative-length");
    assertDecodeError(() => hex("00").arrayLength(true, 1, false), "negative-length");
  });

  it("accept -1 as null where allowed", () => {
    assert.equal(hex("ffff").nullableString(false), null);
    assert.equal(hex("00").nullableString(true), null);
    assert.equal(hex("ffffffff").nullableBytes(false), null);
    assert.equal(hex("00").nullableBytes(true), null);
    assert.equal(hex("ffffffff").arrayLength(false, 1, true), -1);
  });

  it("reject every other negative length, even in nullable fields", () => {
    for (const len of [-2, -3, -1000, -32768]) {
      const w = Writer.alloc(2);
      w.int16(len);
      assertDecodeError(() => new Reader(w.result()).nullableString(false), "negative-length");
    }
    for (const len of [-2, -65536, -(2 ** 31)]) {
      const w = Writer.alloc(4);
      w.int32(len);
      const b = w.result();
      assertDecodeError(() => new Reader(b).nullableBytes(false), "negative-length");
      assertDecodeError(() => new Reader(b).arrayLength(false, 1, true), "negative-length");
    }
  });

  it("reject negative or NaN sizes passed to raw, skip and sub without moving the cursor", () => {
    for (const n of [-1, -5, Number.NaN]) {
      const r = hex("0102030405");
      r.skip(3);
      assertDecodeError(() => r.raw(n), "negative-length");
      assertDecodeError(() => r.skip(n), "negative-length");
      assertDecodeError(() => r.sub(n), "negative-length");
      assert.equal(r.pos, 3);
      assert.equal(r.int16(), 0x0405);
    }
  });
});

describe("huge lengths and counts", () => {
  it("reject a length of 0x7fffffff without allocating it", () => {
    assertDecodeError(() => hex("7fffffff 00").bytes(false), "length-exceeds-input");
    assertDecodeError(() => hex("7fffffff 00").nullableBytes(false), "length-exceeds-input");
    assertDecodeError(() => hex("7fff 00").string(false), "length-exceeds-input");
    // compact: 0xffffffff - 1 bytes claimed
    assertDecodeError(() => hex("ffffffff0f 00").bytes(true), "length-exceeds-input");
    assertDecodeError(() => hex("ffffffff0f 00").nullableString(true), "length-exceeds-input");
  });

  it("reject an array count of 2^31-1 with 10 bytes left before looping", () => {
    const r = new Reader(Buffer.concat([Buffer.from("7fffffff", "hex"), Buffer.alloc(10)]));
    const started = performance.now();
    const err = assertDecodeError(() => r.arrayLength(false, 1, false), "count-exceeds-input");
    assert.ok(performance.now() - started < 50, "answered at once");
    assert.equal(err.position, 0);
  });

  it("reject a compact array count of 2^32-2 with 10 bytes left", () => {
    const r = new Reader(Buffer.concat([Buffer.from("ffffffff0f", "hex"), Buffer.alloc(10)]));
    assertDecodeError(() => r.arrayLength(true, 1, true), "count-exceeds-input");
  });

  it("use the minimum element size: 3 elements of 4 bytes cannot fit in 10", () => {
    const bytes = Buffer.concat([Buffer.from("00000003", "hex"), Buffer.alloc(10)]);
    assertDecodeError(() => new Reader(bytes).arrayLength(false, 4, false), "count-exceeds-input");
    assert.equal(new Reader(bytes).arrayLength(false, 3, false), 3);
  });

  it("accept any count up to the bytes left, reject one more", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 50 }), fc.integer({ min: 1, max: 8 }), (left, min) => {
        const fits = Math.floor(left / min);
        const at = (count: number) => {
          const w = Writer.alloc(4 + left);
          w.int32(count);
          w.raw(Buffer.alloc(left));
          return new Reader(w.result());
        };
        assert.equal(at(fits).arrayLength(false, min, false), fits);
        assertDecodeError(() => at(fits + 1).arrayLength(false, min, false), "count-exceeds-input");
      }),
    );
  });
});

describe("bad varints", () => {
  it("reject 6+ bytes for a 32-bit varint", () => {
    assertDecodeError(() => hex("8080808080 00").uvarint(), "bad-varint");
    assertDecodeError(() => hex("ffffffffffff 01").varint(), "bad-varint");
  });

  it("reject a 5th byte that overflows 32 bits", () => {
    assertDecodeError(() => hex("ffffffff10").uvarint(), "bad-varint");
    assertDecodeError(() => hex("ffffffff7f").varint(), "bad-varint");
    assert.equal(hex("ffffffff0f").uvarint(), 2 ** 32 - 1);
  });

  it("reject 11+ bytes or a 10th byte overflowing 64 bits for a varlong", () => {
    assertDecodeError(() => hex("80808080808080808080 00").uvarlong(), "bad-varint");
    assertDecodeError(() => hex("ffffffffffffffffff02").uvarlong(), "bad-varint");
    assertDecodeError(() => hex("ffffffffffffffffff7f").varlong(), "bad-varint");
    assert.equal(hex("ffffffffffffffffff01").uvarlong(), 2n ** 64n - 1n);
  });

  it("report a varint cut short as truncated", () => {
    assertDecodeError(() => hex("").uvarint(), "truncated");
    assertDecodeError(() => hex("8080").uvarint(), "truncated");
    assertDecodeError(() => hex("ffffff").uvarlong(), "truncated");
    assertDecodeError(() => hex("80").string(true), "truncated");
  });
});

describe("random bytes", () => {
  it("never make any Reader method throw anything but DecodeError", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 40 }),
        fc.constantFrom(...readerCalls),
        fc.integer({ min: -(2 ** 31), max: 2 ** 31 }),
        (bytes, [, call], n) => {
          const r = new Reader(Buffer.from(bytes));
          try {
            call(r, n);
          } catch (e) {
            assert.ok(e instanceof DecodeError, `${String(e)}`);
            return;
          }
          assert.ok(r.pos >= 0 && r.pos <= r.end, "cursor stays inside the input");
        },
      ),
      { numRuns: 5000 },
    );
  });

  it("never break a reader driven through a random sequence of calls", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 64 }),
        fc.array(fc.tuple(fc.constantFrom(...readerCalls), fc.integer({ min: -4, max: 16 })), {
          maxLength: 20,
        }),
        (bytes, calls) => {
          const r = new Reader(Buffer.from(bytes));
          let last = r.pos;
          for (const [[, call], n] of calls) {
            try {
              call(r, n);
            } catch (e) {
              assert.ok(e instanceof DecodeError, `${String(e)}`);
              return;
            }
            assert.ok(r.pos >= last && r.pos <= r.end, "cursor only moves forward");
            last = r.pos;
          }
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("decode lengths that fit without error and return exactly that many bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), fc.boolean(), (data, flexible) => {
        const w = Writer.alloc(data.length + 5);
        w.bytes(data, flexible);
        const got = new Reader(w.result()).bytes(flexible);
        assert.deepEqual(new Uint8Array(got), data);
      }),
    );
  });
});
