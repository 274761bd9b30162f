/** The transaction index's building blocks: file format, open-transaction tracking, lookup. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import {
  type AbortedTxn,
  collectAborted,
  decodeTxnIndex,
  encodeTxnIndex,
  OpenTransactions,
  TXN_INDEX_ENTRY_SIZE,
} from "../src/transactions/index.js";
import { makeBatch } from "./helpers/batches.js";
import { markerBatch, txnBatch } from "./helpers/transactions.js";

/** Entries as one segment's index holds them: markers strictly increasing from `base`. */
const segmentEntries = (base: number) =>
  fc
    .array(
      fc.record({
        producerId: fc.bigInt({ min: 0n, max: (1n << 63n) - 1n }),
        gap: fc.integer({ min: 0, max: 1000 }),
        span: fc.integer({ min: 0, max: 1000 }),
        lsoBack: fc.integer({ min: 0, max: 1000 }),
      }),
      { maxLength: 20 },
    )
    .map((raw) => {
      let last = base - 1;
      return raw.map((r): AbortedTxn => {
        last += r.gap + 1;
        return {
          producerId: r.producerId,
          firstOffset: Math.max(0, last - r.span),
          lastOffset: last,
          lastStableOffset: Math.max(0, last + 1 - r.lsoBack),
        };
      });
    });

describe("transaction index file format", () => {
  test("entries round-trip through encode and decode, 34 bytes each", () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 0, max: 2 ** 40 })
          .chain((base) => segmentEntries(base).map((entries) => ({ base, entries }))),
        ({ base, entries }) => {
          const bytes = encodeTxnIndex(entries);
          assert.equal(bytes.length, entries.length * TXN_INDEX_ENTRY_SIZE);
          assert.deepEqual(decodeTxnIndex(bytes, base), entries);
        },
      ),
    );
  });

  test("a torn file (not whole entries) is unreadable, wherever it is cut", () => {
    fc.assert(
      fc.property(
        segmentEntries(100).filter((e) => e.length > 0),
        fc.nat(),
        (entries, cutAt) => {
          const bytes = encodeTxnIndex(entries);
          const cut = cutAt % bytes.length;
          if (cut % TXN_INDEX_ENTRY_SIZE === 0) return;
          assert.equal(decodeTxnIndex(bytes.subarray(0, cut), 100), null);
        },
      ),
    );
  });

  test("an unknown version, markers out of order or outside the segment are unreadable", () => {
    const e = (lastOffset: number): AbortedTxn => ({
      producerId: 1n,
      firstOffset: lastOffset - 1,
      lastOffset,
      lastStableOffset: lastOffset + 1,
    });
    const good = encodeTxnIndex([e(10), e(20)]);
    assert.deepEqual(decodeTxnIndex(good, 5, 30)?.length, 2);
    const versioned = Buffer.from(good);
    versioned.writeInt16BE(1, TXN_INDEX_ENTRY_SIZE);
    assert.equal(decodeTxnIndex(versioned, 5), null);
    assert.equal(decodeTxnIndex(encodeTxnIndex([e(20), e(10)]), 5), null, "out of order");
    assert.equal(decodeTxnIndex(good, 11), null, "a marker below the base");
    assert.equal(decodeTxnIndex(good, 5, 20), null, "a marker past the segment");
    assert.equal(decodeTxnIndex(Buffer.alloc(TXN_INDEX_ENTRY_SIZE), 0)?.length, 1);
    assert.equal(decodeTxnIndex(Buffer.alloc(0), 0)?.length, 0);
  });
});

function at(batch: Buffer, offset: number): Buffer {
  batch.writeBigInt64BE(BigInt(offset), 0);
  return batch;
}

describe("open transactions", () => {
  test("an ABORT ends the producer's transaction and yields its range and the LSO after it", async () => {
    const t = new OpenTransactions();
    assert.equal(t.observe(at(await makeBatch(2), 0), 0), null, "plain data");
    assert.equal(t.observe(at(await txnBatch(7n, 3), 2), 0), null);
    assert.equal(t.observe(at(await txnBatch(8n, 1), 5), 0), null);
    assert.equal(t.observe(at(await txnBatch(7n, 1, 3), 6), 0), null, "same transaction");
    assert.equal(t.lastStableOffset(7), 2);
    assert.deepEqual(t.observe(at(await markerBatch(7n, false), 7), 0), {
      producerId: 7n,
      firstOffset: 2,
      lastOffset: 7,
      lastStableOffset: 5,
    });
    assert.equal(t.observe(at(await markerBatch(8n, true), 8), 0), null, "a commit");
    assert.equal(t.observe(at(await markerBatch(8n, false), 9), 0), null, "nothing open");
    assert.deepEqual(t.entries(), []);
    assert.equal(t.observe(at(await txnBatch(8n, 1, 1), 10), 0), null);
    assert.deepEqual(t.clone().entries(), [[8n, 10]]);
    assert.deepEqual(t.observe(at(await markerBatch(8n, false), 11), 0)?.lastStableOffset, 12);
  });
});

/**
 * A random transactional history: producers 0-3 write transactional data, commit or
 * abort; plain batches in between; markers sometimes without data. Returns the
 * segments' indexes (segments roll at random) as OpenTransactions builds them.
 */
const history = fc.array(
  fc.record({
    producer: fc.integer({ min: 0, max: 3 }),
    kind: fc.constantFrom("data", "data", "plain", "commit", "abort", "abort"),
    roll: fc.boolean(),
  }),
  { maxLength: 60 },
);

interface Step {
  producer: number;
  kind: string;
  roll: boolean;
}

async function buildIndex(steps: Step[]) {
  const txns = new OpenTransactions();
  const segments: { baseOffset: number; abortedTxns: AbortedTxn[] }[] = [
    { baseOffset: 0, abortedTxns: [] },
  ];
  let offset = 0;
  for (const s of steps) {
    const pid = BigInt(s.producer);
    const batch =
      s.kind === "data"
        ? await txnBatch(pid, 2)
        : s.kind === "plain"
          ? await makeBatch(1)
          : await markerBatch(pid, s.kind === "commit");
    if (s.roll) segments.push({ baseOffset: offset, abortedTxns: [] });
    const e = txns.observe(at(batch, offset), 0);
    if (e !== null) segments.at(-1)?.abortedTxns.push(e);
    offset += batch.readInt32BE(23) + 1;
  }
  return { segments, end: offset };
}

describe("aborted transaction lookup", () => {
  test("collectAborted equals a filter over every entry, for any range (the LSO stop loses nothing)", async () => {
    await fc.assert(
      fc.asyncProperty(history, fc.nat(), fc.nat(), async (steps, a, b) => {
        const { segments, end } = await buildIndex(steps);
        const from = a % (end + 1);
        const to = from + (b % (end + 2 - from));
        const all = segments.flatMap((s) => s.abortedTxns);
        const expected = all
          .filter((e) => from < to && e.lastOffset >= from && e.firstOffset < to)
          .sort((x, y) => x.firstOffset - y.firstOffset || x.lastOffset - y.lastOffset);
        assert.deepEqual(collectAborted(segments, from, to), expected);
        // Entries not yet in a segment are found the same way.
        const last = segments.at(-1) as { abortedTxns: AbortedTxn[] };
        const pending = last.abortedTxns.splice(0);
        assert.deepEqual(collectAborted(segments, from, to, pending), expected);
      }),
      { numRuns: 150 },
    );
  });
});
