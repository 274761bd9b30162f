/**
 * One process per data directory, as Kafka locks each log directory: a second
 * `logbook start` on a directory in use refuses to start, naming the directory and the
 * process that holds it, and the first keeps every acknowledged record. Before the lock,
 * both started, assigned the same offsets and overwrote each other's records. A
 * SIGKILLed holder leaves no stale lock behind.
 */
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { Kafka, logLevel } from "kafkajs";
import { removeDir, startBroker, tempDir } from "./helpers/broker-process.js";
import { fetchAll } from "./helpers/wire-data.js";

let dir: string;
after(async () => {
  if (dir !== undefined) await removeDir(dir);
});

async function produce(bootstrap: string, topic: string, values: string[]): Promise<void> {
  const kafka = new Kafka({
    clientId: "lock-it",
    brokers: [bootstrap],
    logLevel: logLevel.NOTHING,
  });
  const producer = kafka.producer({ allowAutoTopicCreation: true });
  await producer.connect();
  try {
    for (const value of values) await producer.send({ topic, acks: -1, messages: [{ value }] });
  } finally {
    await producer.disconnect();
  }
}

test("a second broker on a data directory in use refuses to start; nothing is overwritten", async () => {
  dir = await tempDir("logbook-lock-");
  const first = await startBroker({ dataDir: dir });
  try {
    await produce(first.bootstrap, "events", ["a-0", "a-1", "a-2"]);
    const refusal = await startBroker({ dataDir: dir }).then(
      async (second) => {
        await second.stop();
        return null;
      },
      (e: Error) => e,
    );
    assert.ok(refusal !== null, "a second broker started on a data directory in use");
    assert.match(refusal.message, /exited \(1\) before ready/);
    assert.match(refusal.message, new RegExp(`data directory ${dir} is in use`));
    assert.match(refusal.message, new RegExp(`pid ${first.pid}\\b`), "names the holder");
    // The first broker never noticed and keeps every acknowledged record.
    await produce(first.bootstrap, "events", ["a-3"]);
    const stored = await fetchAll(first.port, "events", 0);
    assert.deepEqual(
      stored.records.map((r) => [Number(r.offset), r.value]),
      [
        [0, "a-0"],
        [1, "a-1"],
        [2, "a-2"],
        [3, "a-3"],
      ],
    );
  } finally {
    if (first.isAlive()) assert.equal(await first.stop(), 0, first.stderr());
  }
});

test("a SIGKILLed broker leaves no stale lock: the next start on its directory works", async () => {
  const victim = await startBroker({ dataDir: dir });
  await produce(victim.bootstrap, "events", ["b-0"]);
  process.kill(victim.pid, "SIGKILL");
  await victim.exited;
  const next = await startBroker({ dataDir: dir });
  try {
    const stored = await fetchAll(next.port, "events", 0);
    assert.deepEqual(
      stored.records.map((r) => r.value),
      ["a-0", "a-1", "a-2", "a-3", "b-0"],
    );
  } finally {
    assert.equal(await next.stop(), 0, next.stderr());
  }
});
