/** The in-memory Fs keeps what a power cut would keep, and nothing more. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { MemoryFs } from "../src/env/memory-fs.js";

const bytes = (s: string): Buffer => Buffer.from(s);

async function newFsWithDir(): Promise<MemoryFs> {
  const fs = new MemoryFs();
  await fs.mkdir("/d");
  await fs.syncDir("/");
  return fs;
}

test("a file keeps only the bytes of its last sync at a power cut", async () => {
  const fs = await newFsWithDir();
  const fh = await fs.open("/d/f", "w+");
  await fs.syncDir("/d");
  await fh.write(bytes("abc"), 0, 3, 0);
  await fh.datasync();
  await fh.writev([bytes("de"), bytes("f")], 3);
  assert.equal(fs.contentOf("/d/f").toString(), "abcdef", "readers see unsynced bytes");
  fs.powerCut();
  assert.equal((await fs.readFile("/d/f")).toString(), "abc");
  await assert.rejects(fh.read(Buffer.alloc(1), 0, 1, 0), { code: "EBADF" });
});

test("a created, renamed or removed entry is durable only once its directory is synced", async () => {
  const fs = await newFsWithDir();
  await fs.writeFile("/d/a", "A", { flush: true });
  fs.powerCut();
  assert.deepEqual(await fs.readdir("/d"), [], "a synced file without a synced entry is lost");

  await fs.writeFile("/d/a", "A", { flush: true });
  await fs.writeFile("/d/b", "B", { flush: true });
  await fs.syncDir("/d");
  await fs.rename("/d/a", "/d/c");
  await fs.rm("/d/b");
  assert.deepEqual(await fs.readdir("/d"), ["c"]);
  fs.powerCut();
  assert.deepEqual(await fs.readdir("/d"), ["a", "b"]);

  await fs.rename("/d/a", "/d/c");
  await fs.rm("/d/b");
  await fs.syncDir("/d");
  fs.powerCut();
  assert.deepEqual(await fs.readdir("/d"), ["c"]);
  assert.equal((await fs.readFile("/d/c")).toString(), "A");
});

test("a new directory is durable only once its parent is synced", async () => {
  const fs = new MemoryFs();
  await fs.mkdir("/x/y", { recursive: true });
  fs.powerCut();
  await assert.rejects(fs.readdir("/x"), { code: "ENOENT" });
  await fs.mkdir("/x");
  await fs.syncDir("/");
  fs.powerCut();
  assert.deepEqual(await fs.readdir("/x"), []);
});

test("failNextWrite fails one write after landing the bytes it is told to", async () => {
  const fs = await newFsWithDir();
  const fh = await fs.open("/d/f", "w+");
  fs.failNextWrite("ENOSPC", 2);
  await assert.rejects(fh.writev([bytes("xyz")], 0), { code: "ENOSPC", syscall: "write" });
  assert.equal(fs.contentOf("/d/f").toString(), "xy", "a short write leaves its bytes");
  await fh.write(bytes("q"), 0, 1, 2);
  assert.equal(fs.contentOf("/d/f").toString(), "xyq", "only the next write fails");
});

test("failNextSync fails one sync and leaves the data unsynced", async () => {
  const fs = await newFsWithDir();
  const fh = await fs.open("/d/f", "w+");
  await fs.syncDir("/d");
  await fh.write(bytes("a"), 0, 1, 0);
  fs.failNextSync("EIO");
  await assert.rejects(fh.sync(), { code: "EIO" });
  fs.powerCut();
  assert.equal((await fs.readFile("/d/f")).length, 0);
});

test("haltAfter freezes the file system after exactly n mutations", async () => {
  const fs = await newFsWithDir();
  const fh = await fs.open("/d/f", "w+");
  await fs.syncDir("/d");
  const before = fs.mutations;
  fs.haltAfter(2);
  await fh.write(bytes("a"), 0, 1, 0);
  await fh.sync();
  assert.equal(fs.mutations, before + 2);
  await assert.rejects(fh.write(bytes("b"), 0, 1, 1), { code: "EIO" });
  await assert.rejects(fs.readdir("/d"), { code: "EIO" }, "a halted machine does nothing");
  fs.powerCut();
  assert.equal((await fs.readFile("/d/f")).toString(), "a");
});

test("tryLock is exclusive between open files until the holder closes", async () => {
  const fs = await newFsWithDir();
  const a = await fs.open("/d/.lock", "a+");
  const b = await fs.open("/d/.lock", "a+");
  assert.equal(fs.tryLock(a), true);
  assert.equal(fs.tryLock(b), false);
  await a.close();
  assert.equal(fs.tryLock(b), true);
});
