/** Internal compacted logs: append key/value records, replay them in order after a restart. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { openStorageEngine } from "../src/engines.js";
import { InternalLog, type KeyValueRecord } from "../src/internal-log.js";
import { makeTempDir } from "./helpers/temp-dir.js";

test("records appended to an internal log replay in order after a restart", async () => {
  const tmp = await makeTempDir();
  let engine = await openStorageEngine(tmp.path);
  let log = await InternalLog.open(engine, "__state");
  await log.append([
    { key: Buffer.from("a"), value: Buffer.from("1") },
    { key: Buffer.from("b"), value: Buffer.from("2") },
  ]);
  await log.append([{ key: Buffer.from("a"), value: null }]);
  await log.append([]);
  assert.equal(
    log.log.config.flushMessages,
    1,
    "internal state is fsynced before it is acknowledged",
  );
  await engine.close();

  engine = await openStorageEngine(tmp.path);
  log = await InternalLog.open(engine, "__state");
  const seen: [string, string | null, number][] = [];
  const n = await log.replay((r: KeyValueRecord, offset) =>
    seen.push([r.key.toString(), r.value?.toString() ?? null, offset]),
  );
  assert.equal(n, 3);
  assert.deepEqual(seen, [
    ["a", "1", 0],
    ["b", "2", 1],
    ["a", null, 2],
  ]);
  await engine.close();
  await tmp.cleanup();
});
