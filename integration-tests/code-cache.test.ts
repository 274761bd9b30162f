/**
 * `logbook` (bundle/logbook.js, the launcher) runs the bundle through V8's code cache: the
 * first start compiles it and writes the cache a moment after start-up, later starts
 * deserialize it (docs/performance.md, "Start-up and footprint"). The ready line's
 * `codeCache` field says which: none, used, rejected or off. Checked on the Node the tests
 * run on (20) and on Node 22, each in its own TMPDIR, whose node-compile-cache folder is
 * the default place.
 */
import assert from "node:assert/strict";
import { chmod, readdir, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { Kafka, logLevel } from "kafkajs";
import { type BrokerProcess, removeDir, startBroker, tempDir } from "./helpers/broker-process.js";
import { node22 } from "./helpers/node22.js";

const dirs: string[] = [];
after(async () => {
  for (const d of dirs) await removeDir(d);
});

async function cacheFiles(dir: string): Promise<string[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  return names
    .filter((n) => n.startsWith("logbook-") && n.endsWith(".v8"))
    .map((n) => join(dir, n));
}

/** The `codeCache` field of the broker's listening line (stderr, maybe after stdout's ready line). */
async function codeCacheState(b: BrokerProcess): Promise<string> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const m = /"msg":"listening".*?"codeCache":"([a-z]+)"/.exec(b.stderr());
    if (m !== null) return m[1] as string;
    assert.ok(Date.now() < deadline, `no codeCache field in the listening line:\n${b.stderr()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function servesTopics(b: BrokerProcess): Promise<void> {
  const admin = new Kafka({ brokers: [b.bootstrap], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: [{ topic: "cached", numPartitions: 1 }] });
    assert.ok((await admin.listTopics()).includes("cached"));
  } finally {
    await admin.disconnect();
  }
}

/**
 * One start on `node` with `env`: it serves, then `whileRunning` (when given) runs before it
 * is stopped; resolves with the ready line's codeCache state.
 */
async function startAndServe(
  node: string,
  env: Record<string, string>,
  whileRunning?: (b: BrokerProcess) => Promise<void>,
): Promise<string> {
  const b = await startBroker({ node, env });
  dirs.push(b.dataDir);
  try {
    await servesTopics(b);
    const state = await codeCacheState(b);
    await whileRunning?.(b);
    return state;
  } finally {
    assert.equal(await b.stop(), 0);
  }
}

/** Until `check` holds, for up to 15 s while `b` runs (the cache is written 2 s after ready). */
async function eventually(b: BrokerProcess, what: string, check: () => Promise<boolean>) {
  const deadline = Date.now() + 15_000;
  while (!(await check())) {
    assert.ok(Date.now() < deadline, `${what}: not within 15 s`);
    assert.ok(b.isAlive(), `${what}: the broker exited`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

for (const [name, node] of [
  ["Node 20", process.execPath],
  ["Node 22", node22()],
] as const) {
  describe(`code cache on ${name}`, () => {
    /** A fresh TMPDIR whose node-compile-cache folder a first start has filled. */
    async function filledCache(): Promise<{
      env: Record<string, string>;
      dir: string;
      file: string;
    }> {
      const tmp = await tempDir("logbook-code-cache-");
      dirs.push(tmp);
      const dir = join(tmp, "node-compile-cache");
      const env = { TMPDIR: tmp };
      const state = await startAndServe(node, env, (b) =>
        eventually(b, "the first cache written", async () => (await cacheFiles(dir)).length > 0),
      );
      assert.equal(state, "none");
      const [file, ...others] = await cacheFiles(dir);
      assert.deepEqual(others, []);
      assert.equal((await stat(file as string)).mode & 0o777, 0o600);
      return { env, dir, file: file as string };
    }

    test("the first start writes the cache and the next one is served from it, unchanged", async () => {
      const { env, dir, file } = await filledCache();
      const written = await stat(file);
      const state = await startAndServe(node, env, async () => {
        // Were a used cache written again, it would be 2 s after ready.
        await new Promise((r) => setTimeout(r, 3000));
      });
      assert.equal(state, "used");
      assert.equal(
        (await stat(file)).mtimeMs,
        written.mtimeMs,
        "a used cache is not written again",
      );
      assert.deepEqual(await cacheFiles(dir), [file]);
    });

    test("a damaged cache is not run: the start compiles as usual and writes a good one", async () => {
      const { env, file } = await filledCache();
      const good = await readFile(file);
      // Same length, bytes flipped from the middle on: run as it is, V8 aborts the process.
      const bad = Buffer.from(good);
      for (let i = bad.length >> 1; i < bad.length; i++) bad[i] = (bad[i] as number) ^ 0xa5;
      await writeFile(file, bad, { mode: 0o600 });
      const state = await startAndServe(node, env, (b) =>
        eventually(
          b,
          "the damaged cache replaced",
          async () => !(await readFile(file)).equals(bad),
        ),
      );
      assert.equal(state, "none");
      assert.equal(await startAndServe(node, env), "used");
    });

    test("a cache V8 refuses (made under other flags) is replaced", async () => {
      const { env, dir, file } = await filledCache();
      const flagged = { ...env, NODE_OPTIONS: "--max-semi-space-size=1" };
      // Starts with other Node options keep a cache of their own...
      await startAndServe(node, flagged, (b) =>
        eventually(b, "a second cache written", async () => (await cacheFiles(dir)).length === 2),
      );
      const other = (await cacheFiles(dir)).find((f) => f !== file) as string;
      assert.equal(await startAndServe(node, flagged), "used");
      assert.equal(await startAndServe(node, env), "used");
      // ...so that V8's own refusal is seen only when one is put in the other's place.
      await writeFile(other, await readFile(file), { mode: 0o600 });
      const state = await startAndServe(node, flagged, (b) =>
        eventually(b, "the refused cache replaced", async () => {
          const [a, c] = [await readFile(other), await readFile(file)];
          return !a.equals(c);
        }),
      );
      assert.equal(state, "rejected");
      assert.equal(await startAndServe(node, flagged), "used");
    });

    test("a cache file others may write is not trusted, and is replaced by a private one", async () => {
      const { env, file } = await filledCache();
      await chmod(file, 0o666);
      const before = await stat(file);
      const state = await startAndServe(node, env, (b) =>
        eventually(
          b,
          "the untrusted cache replaced",
          async () => (await stat(file)).ino !== before.ino,
        ),
      );
      assert.equal(state, "none");
      assert.equal((await stat(file)).mode & 0o777, 0o600);
      assert.equal(await startAndServe(node, env), "used");
    });

    test("NODE_DISABLE_COMPILE_CACHE=1 turns it off: nothing read, nothing written", async () => {
      const tmp = await tempDir("logbook-code-cache-");
      dirs.push(tmp);
      const env = { TMPDIR: tmp, NODE_DISABLE_COMPILE_CACHE: "1" };
      const state = await startAndServe(node, env, async () => {
        await new Promise((r) => setTimeout(r, 3000));
      });
      assert.equal(state, "off");
      assert.deepEqual(await cacheFiles(join(tmp, "node-compile-cache")), []);
    });
  });
}
