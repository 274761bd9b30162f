import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  type BatchSpec,
  type CompressionCodecId,
  DecodeError,
  decodeBatch,
  encodeBatch,
  RecordBatchHeader,
  validateBatch,
} from "@logbook/protocol";
import {
  AbortedTransactions,
  buildOffsetMap,
  cleanBatch,
  newCleanStats,
  OffsetMap,
} from "../src/cleaner/index.js";

interface Rec {
  key: string | null;
  value: string | null;
  /** Default: the record's index. */
  offsetDelta?: number;
  timestampDelta?: number;
}

/** A stored batch; records default to consecutive offsets. */
function batch(
  baseOffset: number,
  records: Rec[],
  header: Omit<BatchSpec, "records" | "baseOffset"> = {},
): Promise<Buffer> {
  return encodeBatch({
    baseOffset: BigInt(baseOffset),
    baseTimestamp: 1_000n,
    ...header,
    records: records.map((r, i) => ({
      attributes: 0,
      timestampDelta: BigInt(r.timestampDelta ?? i),
      offsetDelta: r.offsetDelta ?? i,
      key: r.key === null ? null : Buffer.from(r.key),
      value: r.value === null ? null : Buffer.from(r.value),
      headers: [{ key: "h", value: Buffer.from(`hv${i}`) }],
    })),
  });
}

/** Offset, key and value of each record of a batch. */
async function contents(buf: Buffer): Promise<[number, string | null, string | null][]> {
  const b = await decodeBatch(buf);
  return b.records.map((r) => [
    Number(b.baseOffset) + r.offsetDelta,
    r.key?.toString() ?? null,
    r.value?.toString() ?? null,
  ]);
}

/** A map covering [0, end) that holds the given key -> latest offset entries. */
function mapOf(entries: Record<string, number>, end: number): OffsetMap {
  const map = new OffsetMap(100);
  for (const [k, o] of Object.entries(entries)) map.put(Buffer.from(k), o);
  map.advanceTo(end);
  return map;
}

const keepTombstones = { deleteHorizonMs: Number.NEGATIVE_INFINITY };

describe("cleanBatch: what survives", () => {
  it("keeps the latest record of each key and drops older ones", async () => {
    const input = await batch(10, [
      { key: "a", value: "a1" },
      { key: "b", value: "b1" },
      { key: "a", value: "a2" },
      { key: "c", value: "c1" },
    ]);
    const map = mapOf({ a: 12, b: 20, c: 13 }, 21);
    const out = await cleanBatch(input, map, keepTombstones);
    assert.ok(out !== null);
    assert.deepEqual(await contents(out), [
      [12, "a", "a2"],
      [13, "c", "c1"],
    ]);
  });

  it("keeps records whose key is not in the map (written before the dirty section)", async () => {
    const input = await batch(0, [
      { key: "old", value: "x" },
      { key: "a", value: "a1" },
    ]);
    const out = await cleanBatch(input, mapOf({ a: 5 }, 6), keepTombstones);
    assert.ok(out !== null);
    assert.deepEqual(await contents(out), [[0, "old", "x"]]);
  });

  it("keeps records without a key rather than losing them", async () => {
    const input = await batch(0, [
      { key: null, value: "n1" },
      { key: "a", value: "a1" },
      { key: null, value: null },
    ]);
    const out = await cleanBatch(input, mapOf({ a: 9 }, 10), { deleteHorizonMs: 1e15 });
    assert.ok(out !== null);
    assert.deepEqual(await contents(out), [
      [0, null, "n1"],
      [2, null, null],
    ]);
  });

  it("keeps a tombstone before the delete horizon and drops it after", async () => {
    // maxTimestamp = 1000 + 1 = 1001
    const input = await batch(0, [
      { key: "a", value: "a1" },
      { key: "a", value: null },
    ]);
    const map = mapOf({ a: 1 }, 2);
    const before = await cleanBatch(input, map, { deleteHorizonMs: 1001 });
    assert.ok(before !== null);
    assert.deepEqual(await contents(before), [[1, "a", null]]);
    const after = await cleanBatch(input, map, { deleteHorizonMs: 1002 });
    assert.equal(after, null, "a@0 is superseded and the tombstone expired");
  });

  it("judges the horizon by the batch's maxTimestamp, not the record's own time", async () => {
    const input = await batch(0, [
      { key: "t", value: null, timestampDelta: 0 },
      { key: "v", value: "later", timestampDelta: 500 },
    ]);
    const map = mapOf({ t: 0, v: 1 }, 2);
    const out = await cleanBatch(input, map, { deleteHorizonMs: 1_200 });
    assert.equal(out, input, "maxTimestamp 1500 is not below 1200: the tombstone stays");
  });

  it("does not touch records at or beyond the map's end offset", async () => {
    const input = await batch(0, [
      { key: "a", value: "a1" },
      { key: "a", value: "a2" },
      { key: "a", value: "a3" },
      { key: "b", value: null },
    ]);
    // The map covers [0, 2): a@1 is latest as far as it knows.
    const map = mapOf({ a: 1 }, 2);
    const out = await cleanBatch(input, map, { deleteHorizonMs: 1e15 });
    assert.ok(out !== null);
    assert.deepEqual(await contents(out), [
      [1, "a", "a2"],
      [2, "a", "a3"],
      [3, "b", null],
    ]);
    const beyond = await batch(5, [
      { key: "a", value: "x" },
      { key: "a", value: null },
    ]);
    assert.equal(await cleanBatch(beyond, map, { deleteHorizonMs: 1e15 }), beyond);
  });
});

describe("cleanBatch: what the output looks like", () => {
  it("keeps survivors' offsets, lastOffsetDelta and every header field", async () => {
    const header = {
      partitionLeaderEpoch: 4,
      producerId: 99n,
      producerEpoch: 3,
      baseSequence: 17,
      timestampType: 1 as const,
      maxTimestamp: 9_999n,
      isTransactional: false,
    };
    const input = await batch(
      100,
      [
        { key: "a", value: "1", offsetDelta: 0, timestampDelta: 5 },
        { key: "b", value: "2", offsetDelta: 1, timestampDelta: 7 },
        { key: "a", value: "3", offsetDelta: 2, timestampDelta: 9 },
        { key: "c", value: "4", offsetDelta: 3, timestampDelta: 11 },
        { key: "b", value: "5", offsetDelta: 4, timestampDelta: 13 },
      ],
      header,
    );
    const map = mapOf({ a: 102, b: 200, c: 300 }, 301);
    const out = await cleanBatch(input, map, keepTombstones);
    assert.ok(out !== null);
    assert.equal(validateBatch(out).ok, true, "fresh CRC-32C");
    const b = await decodeBatch(out);
    const original = await decodeBatch(input);
    assert.deepEqual(
      b.records.map((r) => [r.offsetDelta, r.timestampDelta, r.key?.toString()]),
      [[2, 9n, "a"]],
    );
    assert.deepEqual(b.records[0]?.headers, original.records[2]?.headers);
    assert.equal(b.baseOffset, 100n);
    assert.equal(b.lastOffsetDelta, 4, "the batch still spans offsets 100-104");
    assert.equal(b.recordsCount, 1);
    for (const field of [
      "partitionLeaderEpoch",
      "attributes",
      "baseTimestamp",
      "maxTimestamp",
      "producerId",
      "producerEpoch",
      "baseSequence",
      "compression",
      "timestampType",
      "isTransactional",
      "isControl",
    ] as const) {
      assert.equal(b[field], original[field], field);
    }
  });

  it("returns the very same Buffer when every record survives", async () => {
    const input = await batch(0, [
      { key: "a", value: "1" },
      { key: "b", value: "2" },
    ]);
    const out = await cleanBatch(input, mapOf({ a: 0, b: 1 }, 2), keepTombstones);
    assert.equal(out, input);
  });

  for (const codec of [0, 1, 2, 3, 4] as CompressionCodecId[]) {
    it(`re-encodes with the same codec (${codec}) and reads back`, async () => {
      const records: Rec[] = [];
      for (let i = 0; i < 60; i++) {
        records.push({ key: `k${i % 7}`, value: i % 11 === 10 ? null : `value-${i}`.repeat(5) });
      }
      const input = await batch(1_000, records, { compression: codec });
      const build = await buildOffsetMap([input], { maxEntries: 100 });
      const out = await cleanBatch(input, build.map, keepTombstones);
      assert.ok(out !== null);
      const header = RecordBatchHeader.at(out);
      assert.equal(header.compression, codec);
      assert.equal(header.lastOffsetDelta, 59);
      assert.equal(validateBatch(out).ok, true);
      const expected = records
        .map((r, i): [number, string | null, string | null] => [1_000 + i, r.key, r.value])
        .filter(([, k], i) => !records.slice(i + 1).some((later) => later.key === k));
      assert.deepEqual(await contents(out), expected);
      assert.equal(expected.length, 7);
    });
  }
});

describe("cleanBatch: batches with no survivors", () => {
  const producer = { producerId: 5n, producerEpoch: 2, baseSequence: 40 };

  it("drops the batch by default", async () => {
    const input = await batch(0, [{ key: "a", value: "1" }], producer);
    assert.equal(await cleanBatch(input, mapOf({ a: 9 }, 10), keepTombstones), null);
  });

  it("keeps an empty batch with the producer state when asked", async () => {
    const input = await batch(
      20,
      [
        { key: "a", value: "1" },
        { key: "a", value: "2" },
      ],
      { ...producer, compression: 4, maxTimestamp: 7_777n },
    );
    const asked: bigint[] = [];
    const out = await cleanBatch(input, mapOf({ a: 90 }, 91), {
      ...keepTombstones,
      retainEmptyBatch: (h) => {
        asked.push(h.producerId);
        return h.producerId === 5n;
      },
    });
    assert.deepEqual(asked, [5n]);
    assert.ok(out !== null);
    assert.equal(validateBatch(out).ok, true);
    const h = RecordBatchHeader.at(out);
    assert.equal(h.recordsCount, 0);
    assert.equal(h.baseOffset, 20n);
    assert.equal(h.lastOffsetDelta, 1);
    assert.equal(h.producerId, 5n);
    assert.equal(h.producerEpoch, 2);
    assert.equal(h.baseSequence, 40);
    assert.equal(h.maxTimestamp, 7_777n);
    assert.equal(h.compression, 0, "nothing to compress");
    assert.equal(h.sizeInBytes, 61, "header only");
    assert.equal((await decodeBatch(out)).records.length, 0);

    // An empty batch is kept as is while it qualifies, and dropped once it does not.
    assert.equal(
      await cleanBatch(out, mapOf({}, 100), { ...keepTombstones, retainEmptyBatch: () => true }),
      out,
    );
    assert.equal(await cleanBatch(out, mapOf({}, 100), keepTombstones), null);
  });
});

describe("cleanBatch: transactions and corruption", () => {
  it("drops data of aborted transactions the caller lists", async () => {
    const txn = { producerId: 3n, producerEpoch: 0, baseSequence: 0, isTransactional: true };
    const input = await batch(10, [{ key: "a", value: "aborted" }], txn);
    const aborted = new AbortedTransactions([{ producerId: 3n, firstOffset: 10, lastOffset: 11 }]);
    const map = mapOf({}, 20);
    assert.equal(await cleanBatch(input, map, { ...keepTombstones, aborted }), null);
    assert.equal(await cleanBatch(input, map, keepTombstones), input, "unlisted: kept");
    const otherProducer = new AbortedTransactions([
      { producerId: 4n, firstOffset: 10, lastOffset: 11 },
    ]);
    assert.equal(
      await cleanBatch(input, map, { ...keepTombstones, aborted: otherProducer }),
      input,
    );
  });

  it("refuses a corrupt batch instead of re-checksumming it", async () => {
    const input = await batch(0, [
      { key: "a", value: "1" },
      { key: "a", value: "2" },
    ]);
    const last = input.length - 1;
    input[last] = (input[last] ?? 0) ^ 0xff;
    await assert.rejects(cleanBatch(input, mapOf({ a: 1 }, 2), keepTombstones), DecodeError);
  });

  it("takes exactly one batch", async () => {
    const two = Buffer.concat([await batch(0, [{ key: "a", value: "1" }]), await batch(1, [])]);
    await assert.rejects(cleanBatch(two, mapOf({}, 5), keepTombstones), RangeError);
  });

  it("counts what it read and wrote", async () => {
    const stats = newCleanStats();
    const map = mapOf({ a: 1, b: 2, c: 9 }, 10);
    const rewritten = await batch(0, [
      { key: "a", value: "1" },
      { key: "a", value: "2" },
    ]);
    const unchanged = await batch(2, [{ key: "b", value: "3" }]);
    const dropped = await batch(3, [{ key: "c", value: "4" }]);
    const out1 = await cleanBatch(rewritten, map, { ...keepTombstones, stats });
    const out2 = await cleanBatch(unchanged, map, { ...keepTombstones, stats });
    const out3 = await cleanBatch(dropped, map, { ...keepTombstones, stats });
    assert.equal(out2, unchanged);
    assert.equal(out3, null);
    assert.deepEqual(stats, {
      batchesRead: 3,
      recordsRead: 4,
      bytesRead: rewritten.length + unchanged.length + dropped.length,
      batchesWritten: 2,
      recordsWritten: 2,
      bytesWritten: (out1?.length ?? 0) + unchanged.length,
      batchesRewritten: 1,
    });
  });
});
