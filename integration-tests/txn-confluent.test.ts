/**
 * Transactions with librdkafka 2.0.2 (Debian's python3-confluent-kafka, driven by
 * integration-tests/python/txn_confluent.py) against a real `logbook start`:
 * init_transactions, begin_transaction, produce, send_offsets_to_transaction (with the
 * consumer's group metadata), commit_transaction and abort_transaction, checked with
 * kafkajs read_committed and read_uncommitted consumers and the group's committed
 * offset; and a zombie producer fenced by a second init_transactions.
 */
import assert from "node:assert/strict";
import { before, test } from "node:test";
import { type Consumer, Kafka, logLevel } from "kafkajs";
import { type BrokerProcess, removeDir, startBroker } from "./helpers/broker-process.js";
import {
  createTopic,
  FAST_CONSUMER,
  GROUP_BROKER,
  requirePythonModule,
  runPython,
  waitFor,
} from "./helpers/groups.js";

before(() => requirePythonModule("confluent_kafka"));

async function withBroker(
  body: (broker: BrokerProcess, kafka: Kafka, cleanup: Consumer[]) => Promise<void>,
) {
  const broker = await startBroker(GROUP_BROKER);
  const kafka = new Kafka({
    clientId: "txn-confluent-it",
    brokers: [broker.bootstrap],
    logLevel: logLevel.NOTHING,
  });
  const cleanup: Consumer[] = [];
  try {
    await body(broker, kafka, cleanup);
  } finally {
    await Promise.allSettled(cleanup.map((c) => c.disconnect()));
    if (broker.isAlive()) assert.equal(await broker.stop(), 0, broker.stderr());
    await removeDir(broker.dataDir);
  }
}

async function reader(kafka: Kafka, topic: string, readCommitted: boolean, cleanup: Consumer[]) {
  const seen: string[] = [];
  const c = kafka.consumer({
    groupId: `reader-${topic}-${readCommitted ? "rc" : "ru"}`,
    readUncommitted: !readCommitted,
    ...FAST_CONSUMER,
  });
  cleanup.push(c);
  await c.connect();
  await c.subscribe({ topic, fromBeginning: true });
  await c.run({
    eachMessage: async ({ message }) => {
      seen.push(message.value?.toString() ?? "");
    },
  });
  return seen;
}

test("confluent-kafka: send_offsets_to_transaction + commit is visible to read_committed; abort only to read_uncommitted", async () => {
  await withBroker(async (broker, kafka, cleanup) => {
    await createTopic(kafka, "py-in", 1);
    await createTopic(kafka, "py-out", 1);
    const plain = kafka.producer();
    await plain.connect();
    await plain.send({ topic: "py-in", messages: [0, 1, 2, 3].map((i) => ({ value: `v${i}` })) });
    await plain.disconnect();

    const lines = await runPython("txn_confluent.py", [
      "commit-abort",
      broker.bootstrap,
      "py-in",
      "py-out",
      "py-group",
      "4",
    ]);
    const event = (name: string) => lines.find((l) => l.event === name);
    assert.equal(event("committed")?.offset, 4, "committed offsets are the consumer's positions");
    assert.equal(event("aborted")?.offset, 4, "the aborted transaction's offsets were dropped");

    const committed = await reader(kafka, "py-out", true, cleanup);
    const all = await reader(kafka, "py-out", false, cleanup);
    await waitFor(
      "read_uncommitted to see all 8 records",
      () => all.length >= 8,
      30_000,
      () => all,
    );
    await waitFor("read_committed to see the committed records", () => committed.length >= 4);
    assert.deepEqual(committed, ["c-v0", "c-v1", "c-v2", "c-v3"]);
    assert.deepEqual(all, ["c-v0", "c-v1", "c-v2", "c-v3", "a-v0", "a-v1", "a-v2", "a-v3"]);

    const admin = kafka.admin();
    await admin.connect();
    try {
      const r = await admin.fetchOffsets({ groupId: "py-group", topics: ["py-in"] });
      assert.equal(r[0]?.partitions[0]?.offset, "4");
    } finally {
      await admin.disconnect();
    }
  });
});

test("confluent-kafka: a zombie producer is fenced by a second init_transactions with the same id", async () => {
  await withBroker(async (broker, kafka, cleanup) => {
    await createTopic(kafka, "py-zombie", 1);
    const lines = await runPython("txn_confluent.py", ["fence", broker.bootstrap, "py-zombie"]);
    const fenced = lines.find((l) => l.event === "zombie-fenced");
    assert.ok(fenced, `the zombie must fail: ${JSON.stringify(lines)}`);
    assert.match(String(fenced.name), /FENCED|EPOCH/, JSON.stringify(fenced));
    assert.ok(lines.some((l) => l.event === "fresh-committed"));

    const committed = await reader(kafka, "py-zombie", true, cleanup);
    await waitFor("read_committed to see the fresh producer's record", () =>
      committed.includes("fresh"),
    );
    assert.deepEqual(committed, ["fresh"], "nothing of the zombie is visible");
  });
});
