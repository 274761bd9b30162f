import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { gzipSync } from "node:zlib";
import fc from "fast-check";
import {
  codecs,
  isXerial,
  lz4FrameCompress,
  lz4FrameDecompress,
  snappyDecompress,
  snappyRawCompress,
  snappyXerialCompress,
  zstdDecompress,
} from "../src/compression/index.js";
import { DecodeError } from "../src/primitives/errors.js";

const fixture = (name: string): Buffer =>
  readFileSync(new URL(`./fixtures/records/${name}`, import.meta.url));

/** Compressible but not trivial: text runs with pseudo-random stretches. */
function sample(n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = i % 1000 < 500 ? 97 + (i % 23) : (i * 7919) >>> 3;
  return b;
}

describe("codec table round trips", () => {
  for (const id of [0, 1, 2, 3, 4] as const) {
    it(`${codecs[id].name} (id ${id}) round-trips empty, small and 200 KiB inputs`, async () => {
      assert.equal(codecs[id].id, id);
      for (const data of [Buffer.alloc(0), Buffer.from("x"), sample(200 * 1024)]) {
        const packed = await codecs[id].compress(data);
        if (id !== 0 && data.length > 1000) assert.ok(packed.length < data.length, "compresses");
        assert.deepEqual(await codecs[id].decompress(packed), data);
      }
    });
  }

  it("all codecs round-trip random data (property)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(0, 1, 2, 3, 4 as const),
        fc.uint8Array({ maxLength: 5000 }),
        async (id, u) => {
          const data = Buffer.from(u);
          const codec = codecs[id as 0 | 1 | 2 | 3 | 4];
          assert.deepEqual(await codec.decompress(await codec.compress(data)), data);
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe("gzip", () => {
  it("reads concatenated members", async () => {
    const two = Buffer.concat([gzipSync("first "), gzipSync("second")]);
    assert.equal((await codecs[1].decompress(two)).toString(), "first second");
  });
  it("stops a bomb at the limit", async () => {
    const bomb = gzipSync(Buffer.alloc(10 * 1024 * 1024));
    assert.ok(bomb.length < 20000);
    await assert.rejects(codecs[1].decompress(bomb, { maxOutputBytes: 1024 * 1024 }), {
      kind: "length-exceeds-input",
    });
  });
});

describe("snappy", () => {
  it("writes xerial framing with the documented header and 32 KiB chunks", () => {
    const data = sample(100 * 1024);
    const x = snappyXerialCompress(data);
    assert.deepEqual(
      x.subarray(0, 16),
      Buffer.from("82534e415050590000000001" + "00000001", "hex"),
    );
    assert.equal(isXerial(x), true);
    let at = 16;
    let chunks = 0;
    while (at < x.length) {
      at += 4 + x.readInt32BE(at);
      chunks++;
    }
    assert.equal(at, x.length);
    assert.equal(chunks, 4);
  });
  it("reads raw blocks (librdkafka) and xerial (Java) alike", () => {
    const data = sample(70000);
    assert.deepEqual(snappyDecompress(snappyRawCompress(data), 1e6), data);
    assert.deepEqual(snappyDecompress(snappyXerialCompress(data), 1e6), data);
    assert.equal(isXerial(snappyRawCompress(data)), false);
  });
  it("refuses over-limit output, bad chunk lengths and garbage", () => {
    const data = sample(70000);
    assert.throws(() => snappyDecompress(snappyRawCompress(data), 1000), {
      kind: "length-exceeds-input",
    });
    assert.throws(() => snappyDecompress(snappyXerialCompress(data), 40000), {
      kind: "length-exceeds-input",
    });
    const x = snappyXerialCompress(data);
    x.writeInt32BE(0x7fffffff, 16);
    assert.throws(() => snappyDecompress(x, 1e6), DecodeError);
    assert.throws(
      () => snappyDecompress(Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f, 1]), 1e6),
      DecodeError,
    );
  });
});

describe("lz4 frame", () => {
  const seq = fixture("seq-20000.txt");
  it("reads frames written by the lz4 CLI (block and content checksums, content size)", () => {
    const blockCrc = fixture("seq-20000.blockcrc.lz4");
    assert.equal((blockCrc[4] as number) & 0x14, 0x14, "fixture has block and content checksums");
    assert.deepEqual(lz4FrameDecompress(blockCrc, 1e6), seq);
    const contentSize = fixture("seq-20000.contentsize.lz4");
    assert.equal((contentSize[4] as number) & 0x08, 0x08, "fixture has a content size");
    assert.deepEqual(lz4FrameDecompress(contentSize, 1e6), seq);
  });
  it("reads a frame written by lz4-flex (lz4-napi), 4 MiB blocks", () => {
    // The fixture was written by lz4-napi 2.10.0 compressFrameSync from exactly these bytes.
    const input = Buffer.alloc(300000).map((_, i) => (i % 1000 < 500 ? i % 77 : (i * 7919) >>> 3));
    assert.deepEqual(lz4FrameDecompress(fixture("lz4-napi-frame.bin"), 1e6), input);
  });
  it("writes frames with every optional field and reads them back", () => {
    const data = sample(150000);
    for (const opts of [{}, { blockChecksum: true, contentChecksum: true, contentSize: true }]) {
      assert.deepEqual(lz4FrameDecompress(lz4FrameCompress(data, opts), 1e6), data);
    }
    const plain = lz4FrameCompress(data);
    assert.equal(plain.readUInt32LE(0), 0x184d2204);
    assert.equal(plain[4], 0x60, "version 01, independent blocks");
    assert.equal(plain[5], 0x40, "64 KiB blocks");
  });
  it("detects checksum mismatches, the legacy header checksum and bombs", () => {
    const data = sample(150000);
    const summed = lz4FrameCompress(data, { blockChecksum: true, contentChecksum: true });
    const badBlock = Buffer.from(summed);
    badBlock[20] = (badBlock[20] as number) ^ 1;
    assert.throws(() => lz4FrameDecompress(badBlock, 1e6), DecodeError);
    const badContent = Buffer.from(summed);
    badContent[badContent.length - 1] = (badContent[badContent.length - 1] as number) ^ 1;
    assert.throws(() => lz4FrameDecompress(badContent, 1e6), /content checksum/);
    const legacy = lz4FrameCompress(data, { legacyHeaderChecksum: true });
    assert.throws(() => lz4FrameDecompress(legacy, 1e6), /header checksum/);
    assert.deepEqual(lz4FrameDecompress(legacy, 1e6, { ignoreHeaderChecksum: true }), data);
    const zeros = lz4FrameCompress(Buffer.alloc(4 * 1024 * 1024));
    assert.throws(() => lz4FrameDecompress(zeros, 1024 * 1024), { kind: "length-exceeds-input" });
  });
  it("truncation at every byte and random corruption give DecodeError only", () => {
    const frame = lz4FrameCompress(sample(3000), { blockChecksum: false });
    for (let n = 0; n < frame.length; n++)
      assert.throws(() => lz4FrameDecompress(frame.subarray(0, n), 1e6), DecodeError);
    fc.assert(
      fc.property(fc.nat(), fc.integer({ min: 1, max: 255 }), (pos, x) => {
        const bad = Buffer.from(frame);
        const at = 7 + (pos % (frame.length - 7));
        bad[at] = (bad[at] as number) ^ x;
        try {
          lz4FrameDecompress(bad, 1e6);
        } catch (e) {
          assert.ok(e instanceof DecodeError, String(e));
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe("zstd", () => {
  it("decodes a streamed frame without a content size (zstd CLI from stdin)", async () => {
    const stream = fixture("seq-20000.stream.zst");
    assert.equal((stream[4] as number) >>> 6, 0, "frame carries no content size");
    assert.deepEqual(await zstdDecompress(stream, 1e6), fixture("seq-20000.txt"));
  });
  it("stops a bomb of RLE blocks at the limit", async () => {
    const blocks: Buffer[] = [];
    for (let i = 0; i < 400; i++) {
      const b = Buffer.alloc(4);
      b.writeUIntLE(((128 * 1024) << 3) | (1 << 1) | (i === 399 ? 1 : 0), 0, 3); // RLE block of 128 KiB
      b[3] = 0x41;
      blocks.push(b);
    }
    const bomb = Buffer.concat([Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x58]), ...blocks]);
    assert.equal(bomb.length, 1606);
    await assert.rejects(zstdDecompress(bomb, 8 * 1024 * 1024), { kind: "length-exceeds-input" });
    assert.equal((await zstdDecompress(bomb, 64 * 1024 * 1024)).length, 400 * 128 * 1024);
  });
  it("refuses a declared content size over the limit before decoding, and corrupt frames", async () => {
    const packed = await codecs[4].compress(sample(100000));
    await assert.rejects(zstdDecompress(packed, 1000), { kind: "length-exceeds-input" });
    await assert.rejects(zstdDecompress(packed.subarray(0, packed.length - 3), 1e6), DecodeError);
    await assert.rejects(zstdDecompress(Buffer.from("not zstd at all"), 1e6), DecodeError);
  });
});
