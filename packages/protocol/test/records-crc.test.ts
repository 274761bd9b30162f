import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { describe, it } from "node:test";
import { crc32 as zlibCrc32 } from "node:zlib";
import fc from "fast-check";
import { crc32cBytewise } from "../src/records/crc32c-js.js";
import {
  crc32,
  crc32c,
  crc32cJs,
  crc32cNativeSource,
  crc32cNativeTried,
} from "../src/records/index.js";

const CHECK = Buffer.from("123456789");

describe("checksums", () => {
  // First in the file: it needs a process in which no CRC has loaded the addon yet.
  it("the addon is loaded only once 64 KiB of small buffers have gone through JavaScript", () => {
    const small = Buffer.alloc(1024, 7);
    for (let i = 0; i < 63; i++) assert.equal(crc32c(small), crc32cBytewise(small));
    assert.equal(crc32cNativeTried(), false, "63 KiB of 1 KiB buffers: still JavaScript");
    assert.equal(crc32c(small), crc32cBytewise(small));
    assert.equal(crc32cNativeTried(), true, "the 64th KiB loads it");
    // CI runs on glibc Linux, where this pins the direct load of the platform package
    // (on musl and other platforms the package's own loader may be the one that works).
    const glibcLinux = process.platform === "linux" && ["x64", "arm64"].includes(process.arch);
    if (glibcLinux && !existsSync("/lib/ld-musl-x86_64.so.1"))
      assert.equal(crc32cNativeSource(), "platform package");
  });
  it("CRC-32C check value 0xE3069283 for every implementation", () => {
    assert.equal(crc32c(CHECK), 0xe3069283);
    assert.equal(crc32cJs(CHECK), 0xe3069283);
    assert.equal(crc32cBytewise(CHECK), 0xe3069283);
    assert.equal(crc32c(Buffer.alloc(0)), 0);
  });
  it("CRC-32 (IEEE) check value 0xCBF43926", () => {
    assert.equal(crc32(CHECK), 0xcbf43926);
  });
  it("native and JS CRC-32C agree on random ranges; CRC-32 agrees with zlib (property)", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), fc.nat(), fc.nat(), (u, a, b) => {
        const buf = Buffer.from(u);
        const start = buf.length ? a % buf.length : 0;
        const end = start + (buf.length - start ? b % (buf.length - start + 1) : 0);
        const expected = crc32cBytewise(buf, start, end);
        assert.equal(crc32cJs(buf, start, end), expected);
        assert.equal(crc32c(buf, start, end), expected);
        assert.equal(crc32(buf, start, end), zlibCrc32(buf.subarray(start, end)));
      }),
      { numRuns: 300 },
    );
  });
});
