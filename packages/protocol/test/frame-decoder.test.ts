import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  DEFAULT_MAX_FRAME_SIZE,
  encodeFrame,
  FrameDecoder,
  FrameSizeError,
  frameSizePrefix,
  peekRequestHeader,
} from "../src/framing/index.js";

/** Feeds `stream` cut at `cuts` (sorted offsets) and collects every frame, failing on error. */
function decodeInSlices(stream: Buffer, cuts: number[], decoder = new FrameDecoder()): Buffer[] {
  const frames: Buffer[] = [];
  let start = 0;
  for (const end of [...cuts, stream.length]) {
    const result = decoder.push(stream.subarray(start, end));
    assert.equal(result.error, undefined);
    frames.push(...result.frames);
    start = end;
  }
  assert.equal(decoder.bufferedBytes, 0);
  assert.equal(decoder.midFrame, false);
  return frames;
}

function sizePrefix(size: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(size, 0);
  return b;
}

const bodies = fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 8 });

describe("FrameDecoder", () => {
  it("decodes the ApiVersions v0 example from the wire notes", () => {
    const wire = Buffer.from("0000000b00120000000000010001" + "74", "hex");
    const { frames, error } = new FrameDecoder().push(wire);
    assert.equal(error, undefined);
    assert.equal(frames.length, 1);
    assert.equal(frames[0]?.toString("hex"), "00120000000000010001" + "74");
  });

  it("returns a frame inside one chunk as a view, without copying", () => {
    const chunk = Buffer.concat([encodeFrame(Buffer.from("abc")), encodeFrame(Buffer.from("de"))]);
    const { frames } = new FrameDecoder().push(chunk);
    assert.equal(frames.length, 2);
    assert.equal(frames[0]?.buffer, chunk.buffer);
    assert.equal(frames[0]?.byteOffset, chunk.byteOffset + 4);
    assert.equal(frames[1]?.toString(), "de");
  });

  it("emits zero-length frames", () => {
    const { frames } = new FrameDecoder().push(Buffer.concat([sizePrefix(0), sizePrefix(0)]));
    assert.deepEqual(
      frames.map((f) => f.length),
      [0, 0],
    );
  });

  it("gives back the same frames in order for every single split point", () => {
    const payloads = [Buffer.from("hello"), Buffer.alloc(0), Buffer.from([1, 2, 3, 4, 5, 6, 7])];
    const stream = Buffer.concat(payloads.map((p) => encodeFrame(p)));
    for (let cut = 0; cut <= stream.length; cut++) {
      assert.deepEqual(decodeInSlices(stream, [cut]), payloads, `split at ${cut}`);
    }
  });

  it("gives back the same frames in order one byte at a time", () => {
    const payloads = [Buffer.from("a"), Buffer.from("bcdefgh"), Buffer.alloc(0)];
    const stream = Buffer.concat(payloads.map((p) => encodeFrame(p)));
    const cuts = Array.from({ length: stream.length - 1 }, (_, i) => i + 1);
    assert.deepEqual(decodeInSlices(stream, cuts), payloads);
  });

  it("gives back the same frames in order for random splits", () => {
    fc.assert(
      fc.property(bodies, fc.array(fc.nat(), { maxLength: 20 }), (payloads, rawCuts) => {
        const stream = Buffer.concat(payloads.map((p) => encodeFrame(p)));
        const cuts = [...new Set(rawCuts.map((c) => c % (stream.length + 1)))].sort(
          (a, b) => a - b,
        );
        const frames = decodeInSlices(stream, cuts);
        assert.deepEqual(
          frames.map((f) => Buffer.from(f)),
          payloads.map((p) => Buffer.from(p)),
        );
      }),
    );
  });

  it("holds at most the current frame while waiting for its end", () => {
    fc.assert(
      fc.property(bodies, fc.integer({ min: 1, max: 17 }), (payloads, step) => {
        const stream = Buffer.concat(payloads.map((p) => encodeFrame(p)));
        const largest = Math.max(0, ...payloads.map((p) => p.length));
        const decoder = new FrameDecoder();
        for (let at = 0; at < stream.length; at += step) {
          decoder.push(stream.subarray(at, at + step));
          assert.ok(decoder.bufferedBytes <= Math.max(largest, 3));
        }
        assert.equal(decoder.bufferedBytes, 0);
      }),
    );
  });

  it("never crashes on random bytes: only frames or the typed error", () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 10 }),
        fc.integer({ min: 0, max: 64 }),
        (chunks, maxFrameSize) => {
          const decoder = new FrameDecoder({ maxFrameSize });
          let failedWith: FrameSizeError | undefined;
          for (const chunk of chunks) {
            const { frames, error } = decoder.push(chunk);
            for (const f of frames) assert.ok(f.length <= maxFrameSize);
            if (failedWith !== undefined) {
              assert.equal(error, failedWith, "the error is sticky");
              assert.equal(frames.length, 0);
            }
            if (error !== undefined) {
              assert.ok(error instanceof FrameSizeError);
              failedWith = error;
            }
            assert.ok(decoder.bufferedBytes <= maxFrameSize + 3);
          }
        },
      ),
    );
  });

  it("rejects a 2 GiB size prefix at once, without buffering anything", () => {
    const decoder = new FrameDecoder();
    const before = process.memoryUsage().arrayBuffers;
    const { frames, error } = decoder.push(Buffer.from([0x7f, 0xff, 0xff, 0xff, 1, 2, 3]));
    assert.equal(frames.length, 0);
    assert.ok(error instanceof FrameSizeError);
    assert.equal(error.reason, "too-large");
    assert.equal(error.declaredSize, 0x7fffffff);
    assert.equal(error.maxFrameSize, DEFAULT_MAX_FRAME_SIZE);
    assert.equal(decoder.bufferedBytes, 0);
    assert.ok(process.memoryUsage().arrayBuffers - before < 1024 * 1024);
  });

  it("rejects a too-large prefix that arrives one byte at a time", () => {
    const decoder = new FrameDecoder({ maxFrameSize: 1024 });
    for (const b of [0x7f, 0xff, 0xff])
      assert.equal(decoder.push(Buffer.from([b])).error, undefined);
    assert.equal(decoder.bufferedBytes, 3);
    const { error } = decoder.push(Buffer.from([0xff]));
    assert.equal(error?.reason, "too-large");
    assert.equal(decoder.bufferedBytes, 0);
  });

  it("rejects a negative size prefix", () => {
    for (const size of [-1, -2147483648]) {
      const decoder = new FrameDecoder();
      const { frames, error } = decoder.push(sizePrefix(size));
      assert.equal(frames.length, 0);
      assert.equal(error?.reason, "negative");
      assert.equal(error?.declaredSize, size);
      assert.equal(decoder.bufferedBytes, 0);
    }
  });

  it("keeps frames completed before a bad prefix in the same chunk, then stays failed", () => {
    const decoder = new FrameDecoder();
    const chunk = Buffer.concat([encodeFrame(Buffer.from("ok")), sizePrefix(-1)]);
    const first = decoder.push(chunk);
    assert.deepEqual(first.frames, [Buffer.from("ok")]);
    assert.equal(first.error?.reason, "negative");
    const later = decoder.push(encodeFrame(Buffer.from("ignored")));
    assert.deepEqual(later.frames, []);
    assert.equal(later.error, first.error);
    assert.equal(decoder.error, first.error);
  });

  it("honours the maximum exactly: max is accepted, max+1 rejected", () => {
    const max = 1000;
    const atMax = new FrameDecoder({ maxFrameSize: max }).push(encodeFrame(Buffer.alloc(max, 7)));
    assert.equal(atMax.error, undefined);
    assert.equal(atMax.frames[0]?.length, max);

    const over = new FrameDecoder({ maxFrameSize: max }).push(sizePrefix(max + 1));
    assert.equal(over.error?.reason, "too-large");
    assert.equal(over.error?.declaredSize, max + 1);
  });

  it("honours the default maximum of 100 MiB exactly, judged from the prefix alone", () => {
    const atMax = new FrameDecoder();
    assert.equal(atMax.push(sizePrefix(DEFAULT_MAX_FRAME_SIZE)).error, undefined);
    assert.equal(atMax.midFrame, true);
    assert.equal(atMax.bufferedBytes, 0, "nothing is allocated for the announced size");
    assert.equal(
      new FrameDecoder().push(sizePrefix(DEFAULT_MAX_FRAME_SIZE + 1)).error?.reason,
      "too-large",
    );
  });

  it("reports a stream that stops inside a frame", () => {
    const decoder = new FrameDecoder();
    decoder.push(encodeFrame(Buffer.from("abcdef")).subarray(0, 7));
    assert.equal(decoder.midFrame, true);
    assert.equal(decoder.bufferedBytes, 3);
  });

  it("refuses a nonsensical maximum", () => {
    assert.throws(() => new FrameDecoder({ maxFrameSize: -1 }), RangeError);
    assert.throws(() => new FrameDecoder({ maxFrameSize: 2 ** 31 }), RangeError);
    assert.throws(() => new FrameDecoder({ maxFrameSize: 1.5 }), RangeError);
  });
});

describe("encodeFrame / frameSizePrefix", () => {
  it("prefixes the big-endian body length", () => {
    assert.equal(encodeFrame(Buffer.from("xyz")).toString("hex"), "00000003" + "78797a");
    assert.equal(frameSizePrefix(0x01020304).toString("hex"), "01020304");
  });

  it("rejects lengths an INT32 cannot carry", () => {
    assert.throws(() => frameSizePrefix(-1), RangeError);
    assert.throws(() => frameSizePrefix(2 ** 31), RangeError);
  });
});

describe("peekRequestHeader", () => {
  it("reads key, version and correlation id of the ApiVersions example", () => {
    const peek = peekRequestHeader(Buffer.from("00120000000000010001" + "74", "hex"));
    assert.deepEqual(peek, { ok: true, header: { apiKey: 18, apiVersion: 0, correlationId: 1 } });
  });

  it("reads signed values from a view at any offset", () => {
    const backing = Buffer.from("ff" + "fffe" + "7fff" + "80000000" + "ee", "hex");
    const peek = peekRequestHeader(backing.subarray(1, 9));
    assert.deepEqual(peek, {
      ok: true,
      header: { apiKey: -2, apiVersion: 32767, correlationId: -2147483648 },
    });
  });

  it("returns a truncated DecodeError for frames shorter than 8 bytes", () => {
    for (let n = 0; n < 8; n++) {
      const peek = peekRequestHeader(Buffer.alloc(n));
      assert.equal(peek.ok, false);
      if (!peek.ok) assert.equal(peek.error.kind, "truncated");
    }
  });

  it("agrees with the header bytes of any frame", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -32768, max: 32767 }),
        fc.integer({ min: -32768, max: 32767 }),
        fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
        fc.uint8Array({ maxLength: 20 }),
        (apiKey, apiVersion, correlationId, rest) => {
          const head = Buffer.alloc(8);
          head.writeInt16BE(apiKey, 0);
          head.writeInt16BE(apiVersion, 2);
          head.writeInt32BE(correlationId, 4);
          const peek = peekRequestHeader(Buffer.concat([head, rest]));
          assert.deepEqual(peek, { ok: true, header: { apiKey, apiVersion, correlationId } });
        },
      ),
    );
  });
});
