/**
 * The launcher's code cache file (src/launcher/code-cache-file.ts): what it writes it reads
 * back, and it refuses anything it cannot trust, since V8 runs what it deserializes (a
 * damaged payload of the right length crashes the process: found by the integration test).
 */
import assert from "node:assert/strict";
import {
  chmodSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import fc from "fast-check";
import {
  type BundleIdentity,
  codeCacheDir,
  codeCacheFile,
} from "../src/launcher/code-cache-file.js";

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function freshDir(): string {
  const d = mkdtempSync(join(tmpdir(), "logbook-code-cache-file-"));
  dirs.push(d);
  return d;
}

const BUNDLE: BundleIdentity = {
  digest: "ab".repeat(32),
  size: 1_762_601,
  mtimeMs: 1_765_000_000_123.5,
};
const DATA = Buffer.from("not really V8's cached data, but bytes all the same");

test("what is written is read back, from a private file", () => {
  const dir = join(freshDir(), "nested", "cache");
  const file = codeCacheFile(dir, BUNDLE);
  assert.equal(file.read(), undefined);
  file.write(DATA);
  assert.deepEqual(file.read(), DATA);
  assert.equal(statSync(file.path).mode & 0o777, 0o600);
  assert.equal(statSync(dir).mode & 0o777, 0o700);
  assert.deepEqual(readdirSync(dir), [file.path.slice(dir.length + 1)]);
});

test("every change to the stored bytes, and every truncation, is refused", () => {
  const file = codeCacheFile(freshDir(), BUNDLE);
  file.write(DATA);
  const good = readFileSync(file.path);
  fc.assert(
    fc.property(fc.nat({ max: good.length - 1 }), fc.integer({ min: 1, max: 255 }), (at, flip) => {
      const bad = Buffer.from(good);
      bad[at] = (bad[at] as number) ^ flip;
      writeFileSync(file.path, bad, { mode: 0o600 });
      assert.equal(file.read(), undefined);
    }),
  );
  for (const length of [0, 1, 32, 48, good.length - 1]) {
    writeFileSync(file.path, good.subarray(0, length), { mode: 0o600 });
    assert.equal(file.read(), undefined, `truncated to ${length}`);
  }
  writeFileSync(file.path, good, { mode: 0o600 });
  assert.deepEqual(file.read(), DATA);
});

test("a cache made for the same build but another copy of the bundle file is refused", () => {
  const dir = freshDir();
  codeCacheFile(dir, BUNDLE).write(DATA);
  assert.equal(codeCacheFile(dir, { ...BUNDLE, mtimeMs: BUNDLE.mtimeMs + 1 }).read(), undefined);
  assert.equal(codeCacheFile(dir, { ...BUNDLE, size: BUNDLE.size + 1 }).read(), undefined);
  assert.equal(codeCacheFile(dir, { ...BUNDLE, digest: "cd".repeat(32) }).read(), undefined);
});

test("a file others may write, or a link, is not read", () => {
  const dir = freshDir();
  const file = codeCacheFile(dir, BUNDLE);
  file.write(DATA);
  chmodSync(file.path, 0o620);
  assert.equal(file.read(), undefined);
  chmodSync(file.path, 0o602);
  assert.equal(file.read(), undefined);
  chmodSync(file.path, 0o644);
  assert.deepEqual(file.read(), DATA, "readable by others is fine, writable is not");

  const elsewhere = join(freshDir(), "planted.v8");
  writeFileSync(elsewhere, readFileSync(file.path), { mode: 0o600 });
  rmSync(file.path);
  symlinkSync(elsewhere, file.path);
  assert.equal(file.read(), undefined);
  // A write replaces the link with a file of its own and leaves the target alone.
  const target = readFileSync(elsewhere);
  file.write(DATA);
  assert.deepEqual(file.read(), DATA);
  assert.deepEqual(readFileSync(elsewhere), target);
});

test("a write never follows a link planted at its temp name", () => {
  const dir = freshDir();
  const file = codeCacheFile(dir, BUNDLE);
  const victim = join(freshDir(), "victim");
  writeFileSync(victim, "keep me");
  symlinkSync(victim, `${file.path}.${process.pid}.tmp`);
  file.write(DATA);
  assert.equal(readFileSync(victim, "utf8"), "keep me");
  assert.deepEqual(file.read(), DATA);
});

test("a write removes other caches and temp files not written for a week, and keeps the recent ones", () => {
  const dir = freshDir();
  const old = codeCacheFile(dir, { ...BUNDLE, digest: "01".repeat(32) });
  const recent = codeCacheFile(dir, { ...BUNDLE, digest: "02".repeat(32) });
  old.write(DATA);
  recent.write(DATA);
  const eightDaysAgo = new Date(Date.now() - 8 * 24 * 3600 * 1000);
  utimesSync(old.path, eightDaysAgo, eightDaysAgo);
  const killedWrite = `${old.path}.4242.tmp`;
  writeFileSync(killedWrite, "half");
  utimesSync(killedWrite, eightDaysAgo, eightDaysAgo);
  writeFileSync(join(dir, "unrelated.bin"), "x");
  utimesSync(join(dir, "unrelated.bin"), eightDaysAgo, eightDaysAgo);
  codeCacheFile(dir, BUNDLE).write(DATA);
  assert.equal(old.read(), undefined);
  assert.ok(!readdirSync(dir).includes(killedWrite.slice(dir.length + 1)));
  assert.deepEqual(recent.read(), DATA);
  assert.ok(readdirSync(dir).includes("unrelated.bin"));
});

test("the cache goes to NODE_COMPILE_CACHE, else the temp dir, and NODE_DISABLE_COMPILE_CACHE turns it off", () => {
  assert.equal(codeCacheDir({ NODE_COMPILE_CACHE: "/var/cache/x" }), "/var/cache/x");
  assert.equal(codeCacheDir({}), join(tmpdir(), "node-compile-cache"));
  assert.equal(codeCacheDir({ NODE_COMPILE_CACHE: "" }), join(tmpdir(), "node-compile-cache"));
  assert.equal(codeCacheDir({ NODE_DISABLE_COMPILE_CACHE: "1" }), undefined);
  assert.equal(
    codeCacheDir({ NODE_DISABLE_COMPILE_CACHE: "0" }),
    join(tmpdir(), "node-compile-cache"),
  );
});
