/**
 * The topic registry runs its drop hook (the data plane deleting producer snapshots)
 * before a deleted topic's partitions are removed; should the hook fail, the partitions
 * stay, and creating the name again runs the hook for them first.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { openStorageEngine, silentLogger } from "@logbook/storage";
import { brokerConfig } from "../src/config.js";
import { openTopicRegistry } from "../src/metadata/index.js";

test("a failed drop hook keeps the partitions until the name is created again", async () => {
  const storage = await openStorageEngine("memory:", { logger: silentLogger });
  try {
    const topics = await openTopicRegistry(storage, brokerConfig({}), silentLogger);
    const calls: { topic: string; partitions: readonly number[] }[] = [];
    let fail = true;
    topics.onPartitionsDropped(async (topic, partitions) => {
      calls.push({ topic, partitions: [...partitions].sort() });
      if (fail) throw new Error("snapshot log unavailable");
    });
    const partitionsOf = async (topic: string) =>
      (await storage.list())
        .filter((tp) => tp.topic === topic)
        .map((tp) => tp.partition)
        .sort();

    assert.ok((await topics.create("t", 2, new Map())).ok);
    for (const p of [0, 1]) assert.ok((await topics.partition("t", p)) !== undefined);
    assert.deepEqual(await partitionsOf("t"), [0, 1], "both partitions opened");

    assert.deepEqual(await topics.deleteTopic("t"), { ok: true }, "the deletion stands");
    assert.deepEqual(calls, [{ topic: "t", partitions: [0, 1] }]);
    assert.deepEqual(await partitionsOf("t"), [0, 1], "kept for a later clean-up");

    fail = false;
    assert.ok((await topics.create("t", 1, new Map())).ok);
    assert.deepEqual(calls[1], { topic: "t", partitions: [0, 1] }, "run again for the leftovers");
    assert.deepEqual(await partitionsOf("t"), [], "then removed");

    assert.deepEqual(await topics.deleteTopic("t"), { ok: true });
    assert.equal(calls.length, 2, "nothing was opened: nothing to drop, no call");
  } finally {
    await storage.close();
  }
});
