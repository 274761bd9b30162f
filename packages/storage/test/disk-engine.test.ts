/** The disk engine against the shared engine suite and the model, plus engine-level behaviour. */
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { logConfig } from "../src/config.js";
import { DiskEngine } from "../src/disk/disk-engine.js";
import { openStorageEngine } from "../src/engines.js";
import { MemoryEngine } from "../src/memory/index.js";
import { runEngineConformance } from "./engine-conformance.js";
import { makeBatchOfSize, T0 } from "./helpers/batches.js";
import { makeTempDir } from "./helpers/temp-dir.js";
import { checkModel } from "./model-check.js";

runEngineConformance("disk", async () => {
  const tmp = await makeTempDir();
  return {
    engine: await openStorageEngine(`file://${tmp.path}`),
    reopen: () => openStorageEngine(tmp.path),
    cleanup: tmp.cleanup,
  };
});

test("disk engine matches the reference log model over random command sequences", async () => {
  await checkModel(async () => {
    const tmp = await makeTempDir();
    const engine = await openStorageEngine(tmp.path);
    const log = await engine.open({ topic: "model", partition: 0 }, logConfig());
    return {
      log,
      cleanup: async () => {
        await engine.close();
        await tmp.cleanup();
      },
    };
  }, 60);
});

test("engines are chosen by URL scheme; a plain path means the disk engine", async () => {
  const tmp = await makeTempDir();
  const byPath = await openStorageEngine(join(tmp.path, "a"));
  assert.ok(byPath instanceof DiskEngine);
  assert.equal(byPath.url, `file://${join(tmp.path, "a")}`);
  const byUrl = await openStorageEngine(`file://${join(tmp.path, "b")}`);
  assert.ok(byUrl instanceof DiskEngine);
  assert.ok((await openStorageEngine("memory:")) instanceof MemoryEngine);
  await assert.rejects(
    openStorageEngine("s3://bucket/logs"),
    /no storage engine for "s3:" \(known: file:, memory:, postgres:, postgresql:\)/,
  );
  await byPath.close();
  await byUrl.close();
  await tmp.cleanup();
});

test("the engine runs retention over its open logs on a timer", async () => {
  const tmp = await makeTempDir();
  const engine = await openStorageEngine(tmp.path, { maintenanceIntervalMs: 20 });
  const log = await engine.open(
    { topic: "old", partition: 0 },
    logConfig({ segmentBytes: 500, retentionMs: 1000 }),
  );
  for (let i = 0; i < 4; i++) await log.append(await makeBatchOfSize(300, 1, T0));
  // The timer may fire between appends; wait until it has caught up with all of them.
  for (let tries = 0; log.logStartOffset < 3 && tries < 200; tries++)
    await new Promise((r) => setTimeout(r, 20));
  assert.equal(log.logStartOffset, 3, "segments older than retention.ms were deleted by the timer");
  await engine.close();
  await tmp.cleanup();
});
