/**
 * The real file system's open files (env/fd-file.ts): the calls storage makes give what
 * node:fs/promises' FileHandle gave, close waits for the calls in flight (a descriptor
 * number is reused by the next open, so a read must never outlive its close), and a call
 * after close fails with EBADF instead of reaching whatever file now has the number.
 */
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import fc from "fast-check";
import { FdFile } from "../src/env/fd-file.js";
import { realFs } from "../src/env/real-fs.js";

let dir = "";
before(async () => {
  dir = await mkdtemp(join(tmpdir(), "logbook-fd-file-"));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("FdFile", () => {
  it("writes, reads, truncates and stats at explicit positions", async () => {
    const path = join(dir, "basic");
    const f = await realFs.open(path, "w+");
    assert.ok(f instanceof FdFile);
    assert.deepEqual(await f.write(Buffer.from("xxhello"), 2, 5, 0), { bytesWritten: 5 });
    assert.deepEqual(await f.writev([Buffer.from(" "), Buffer.from("world")], 5), {
      bytesWritten: 6,
    });
    await f.datasync();
    await f.sync();
    const buf = Buffer.alloc(16);
    assert.deepEqual(await f.read(buf, 1, 11, 0), { bytesRead: 11 });
    assert.equal(buf.subarray(1, 12).toString(), "hello world");
    assert.deepEqual(await f.read(buf, 0, 4, 100), { bytesRead: 0 }, "past the end");
    assert.equal((await f.stat()).size, 11);
    await f.truncate(5);
    const s = await f.stat();
    assert.equal(s.size, 5);
    assert.equal(s.isDirectory(), false);
    assert.ok(s.mtimeMs > 0);
    await f.close();
    assert.equal(await readFile(path, "utf8"), "hello");
  });

  it("keeps writev's bytes in order at any position (property)", async () => {
    const path = join(dir, "writev");
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.uint8Array({ minLength: 0, maxLength: 300 }), { maxLength: 8 }),
        fc.nat(2000),
        async (parts, position) => {
          await writeFile(path, Buffer.alloc(0));
          const f = await FdFile.open(path, "r+");
          try {
            const buffers = parts.map((p) => Buffer.from(p));
            const total = buffers.reduce((n, b) => n + b.length, 0);
            assert.deepEqual(await f.writev(buffers, position), { bytesWritten: total });
            const back = Buffer.alloc(total);
            assert.deepEqual(await f.read(back, 0, total, position), { bytesRead: total });
            assert.deepEqual(back, Buffer.concat(buffers));
          } finally {
            await f.close();
          }
        },
      ),
      { numRuns: 50 },
    );
  });

  it("fails an open of a missing file with ENOENT, as fs/promises does", async () => {
    await assert.rejects(FdFile.open(join(dir, "missing"), "r"), { code: "ENOENT" });
  });

  it("closes only once the calls in flight have finished", async () => {
    const path = join(dir, "in-flight");
    const data = Buffer.alloc(1 << 20, 7);
    await writeFile(path, data);
    const f = await FdFile.open(path, "r");
    const buffers = Array.from({ length: 16 }, () => Buffer.alloc(data.length));
    const order: string[] = [];
    const reads = buffers.map((b, i) =>
      f.read(b, 0, b.length, 0).then((r) => {
        order.push(`read ${i}`);
        return r.bytesRead;
      }),
    );
    const closed = f.close().then(() => order.push("closed"));
    assert.equal(f.close(), f.close(), "one close, however often asked");
    assert.deepEqual(
      await Promise.all(reads),
      buffers.map(() => data.length),
    );
    await closed;
    assert.equal(order.at(-1), "closed");
    assert.equal(order.length, 17);
    for (const b of buffers) assert.deepEqual(b, data);
  });

  it("counts a call node:fs refuses outright as finished, so close does not wait for it", async () => {
    const f = await FdFile.open(join(dir, "refused"), "w+");
    await assert.rejects(f.read(Buffer.alloc(4), 0, 8, 0), { code: "ERR_OUT_OF_RANGE" });
    await f.close();
  });

  it("fails every call after close with EBADF and touches no other file", async () => {
    const path = join(dir, "after-close");
    await writeFile(path, "original");
    const f = await FdFile.open(path, "r+");
    const fd = f.fd;
    await f.close();
    // The next open may be handed the same descriptor number; the closed file must not
    // write through it.
    const other = join(dir, "other");
    await writeFile(other, "other file");
    const g = await FdFile.open(other, "r+");
    try {
      const calls = [
        () => f.read(Buffer.alloc(4), 0, 4, 0),
        () => f.write(Buffer.from("bad"), 0, 3, 0),
        () => f.writev([Buffer.from("bad")], 0),
        () => f.truncate(0),
        () => f.stat(),
        () => f.sync(),
        () => f.datasync(),
      ];
      for (const call of calls) await assert.rejects(call(), { code: "EBADF" });
      assert.equal(await readFile(other, "utf8"), "other file");
      assert.equal(await readFile(path, "utf8"), "original");
      assert.ok(g.fd >= 0 && fd >= 0);
    } finally {
      await g.close();
    }
  });
});
