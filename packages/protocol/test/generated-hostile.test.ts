/**
 * Hostile input to every generated decoder at every version: random bytes, every
 * truncation of a valid message, and valid messages with corrupted length fields must
 * either decode or throw DecodeError — never another exception, a hang or a huge
 * allocation driven by a claimed length.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { fullName } from "../../../scripts/protocol-gen/spec-model.js";
import { DecodeError, Reader, Writer } from "../src/primitives/index.js";
import { ArbitraryBuilder, fn, specs } from "./helpers/schema-arbitrary.js";

function decodeOrDecodeError(
  decode: (r: Reader, v: number) => unknown,
  bytes: Buffer,
  v: number,
): void {
  try {
    decode(new Reader(bytes), v);
  } catch (e) {
    if (!(e instanceof DecodeError)) {
      assert.fail(`decoder threw ${(e as Error)?.name}: ${(e as Error)?.message}`);
    }
  }
}

const CORRUPT_INT32 = [0xffffffff, 0x7fffffff, 0x80000000, 0xfffffffe, 0x00ffffff];

test("random bytes into every decoder give a value or a DecodeError", () => {
  for (const msg of specs) {
    const decode = fn(`decode${fullName(msg)}`) as (r: Reader, v: number) => unknown;
    for (let v = msg.validVersions.min; v <= msg.validVersions.max; v++) {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
          decodeOrDecodeError(decode, Buffer.from(bytes), v);
        }),
        { numRuns: 30 },
      );
    }
  }
});

test("truncated and corrupted valid messages give a value or a DecodeError", () => {
  for (const msg of specs) {
    const name = fullName(msg);
    const decode = fn(`decode${name}`) as (r: Reader, v: number) => unknown;
    const encode = fn(`encode${name}`);
    const size = fn(`size${name}`);
    for (let v = msg.validVersions.min; v <= msg.validVersions.max; v++) {
      const samples = fc.sample(new ArbitraryBuilder(msg, v).top(), { numRuns: 3, seed: 7 + v });
      for (const value of samples) {
        const w = Writer.alloc(size(value, v) as number);
        encode(w, value, v);
        const bytes = w.result();
        for (let cut = 0; cut < bytes.length; cut++) {
          try {
            decode(new Reader(bytes.subarray(0, cut)), v);
          } catch (e) {
            assert.ok(e instanceof DecodeError, `${name} v${v} cut at ${cut}: ${e}`);
          }
        }
        // Overwrite every 4-byte window (and 2-byte, for INT16 lengths) with hostile values.
        for (let at = 0; at + 2 <= bytes.length; at++) {
          for (const bad of CORRUPT_INT32) {
            const copy = Buffer.from(bytes);
            if (at + 4 <= copy.length) copy.writeUInt32BE(bad, at);
            else copy.writeUInt16BE(bad & 0xffff, at);
            decodeOrDecodeError(decode, copy, v);
          }
        }
      }
    }
  }
});

test("an array count of 2^31-1 with few bytes left fails before looping", () => {
  // The count check (kind count-exceeds-input) runs before any element is read or allocated.
  // Metadata v1 request: topics array count, then nothing.
  const bytes = Buffer.from([0x7f, 0xff, 0xff, 0xff, 0, 0]);
  const decode = fn("decodeMetadataRequest") as (r: Reader, v: number) => unknown;
  assert.throws(
    () => decode(new Reader(bytes), 1),
    (e: unknown) => e instanceof DecodeError && e.kind === "count-exceeds-input",
  );
});
