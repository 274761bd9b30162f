/**
 * `logbook` (bundle/logbook.js) turns on Node's compile cache where Node has one (22.1 and
 * later) before the bundle is compiled, and the broker writes the cache a moment after
 * start-up, so that the next start skips most of compiling the bundle
 * (docs/performance.md, "Start-up and footprint"). Node 22 here is the one the tests use
 * for clients that need it; on Node 20 the same launcher changes nothing, which every
 * other test of the CLI exercises.
 */
import assert from "node:assert/strict";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { after, test } from "node:test";
import { Kafka, logLevel } from "kafkajs";
import { removeDir, startBroker, tempDir } from "./helpers/broker-process.js";
import { node22 } from "./helpers/node22.js";

const dirs: string[] = [];
after(async () => {
  for (const d of dirs) await removeDir(d);
});

/** Every file under `dir`, recursively (the cache keeps a folder per Node version). */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => e.name);
}

async function topicsOf(bootstrap: string): Promise<string[]> {
  const admin = new Kafka({ brokers: [bootstrap], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: [{ topic: "cached", numPartitions: 1 }] });
    return await admin.listTopics();
  } finally {
    await admin.disconnect();
  }
}

test("on Node 22 a start fills the compile cache, and a start from the filled cache serves", async () => {
  // Not NODE_COMPILE_CACHE, which turns the cache on by itself: the launcher's default
  // place, os.tmpdir()/node-compile-cache, moved into a fresh TMPDIR.
  const tmp = await tempDir("logbook-compile-cache-");
  dirs.push(tmp);
  const cache = join(tmp, "node-compile-cache");
  const env = { TMPDIR: tmp };
  const first = await startBroker({ node: node22(), env });
  dirs.push(first.dataDir);
  try {
    assert.ok((await topicsOf(first.bootstrap)).includes("cached"));
    // Written about 2 s after the ready line, while the broker runs on.
    const deadline = Date.now() + 15_000;
    while ((await filesUnder(cache)).length === 0) {
      assert.ok(Date.now() < deadline, "no compile cache written within 15 s of start-up");
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.ok(first.isAlive());
  } finally {
    await first.stop();
  }
  const written = await filesUnder(cache);

  const second = await startBroker({ node: node22(), env, dataDir: first.dataDir });
  try {
    assert.ok((await topicsOf(second.bootstrap)).includes("cached"));
  } finally {
    await second.stop();
  }
  // The same bundle: its entries are reused, not written again under other names.
  assert.deepEqual((await filesUnder(cache)).sort(), written.sort());
});
