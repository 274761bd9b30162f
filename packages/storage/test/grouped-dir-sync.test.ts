/**
 * Directory fsyncs requested while one runs share the next one (env/grouped-dir-sync.ts),
 * and never the one already running; a failure reaches every request that shared it.
 * On the in-memory Fs, partitions opened together by the disk engine survive a power
 * cut with fewer syncs of the data directory than partitions.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { DEFAULT_LOG_CONFIG } from "../src/config.js";
import { partitionDirName } from "../src/disk/layout.js";
import { openStorageEngine } from "../src/engines.js";
import { forwardFs } from "../src/env/forward-fs.js";
import type { Fs } from "../src/env/fs.js";
import { withGroupedDirSync } from "../src/env/grouped-dir-sync.js";
import { ManualClock } from "../src/env/manual-clock.js";
import { MemoryFs } from "../src/env/memory-fs.js";

/** An Fs whose directory syncs wait until the test lets them finish, one at a time. */
function gatedSyncs(inner: Fs) {
  const started: { path: string; finish: (error?: Error) => void }[] = [];
  const fs = forwardFs(inner, {
    syncDir: (path) =>
      new Promise<void>((resolve, reject) => {
        started.push({
          path,
          finish: (error) => (error === undefined ? resolve() : reject(error)),
        });
      }),
  });
  return { fs, started };
}

const settled = () => new Promise((r) => setImmediate(r));

/** Resolves to what a promise did so far: "pending", "done" or the error message. */
function watch(p: Promise<void>): () => string {
  let state = "pending";
  p.then(
    () => {
      state = "done";
    },
    (e: Error) => {
      state = e.message;
    },
  );
  return () => state;
}

test("requests during a running sync share the next one, not the running one", async () => {
  const { fs: inner, started } = gatedSyncs(new MemoryFs());
  const fs = withGroupedDirSync(inner);
  const first = watch(fs.syncDir("/d"));
  await settled();
  const later = Array.from({ length: 50 }, () => watch(fs.syncDir("/d")));
  await settled();
  assert.equal(started.length, 1, "one sync runs; the 50 wait for the next");
  started[0]?.finish();
  await settled();
  assert.equal(first(), "done");
  assert.deepEqual(new Set(later.map((w) => w())), new Set(["pending"]));
  assert.equal(started.length, 2, "the 50 share one sync started after the first ended");
  started[1]?.finish();
  await settled();
  assert.deepEqual(new Set(later.map((w) => w())), new Set(["done"]));
  // Idle again: the next request starts a sync of its own at once.
  const again = watch(fs.syncDir("/d"));
  await settled();
  assert.equal(started.length, 3);
  started[2]?.finish();
  await settled();
  assert.equal(again(), "done");
});

test("directories are synced independently", async () => {
  const { fs: inner, started } = gatedSyncs(new MemoryFs());
  const fs = withGroupedDirSync(inner);
  const a = watch(fs.syncDir("/a"));
  const b = watch(fs.syncDir("/b"));
  await settled();
  assert.deepEqual(
    started.map((s) => s.path),
    ["/a", "/b"],
  );
  started[1]?.finish();
  await settled();
  assert.equal(a(), "pending");
  assert.equal(b(), "done");
  started[0]?.finish();
  await settled();
  assert.equal(a(), "done");
});

test("a failed sync fails every request that shared it; the next request syncs again", async () => {
  const { fs: inner, started } = gatedSyncs(new MemoryFs());
  const fs = withGroupedDirSync(inner);
  const first = watch(fs.syncDir("/d"));
  await settled();
  const shared = [watch(fs.syncDir("/d")), watch(fs.syncDir("/d"))];
  await settled();
  started[0]?.finish(new Error("EIO first"));
  await settled();
  assert.equal(first(), "EIO first");
  assert.equal(started.length, 2, "the queued requests still get a sync of their own");
  started[1]?.finish(new Error("EIO second"));
  await settled();
  assert.deepEqual(
    shared.map((w) => w()),
    ["EIO second", "EIO second"],
  );
  const after = watch(fs.syncDir("/d"));
  await settled();
  started[2]?.finish();
  await settled();
  assert.equal(after(), "done");
});

test("property: every request is covered by a sync that started after it", async () => {
  await fc.assert(
    fc.asyncProperty(
      // Each step: request a sync of one of three directories, or finish the oldest running sync.
      fc.array(fc.oneof(fc.constantFrom("/a", "/b", "/c"), fc.constant("finish")), {
        maxLength: 60,
      }),
      async (steps) => {
        const { fs: inner, started } = gatedSyncs(new MemoryFs());
        const fs = withGroupedDirSync(inner);
        let finished = 0;
        const requests: { path: string; at: number; state: () => string }[] = [];
        for (const step of steps) {
          if (step === "finish") {
            if (finished < started.length) started[finished++]?.finish();
          } else {
            requests.push({ path: step, at: started.length, state: watch(fs.syncDir(step)) });
          }
          await settled();
        }
        while (finished < started.length) {
          started[finished++]?.finish();
          await settled();
        }
        for (const r of requests) {
          assert.equal(r.state(), "done");
          // A sync of its directory started at or after the request (index >= at).
          assert.ok(started.slice(r.at).some((s) => s.path === r.path));
        }
        // Never two syncs of one directory at once, and never more than requests.
        assert.ok(started.length <= requests.length);
      },
    ),
    { numRuns: 200 },
  );
});

test("partitions opened together survive a power cut with fewer data-directory syncs", async () => {
  const mem = new MemoryFs();
  await mem.mkdir("/data");
  await mem.syncDir("/");
  let dataDirSyncs = 0;
  const counting = forwardFs(mem, {
    syncDir: async (path) => {
      if (path === "/data") dataDirSyncs++;
      // A real fsync takes a while: let the other opens catch up meanwhile.
      await settled();
      return mem.syncDir(path);
    },
  });
  const clock = new ManualClock();
  const engine = await openStorageEngine("file:///data", { fs: counting, clock });
  const config = DEFAULT_LOG_CONFIG;
  const partitions = 40;
  const before = dataDirSyncs;
  const logs = await Promise.all(
    Array.from({ length: partitions }, (_, partition) =>
      engine.open({ topic: "t", partition }, config),
    ),
  );
  assert.equal(logs.length, partitions);
  const used = dataDirSyncs - before;
  assert.ok(used >= 1 && used < partitions / 4, `${used} data-directory syncs`);
  mem.powerCut();
  const names = await mem.readdir("/data");
  for (let partition = 0; partition < partitions; partition++) {
    const dir = partitionDirName("t", partition);
    assert.ok(names.includes(dir), `${dir} survived`);
    assert.ok((await mem.readdir(`/data/${dir}`)).some((n) => n.endsWith(".log")));
  }
});
