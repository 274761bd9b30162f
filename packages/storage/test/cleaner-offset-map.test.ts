import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, it } from "node:test";
import { buildBatch, buildEndTxnMarkerBatch } from "@logbook/protocol";
import {
  AbortedTransactions,
  buildOffsetMap,
  KEY_DIGEST_BYTES,
  keyDigest,
  OffsetMap,
} from "../src/cleaner/index.js";

/** One batch at `baseOffset` with consecutive offsets; null entries are keyless records. */
function batchAt(
  baseOffset: number,
  keys: (string | null)[],
  header: { producerId?: bigint; isTransactional?: boolean } = {},
): Promise<Buffer> {
  return buildBatch(
    keys.map((k, i) => ({
      timestamp: 1_000n + BigInt(i),
      key: k === null ? null : Buffer.from(k),
      value: Buffer.from(`v${baseOffset + i}`),
    })),
    { baseOffset: BigInt(baseOffset), ...header },
  );
}

const key = (s: string): Buffer => Buffer.from(s);

// Wang et al.'s 2004 MD5 collision: two different 128-byte blocks with one MD5 digest.
const MD5_COLLISION_A = Buffer.from(
  "d131dd02c5e6eec4693d9a0698aff95c2fcab58712467eab4004583eb8fb7f89" +
    "55ad340609f4b30283e488832571415a085125e8f7cdc99fd91dbdf280373c5b" +
    "d8823e3156348f5bae6dacd436c919c6dd53e2b487da03fd02396306d248cda0" +
    "e99f33420f577ee8ce54b67080a80d1ec69821bcb6a8839396f9652b6ff72a70",
  "hex",
);
const MD5_COLLISION_B = Buffer.from(
  "d131dd02c5e6eec4693d9a0698aff95c2fcab50712467eab4004583eb8fb7f89" +
    "55ad340609f4b30283e4888325f1415a085125e8f7cdc99fd91dbd7280373c5b" +
    "d8823e3156348f5bae6dacd436c919c6dd53e23487da03fd02396306d248cda0" +
    "e99f33420f577ee8ce54b67080280d1ec69821bcb6a8839396f965ab6ff72a70",
  "hex",
);

describe("OffsetMap", () => {
  it("keeps the latest offset per key and reports unknown keys as undefined", () => {
    const map = new OffsetMap(10);
    assert.equal(map.put(key("a"), 0), true);
    assert.equal(map.put(key("b"), 1), true);
    assert.equal(map.put(key("a"), 2), true);
    assert.equal(map.get(key("a")), 2);
    assert.equal(map.get(key("b")), 1);
    assert.equal(map.get(key("c")), undefined);
    assert.equal(map.size, 2);
    assert.equal(map.endOffset, 3);
  });

  it("treats the empty key as a key of its own", () => {
    const map = new OffsetMap(4);
    map.put(Buffer.alloc(0), 5);
    map.put(Buffer.from([0]), 6);
    assert.equal(map.get(Buffer.alloc(0)), 5);
    assert.equal(map.get(Buffer.from([0])), 6);
  });

  it("stores 128-bit digests, so keys that collide under MD5 stay apart", () => {
    assert.equal(keyDigest(key("x")).length, KEY_DIGEST_BYTES);
    assert.equal(KEY_DIGEST_BYTES * 8, 128);
    // The pair really is an MD5 collision...
    assert.notDeepEqual(MD5_COLLISION_A, MD5_COLLISION_B);
    assert.equal(
      createHash("md5").update(MD5_COLLISION_A).digest("hex"),
      createHash("md5").update(MD5_COLLISION_B).digest("hex"),
    );
    // ...which the map's digest does not share.
    assert.notDeepEqual(keyDigest(MD5_COLLISION_A), keyDigest(MD5_COLLISION_B));
    const map = new OffsetMap(4);
    map.put(MD5_COLLISION_A, 10);
    map.put(MD5_COLLISION_B, 20);
    assert.equal(map.size, 2);
    assert.equal(map.get(MD5_COLLISION_A), 10);
    assert.equal(map.get(MD5_COLLISION_B), 20);
  });

  it("keeps 50,000 near-identical keys apart (one bit or one byte of difference)", () => {
    const n = 50_000;
    const map = new OffsetMap(n);
    const base = Buffer.alloc(32, 0xab);
    const variant = (i: number): Buffer => {
      const k = Buffer.from(base);
      k.writeUInt32BE(i, 28);
      return k;
    };
    for (let i = 0; i < n; i++) assert.equal(map.put(variant(i), i), true);
    assert.equal(map.size, n);
    for (let i = 0; i < n; i++) assert.equal(map.get(variant(i)), i);
    assert.equal(map.get(variant(n)), undefined);
  });

  it("refuses a new key when full but still updates known keys", () => {
    const map = new OffsetMap(2);
    assert.equal(map.put(key("a"), 0), true);
    assert.equal(map.put(key("b"), 1), true);
    assert.equal(map.isFull, true);
    assert.equal(map.put(key("c"), 2), false);
    assert.equal(map.get(key("c")), undefined);
    assert.equal(map.endOffset, 2, "a refused put covers nothing");
    assert.equal(map.put(key("a"), 3), true);
    assert.equal(map.get(key("a")), 3);
    assert.equal(map.size, 2);
  });

  it("is sized by entries or by memory, and clear() empties it", () => {
    const map = OffsetMap.forMemory(1024 * 1024);
    assert.ok(map.maxEntries > 30_000, `${map.maxEntries} entries in 1 MiB`);
    assert.ok(map.memoryBytes <= 1024 * 1024 + 64, `${map.memoryBytes} bytes`);
    map.put(key("a"), 7);
    map.clear();
    assert.equal(map.size, 0);
    assert.equal(map.endOffset, 0);
    assert.equal(map.get(key("a")), undefined);
    assert.throws(() => new OffsetMap(0), RangeError);
  });
});

describe("buildOffsetMap", () => {
  it("maps every key of the dirty section to its latest offset", async () => {
    const batches = [await batchAt(0, ["a", "b", "a"]), await batchAt(3, ["c", "b"])];
    const build = await buildOffsetMap(batches, { maxEntries: 100 });
    assert.equal(build.full, false);
    assert.equal(build.endOffset, 5);
    assert.equal(build.map.get(key("a")), 2);
    assert.equal(build.map.get(key("b")), 4);
    assert.equal(build.map.get(key("c")), 3);
  });

  it("accepts chunks holding several batches, from an async source", async () => {
    const chunk = Buffer.concat([await batchAt(0, ["a"]), await batchAt(1, ["a", "b"])]);
    async function* source(): AsyncGenerator<Buffer> {
      yield chunk;
    }
    const build = await buildOffsetMap(source(), { maxEntries: 10 });
    assert.equal(build.map.get(key("a")), 1);
    assert.equal(build.endOffset, 3);
  });

  it("stops before the first key that does not fit and reports where", async () => {
    const batches = [await batchAt(0, ["a", "b"]), await batchAt(2, ["a", "c", "d"])];
    const build = await buildOffsetMap(batches, { maxEntries: 2 });
    assert.equal(build.full, true);
    assert.equal(build.endOffset, 3, "offset 2 (key a) fit, offset 3 (key c) did not");
    assert.equal(build.map.get(key("a")), 2);
    assert.equal(build.map.get(key("c")), undefined);

    // The next pass starts there, inside the batch.
    const next = await buildOffsetMap(batches, { maxEntries: 2, startOffset: build.endOffset });
    assert.equal(next.full, false);
    assert.equal(next.endOffset, 5);
    assert.equal(next.map.get(key("a")), undefined, "offsets below startOffset are skipped");
    assert.equal(next.map.get(key("c")), 3);
    assert.equal(next.map.get(key("d")), 4);
  });

  it("reuses a given map, clearing it first", async () => {
    const map = new OffsetMap(4);
    map.put(key("stale"), 99);
    const build = await buildOffsetMap([await batchAt(0, ["a"])], { map });
    assert.equal(build.map, map);
    assert.equal(map.get(key("stale")), undefined);
    assert.equal(map.get(key("a")), 0);
  });

  it("covers keyless records, control batches and aborted data without mapping them", async () => {
    const pid = 7n;
    const batches = [
      await batchAt(0, ["a", null]),
      await batchAt(2, ["a"], { producerId: pid, isTransactional: true }),
      await buildEndTxnMarkerBatch({
        commit: false,
        producerId: pid,
        producerEpoch: 0,
        coordinatorEpoch: 0,
        timestamp: 5n,
        baseOffset: 3n,
      }),
    ];
    const aborted = new AbortedTransactions([{ producerId: pid, firstOffset: 2, lastOffset: 3 }]);
    const build = await buildOffsetMap(batches, { maxEntries: 10, aborted });
    assert.equal(build.map.get(key("a")), 0, "aborted a@2 does not supersede a@0");
    assert.equal(build.map.size, 1, "the marker's control key is not a data key");
    assert.equal(build.endOffset, 4);

    const withoutAborted = await buildOffsetMap(batches, { maxEntries: 10 });
    assert.equal(withoutAborted.map.get(key("a")), 2);
  });

  it("starts covering at startOffset even when nothing is dirty", async () => {
    const build = await buildOffsetMap([], { maxEntries: 1, startOffset: 42 });
    assert.equal(build.full, false);
    assert.equal(build.endOffset, 42);
  });
});

describe("AbortedTransactions", () => {
  it("finds offsets inside a producer's aborted ranges only", () => {
    const aborted = new AbortedTransactions([
      { producerId: 1n, firstOffset: 50, lastOffset: 60 },
      { producerId: 1n, firstOffset: 10, lastOffset: 20 },
      { producerId: 2n, firstOffset: 0, lastOffset: 100 },
    ]);
    assert.equal(aborted.contains(1n, 10), true);
    assert.equal(aborted.contains(1n, 20), true);
    assert.equal(aborted.contains(1n, 21), false);
    assert.equal(aborted.contains(1n, 49), false);
    assert.equal(aborted.contains(1n, 55), true);
    assert.equal(aborted.contains(1n, 5), false);
    assert.equal(aborted.contains(2n, 70), true);
    assert.equal(aborted.contains(3n, 15), false);
    assert.throws(
      () => new AbortedTransactions([{ producerId: 1n, firstOffset: 5, lastOffset: 4 }]),
      RangeError,
    );
  });
});
