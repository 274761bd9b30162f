/**
 * Legacy message sets built by hand from the format facts (wire-format-notes 4), with
 * node:zlib's CRC-32 as an independent checksum, then read and up-converted.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { gzipSync, crc32 as zlibCrc32 } from "node:zlib";
import {
  lz4FrameCompress,
  snappyRawCompress,
  snappyXerialCompress,
} from "../src/compression/index.js";
import { DecodeError } from "../src/primitives/errors.js";
import { decodeBatch, readLegacyMessageSet, upConvertLegacy } from "../src/records/index.js";

function bytesField(b: Buffer | null): Buffer {
  const len = Buffer.alloc(4);
  len.writeInt32BE(b === null ? -1 : b.length);
  return b === null ? len : Buffer.concat([len, b]);
}

interface Msg {
  offset: bigint;
  magic: 0 | 1;
  attributes?: number;
  timestamp?: bigint;
  key: Buffer | null;
  value: Buffer | null;
}

/** offset INT64, size INT32, crc UINT32, magic, attributes, [timestamp], key, value. */
function entry(m: Msg): Buffer {
  const head = Buffer.from([m.magic, m.attributes ?? 0]);
  const ts = Buffer.alloc(m.magic === 1 ? 8 : 0);
  if (m.magic === 1) ts.writeBigInt64BE(m.timestamp ?? -1n);
  const afterCrc = Buffer.concat([head, ts, bytesField(m.key), bytesField(m.value)]);
  const prefix = Buffer.alloc(16);
  prefix.writeBigInt64BE(m.offset, 0);
  prefix.writeInt32BE(afterCrc.length + 4, 8);
  prefix.writeUInt32BE(zlibCrc32(afterCrc), 12);
  return Buffer.concat([prefix, afterCrc]);
}

const set = (...msgs: Msg[]): Buffer => Buffer.concat(msgs.map(entry));
const v = (s: string): Buffer => Buffer.from(s);

describe("legacy message sets", () => {
  it("reads a plain magic 0 set", async () => {
    const msgs = await readLegacyMessageSet(
      set(
        { offset: 0n, magic: 0, key: v("k0"), value: v("a") },
        { offset: 1n, magic: 0, key: null, value: null },
      ),
    );
    assert.deepEqual(msgs, [
      {
        offset: 0n,
        magic: 0,
        attributes: 0,
        compression: 0,
        timestampType: 0,
        timestamp: -1n,
        key: v("k0"),
        value: v("a"),
        crc: msgs[0]?.crc,
      },
      {
        offset: 1n,
        magic: 0,
        attributes: 0,
        compression: 0,
        timestampType: 0,
        timestamp: -1n,
        key: null,
        value: null,
        crc: msgs[1]?.crc,
      },
    ]);
  });

  it("reads magic 1 timestamps and timestamp types", async () => {
    const msgs = await readLegacyMessageSet(
      set(
        { offset: 7n, magic: 1, timestamp: 1600000000000n, key: null, value: v("x") },
        {
          offset: 8n,
          magic: 1,
          attributes: 0x08,
          timestamp: 1600000000001n,
          key: null,
          value: v("y"),
        },
      ),
    );
    assert.deepEqual(
      msgs.map((m) => [m.offset, m.timestampType, m.timestamp]),
      [
        [7n, 0, 1600000000000n],
        [8n, 1, 1600000000001n],
      ],
    );
  });

  it("expands a magic 1 gzip wrapper with relative inner offsets and LogAppendTime", async () => {
    const inner = set(
      { offset: 0n, magic: 1, timestamp: 10n, key: null, value: v("m0") },
      { offset: 1n, magic: 1, timestamp: 20n, key: v("k"), value: v("m1") },
      { offset: 2n, magic: 1, timestamp: 30n, key: null, value: v("m2") },
    );
    const wrapperCreate = entry({
      offset: 102n,
      magic: 1,
      attributes: 1,
      timestamp: 30n,
      key: null,
      value: gzipSync(inner),
    });
    const msgs = await readLegacyMessageSet(wrapperCreate);
    assert.deepEqual(
      msgs.map((m) => [m.offset, m.timestamp, m.timestampType, m.compression, m.value?.toString()]),
      [
        [100n, 10n, 0, 1, "m0"],
        [101n, 20n, 0, 1, "m1"],
        [102n, 30n, 0, 1, "m2"],
      ],
    );
    const wrapperAppend = entry({
      offset: 102n,
      magic: 1,
      attributes: 1 | 0x08,
      timestamp: 999n,
      key: null,
      value: gzipSync(inner),
    });
    const appended = await readLegacyMessageSet(wrapperAppend);
    assert.deepEqual(
      appended.map((m) => [m.timestamp, m.timestampType]),
      [
        [999n, 1],
        [999n, 1],
        [999n, 1],
      ],
    );
  });

  it("expands magic 0 snappy wrappers (xerial and raw) with absolute inner offsets", async () => {
    const inner = set(
      { offset: 5n, magic: 0, key: null, value: v("s5") },
      { offset: 6n, magic: 0, key: null, value: v("s6") },
    );
    for (const packed of [snappyXerialCompress(inner), snappyRawCompress(inner)]) {
      const msgs = await readLegacyMessageSet(
        entry({ offset: 6n, magic: 0, attributes: 2, key: null, value: packed }),
      );
      assert.deepEqual(
        msgs.map((m) => [m.offset, m.value?.toString(), m.compression]),
        [
          [5n, "s5", 2],
          [6n, "s6", 2],
        ],
      );
    }
  });

  it("reads lz4 wrappers: magic 0 with the pre-KIP-57 header checksum, magic 1 with the correct one", async () => {
    const inner0 = set({ offset: 0n, magic: 0, key: null, value: v("old") });
    const wrapped0 = entry({
      offset: 0n,
      magic: 0,
      attributes: 3,
      key: null,
      value: lz4FrameCompress(inner0, { legacyHeaderChecksum: true }),
    });
    assert.equal((await readLegacyMessageSet(wrapped0))[0]?.value?.toString(), "old");
    const inner1 = set({ offset: 0n, magic: 1, timestamp: 5n, key: null, value: v("new") });
    const wrapped1 = entry({
      offset: 3n,
      magic: 1,
      attributes: 3,
      timestamp: 5n,
      key: null,
      value: lz4FrameCompress(inner1),
    });
    const m = await readLegacyMessageSet(wrapped1);
    assert.deepEqual([m[0]?.offset, m[0]?.value?.toString()], [3n, "new"]);
    const wrongHc = entry({
      offset: 3n,
      magic: 1,
      attributes: 3,
      timestamp: 5n,
      key: null,
      value: lz4FrameCompress(inner1, { legacyHeaderChecksum: true }),
    });
    await assert.rejects(readLegacyMessageSet(wrongHc), DecodeError);
  });

  it("rejects bad CRCs, nested compression and corrupt wrappers; drops a partial tail", async () => {
    const good = set({ offset: 0n, magic: 1, timestamp: 1n, key: null, value: v("abc") });
    const flipped = Buffer.from(good);
    flipped[flipped.length - 1] = 0x00;
    await assert.rejects(readLegacyMessageSet(flipped), { kind: "invalid-value" });
    assert.equal((await readLegacyMessageSet(flipped, { verifyCrc: false })).length, 1);

    const nestedInner = entry({
      offset: 0n,
      magic: 1,
      attributes: 1,
      timestamp: 1n,
      key: null,
      value: gzipSync(good),
    });
    const nested = entry({
      offset: 0n,
      magic: 1,
      attributes: 1,
      timestamp: 1n,
      key: null,
      value: gzipSync(nestedInner),
    });
    await assert.rejects(readLegacyMessageSet(nested), DecodeError);

    const mixedMagic = entry({
      offset: 0n,
      magic: 0,
      attributes: 1,
      key: null,
      value: gzipSync(good),
    });
    await assert.rejects(readLegacyMessageSet(mixedMagic), DecodeError);

    const cutInner = entry({
      offset: 0n,
      magic: 1,
      attributes: 1,
      timestamp: 1n,
      key: null,
      value: gzipSync(good.subarray(0, good.length - 2)),
    });
    await assert.rejects(readLegacyMessageSet(cutInner), DecodeError);

    const two = Buffer.concat([
      good,
      set({ offset: 1n, magic: 1, timestamp: 2n, key: null, value: v("def") }),
    ]);
    for (let n = good.length; n < two.length; n++) {
      assert.equal((await readLegacyMessageSet(two.subarray(0, n))).length, 1, `cut at ${n}`);
    }
  });

  it("up-converts a compressed magic 1 set to a v2 batch", async () => {
    const inner = set(
      { offset: 0n, magic: 1, timestamp: 10n, key: null, value: v("m0") },
      { offset: 1n, magic: 1, timestamp: 40n, key: v("k"), value: v("m1") },
    );
    const msgs = await readLegacyMessageSet(
      entry({
        offset: 51n,
        magic: 1,
        attributes: 1,
        timestamp: 40n,
        key: null,
        value: gzipSync(inner),
      }),
    );
    const batch = await decodeBatch(await upConvertLegacy(msgs));
    assert.equal(batch.baseOffset, 50n);
    assert.equal(batch.lastOffsetDelta, 1);
    assert.equal(batch.compression, 1);
    assert.equal(batch.baseTimestamp, 10n);
    assert.equal(batch.maxTimestamp, 40n);
    assert.equal(batch.producerId, -1n);
    assert.deepEqual(
      batch.records.map((r) => [
        r.offsetDelta,
        r.timestampDelta,
        r.key?.toString() ?? null,
        r.value?.toString(),
      ]),
      [
        [0, 0n, null, "m0"],
        [1, 30n, "k", "m1"],
      ],
    );
    const v0 = await readLegacyMessageSet(
      set(
        { offset: 3n, magic: 0, key: null, value: v("z") },
        { offset: 3n, magic: 0, key: null, value: v("z2") },
      ),
    );
    await assert.rejects(
      upConvertLegacy(v0),
      DecodeError,
      "non-increasing offsets need renumbering",
    );
    const renumbered = await decodeBatch(
      await upConvertLegacy(v0, { renumber: true, compression: 4 }),
    );
    assert.deepEqual(
      [
        renumbered.baseTimestamp,
        renumbered.maxTimestamp,
        renumbered.compression,
        renumbered.records.map((r) => r.offsetDelta),
      ],
      [-1n, -1n, 4, [0, 1]],
    );
  });
});
