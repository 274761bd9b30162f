import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { ReadBufferPool } from "../src/read-buffers.js";

type Op =
  | { kind: "take"; size: number }
  | { kind: "giveBack"; pick: number }
  | { kind: "giveBackAgain"; pick: number }
  | { kind: "giveBackForeign"; size: number };

const sizes = fc.oneof(
  fc.integer({ min: 1, max: 70_000 }),
  fc.integer({ min: 60_000, max: 3_000_000 }),
  fc.constantFrom(65_536, 1_048_576, 2_097_152),
);
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant("take" as const), size: sizes }),
  fc.record({ kind: fc.constant("giveBack" as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant("giveBackAgain" as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant("giveBackForeign" as const), size: sizes }),
);

function overlaps(a: Buffer, b: Buffer): boolean {
  if (a.buffer !== b.buffer) return false;
  return a.byteOffset < b.byteOffset + b.length && b.byteOffset < a.byteOffset + a.length;
}

describe("ReadBufferPool", () => {
  it("never hands out memory that a buffer still held uses, however buffers are given back", () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), fc.integer({ min: 0, max: 8 }), (ops, mib) => {
        const pool = new ReadBufferPool(mib * 1024 * 1024);
        const held: Buffer[] = [];
        const returned: Buffer[] = [];
        for (const o of ops) {
          if (o.kind === "take") {
            const b = pool.take(o.size);
            assert.equal(b.length, o.size);
            for (const h of held) assert.ok(!overlaps(b, h), "a held buffer's memory was reused");
            // What the holder writes stays theirs until given back.
            b.fill(held.length % 251);
            held.push(b);
          } else if (o.kind === "giveBack" && held.length > 0) {
            const [b] = held.splice(o.pick % held.length, 1);
            pool.giveBack(b as Buffer);
            returned.push(b as Buffer);
          } else if (o.kind === "giveBackAgain" && returned.length > 0) {
            pool.giveBack(returned[o.pick % returned.length] as Buffer);
          } else if (o.kind === "giveBackForeign") {
            pool.giveBack(Buffer.allocUnsafe(o.size));
          }
        }
        held.forEach((b, i) => {
          assert.ok(
            b.every((v) => v === b[0]),
            `held buffer ${i} was written by someone else`,
          );
        });
      }),
      { numRuns: 300 },
    );
  });

  it("hands a given-back buffer out again for a read of the same size class", () => {
    const pool = new ReadBufferPool();
    const a = pool.take(1_000_000);
    pool.giveBack(a.subarray(0, 10));
    // Given back, every view of the old memory is detached and empty.
    assert.equal(a.length, 0);
    pool.take(900_000);
    assert.equal(pool.reused, 1);
    // Small reads and reads larger than the largest class are plain buffers.
    pool.giveBack(pool.take(100));
    pool.take(100);
    pool.giveBack(pool.take(32 * 1024 * 1024));
    pool.take(32 * 1024 * 1024);
    assert.equal(pool.reused, 1);
  });

  it("keeps no more idle memory than its bound", () => {
    const pool = new ReadBufferPool(1024 * 1024);
    const a = pool.take(1024 * 1024);
    const b = pool.take(1024 * 1024);
    pool.giveBack(a);
    pool.giveBack(b);
    pool.take(1024 * 1024);
    assert.equal(pool.reused, 1);
    pool.take(1024 * 1024);
    assert.equal(pool.reused, 1, "the second was over the bound and went to GC");
  });

  it("a stale view given back again never frees memory a later take holds (CI seed -765062697)", () => {
    const pool = new ReadBufferPool(2 * 1024 * 1024);
    const a = pool.take(2_097_152);
    pool.giveBack(a);
    const b = pool.take(1_048_577);
    b.fill(7);
    pool.giveBack(a);
    pool.take(1_048_577).fill(9);
    assert.ok(
      b.every((v) => v === 7),
      "b's memory was handed out again",
    );
    assert.equal(pool.reused, 1);
  });
});
