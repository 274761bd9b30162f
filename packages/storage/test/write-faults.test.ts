/** WriteFaults: while active, writing calls fail with its errno; reads and syncs go on. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { MemoryFs } from "../src/env/memory-fs.js";
import { WriteFaults } from "../src/env/write-faults.js";

test("while active, writes fail with the fault's code; reads and syncs go on; off, all works", async () => {
  const mem = new MemoryFs();
  await mem.mkdir("/d");
  const faults = new WriteFaults(mem, "EROFS");
  const fs = faults.fs;
  const fh = await fs.open("/d/f", "w+");
  await fh.write(Buffer.from("ab"), 0, 2, 0);

  faults.active = true;
  const refused = { code: "EROFS" };
  await assert.rejects(fh.write(Buffer.from("c"), 0, 1, 2), refused);
  await assert.rejects(fh.writev([Buffer.from("c")], 2), refused);
  await assert.rejects(fh.truncate(0), refused);
  await assert.rejects(fs.open("/d/g", "a+"), refused);
  await assert.rejects(fs.writeFile("/d/g", "x"), refused);
  await assert.rejects(fs.rename("/d/f", "/d/g"), refused);
  await assert.rejects(fs.rm("/d/f"), refused);
  await assert.rejects(fs.mkdir("/e"), refused);
  await fh.datasync();
  assert.equal((await fs.readFile("/d/f")).toString(), "ab");
  const reader = await fs.open("/d/f", "r");
  assert.equal(fs.tryLock(reader), true, "locks pass through to the real file");
  await reader.close();

  faults.active = false;
  await fh.write(Buffer.from("c"), 0, 1, 2);
  await fs.rename("/d/f", "/d/g");
  assert.deepEqual(await fs.readdir("/d"), ["g"]);
  assert.equal((await fs.readFile("/d/g")).toString(), "abc");
});
