import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { DecodeError } from "../src/primitives/errors.js";
import {
  buildBatch,
  decodeAllBatches,
  decodeBatch,
  iterateRecords,
  readLegacyMessageSet,
  validateBatch,
} from "../src/records/index.js";

/** Runs `fn` and requires that it either succeeds or fails with a DecodeError. */
async function onlyDecodeErrors(fn: () => unknown): Promise<"ok" | "decode-error"> {
  try {
    await fn();
    return "ok";
  } catch (e) {
    assert.ok(e instanceof DecodeError, `expected DecodeError, got ${String(e)}`);
    return "decode-error";
  }
}

async function sampleBatches(): Promise<Buffer[]> {
  const records = [
    {
      timestamp: 1000n,
      key: Buffer.from("key"),
      value: Buffer.from("value value value"),
      headers: [{ key: "h", value: null }],
    },
    { timestamp: 1001n, key: null, value: null },
    { timestamp: 999n, key: Buffer.alloc(0), value: Buffer.from("x".repeat(50)) },
  ];
  const out: Buffer[] = [];
  for (const compression of [0, 1, 2, 3, 4] as const)
    out.push(await buildBatch(records, { compression }));
  return out;
}

describe("bad RecordBatch input", () => {
  it("truncation at every byte gives a typed result, never a crash", async () => {
    for (const batch of await sampleBatches()) {
      for (let n = 0; n < batch.length; n++) {
        const cut = batch.subarray(0, n);
        const v = validateBatch(cut);
        assert.equal(v.ok, false);
        assert.equal(await onlyDecodeErrors(() => decodeBatch(cut)), "decode-error");
        // As a RECORDS blob a cut batch is a partial tail: no batches, no error.
        assert.deepEqual(await decodeAllBatches(cut), []);
      }
    }
  });

  it("a flipped bit anywhere after the CRC field fails the CRC check", async () => {
    const [batch] = await sampleBatches();
    assert.ok(batch);
    for (let i = 21; i < batch.length; i++) {
      const bad = Buffer.from(batch);
      bad[i] = (bad[i] as number) ^ 0x10;
      const v = validateBatch(bad);
      assert.equal(v.ok, false);
      if (!v.ok) assert.equal(v.reason, "crc-mismatch");
      await assert.rejects(decodeBatch(bad), DecodeError);
    }
  });

  it("huge or negative counts and lengths are refused before allocating", async () => {
    const [batch] = await sampleBatches();
    assert.ok(batch);
    const hugeCount = Buffer.from(batch);
    hugeCount.writeInt32BE(0x7fffffff, 57);
    await assert.rejects(decodeBatch(hugeCount, 0, { verifyCrc: false }), {
      kind: "count-exceeds-input",
    });
    const negCount = Buffer.from(batch);
    negCount.writeInt32BE(-1, 57);
    await assert.rejects(decodeBatch(negCount, 0, { verifyCrc: false }), {
      kind: "negative-length",
    });
    const hugeLength = Buffer.from(batch);
    hugeLength.writeInt32BE(0x7fffffff, 8);
    await assert.rejects(decodeBatch(hugeLength), { kind: "length-exceeds-input" });
    assert.deepEqual(
      await decodeAllBatches(hugeLength),
      [],
      "a blob whose only batch overruns is a partial tail",
    );
    const negLength = Buffer.from(batch);
    negLength.writeInt32BE(-100, 8);
    assert.throws(() => [...iterateRecords(negLength)], DecodeError);
    // A record whose length varint claims more than the area holds (bytes 61.. are the first record).
    const recLen = Buffer.from(batch);
    recLen[61] = 0x7e; // varint 63
    await assert.rejects(decodeBatch(recLen, 0, { verifyCrc: false }), DecodeError);
    // A key length past the record end.
    const keyLen = Buffer.from(batch);
    keyLen[61 + 4] = 0x7e;
    await assert.rejects(decodeBatch(keyLen, 0, { verifyCrc: false }), DecodeError);
    // Count one lower than the records present leaves trailing bytes.
    const fewer = Buffer.from(batch);
    fewer.writeInt32BE(2, 57);
    await assert.rejects(decodeBatch(fewer, 0, { verifyCrc: false }), { kind: "trailing-bytes" });
    // An 11-byte varint.
    const badVarint = Buffer.from(batch);
    badVarint.fill(0xff, 61, 72);
    await assert.rejects(decodeBatch(badVarint, 0, { verifyCrc: false }), { kind: "bad-varint" });
  });

  it("corrupting compressed payloads gives DecodeError for every codec", async () => {
    for (const batch of (await sampleBatches()).slice(1)) {
      for (let i = 61; i < batch.length; i += 3) {
        const bad = Buffer.from(batch);
        bad[i] = (bad[i] as number) ^ 0xa5;
        await onlyDecodeErrors(() => decodeBatch(bad, 0, { verifyCrc: false }));
      }
    }
  });

  it("random bytes and mutated batches never throw anything but DecodeError (property)", async () => {
    const batches = await sampleBatches();
    const mutated = fc
      .tuple(
        fc.constantFrom(...batches),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }),
      )
      .map(([b, edits]) => {
        const copy = Buffer.from(b);
        for (const [at, v] of edits) copy[at % copy.length] = v;
        return copy;
      });
    const random = fc.uint8Array({ maxLength: 200 }).map((u) => Buffer.from(u));
    await fc.assert(
      fc.asyncProperty(fc.oneof(mutated, random), async (buf) => {
        validateBatch(buf);
        await onlyDecodeErrors(() => decodeBatch(buf, 0, { verifyCrc: false }));
        await onlyDecodeErrors(() => decodeAllBatches(buf));
        await onlyDecodeErrors(() => readLegacyMessageSet(buf, { verifyCrc: false }));
      }),
      { numRuns: 500 },
    );
  });
});
