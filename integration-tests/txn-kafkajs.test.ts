/**
 * Transactions with kafkajs 2.2.4 against a real `logbook start` process: commit and
 * abort (with sendOffsets) seen through read_committed and read_uncommitted consumers and
 * the group's committed offsets; a consume-transform-produce loop that stays exactly-once
 * across a broker restart in the middle; a transactional producer SIGKILLed mid-
 * transaction, aborted by the broker after its transaction timeout without blocking a
 * read_committed consumer past it; and a zombie producer fenced by a newer one with the
 * same transactional id.
 */
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { test } from "node:test";
import { type Consumer, Kafka, logLevel, type Producer } from "kafkajs";
import { type BrokerProcess, removeDir, startBroker, tempDir } from "./helpers/broker-process.js";
import {
  createTopic,
  FAST_CONSUMER,
  GROUP_BROKER,
  JsonLinesProcess,
  waitFor,
} from "./helpers/groups.js";

function client(bootstrap: string): Kafka {
  return new Kafka({
    clientId: "txn-it",
    brokers: [bootstrap],
    logLevel: logLevel.NOTHING,
    retry: { retries: 20, initialRetryTime: 100, maxRetryTime: 1000 },
  });
}

function txnProducer(kafka: Kafka, transactionalId: string, transactionTimeout = 30_000): Producer {
  return kafka.producer({
    transactionalId,
    idempotent: true,
    maxInFlightRequests: 1,
    transactionTimeout,
  });
}

/** Reads `topic` from the start with its own group; returns the values seen so far. */
async function reader(
  kafka: Kafka,
  topic: string,
  readCommitted: boolean,
  cleanup: Consumer[],
): Promise<string[]> {
  const seen: string[] = [];
  const c = kafka.consumer({
    groupId: `reader-${topic}-${readCommitted ? "rc" : "ru"}-${cleanup.length}`,
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

async function committedOffsets(kafka: Kafka, groupId: string, topic: string): Promise<number[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const r = await admin.fetchOffsets({ groupId, topics: [topic] });
    const parts = r.find((t) => t.topic === topic)?.partitions ?? [];
    return [...parts].sort((a, b) => a.partition - b.partition).map((p) => Number(p.offset));
  } finally {
    await admin.disconnect();
  }
}

async function withBroker(
  body: (broker: BrokerProcess, kafka: Kafka, cleanup: Consumer[]) => Promise<void>,
) {
  const broker = await startBroker(GROUP_BROKER);
  const cleanup: Consumer[] = [];
  try {
    await body(broker, client(broker.bootstrap), cleanup);
  } finally {
    await Promise.allSettled(cleanup.map((c) => c.disconnect()));
    if (broker.isAlive()) assert.equal(await broker.stop(), 0, broker.stderr());
    await removeDir(broker.dataDir);
  }
}

test("kafkajs: committed transaction visible to read_committed with its offsets; aborted one only to read_uncommitted", async () => {
  await withBroker(async (_broker, kafka, cleanup) => {
    await createTopic(kafka, "txn-out", 2);
    await createTopic(kafka, "txn-in", 1);
    const producer = txnProducer(kafka, "tx-basic");
    await producer.connect();
    try {
      const t1 = await producer.transaction();
      await t1.send({
        topic: "txn-out",
        messages: [0, 1, 2, 3].map((i) => ({ partition: i % 2, value: `committed-${i}` })),
      });
      await t1.sendOffsets({
        consumerGroupId: "g-basic",
        topics: [{ topic: "txn-in", partitions: [{ partition: 0, offset: "5" }] }],
      });
      await t1.commit();
      assert.deepEqual(await committedOffsets(kafka, "g-basic", "txn-in"), [5]);

      const t2 = await producer.transaction();
      await t2.send({
        topic: "txn-out",
        messages: [0, 1, 2].map((i) => ({ partition: i % 2, value: `aborted-${i}` })),
      });
      await t2.sendOffsets({
        consumerGroupId: "g-basic",
        topics: [{ topic: "txn-in", partitions: [{ partition: 0, offset: "9" }] }],
      });
      await t2.abort();
      assert.deepEqual(
        await committedOffsets(kafka, "g-basic", "txn-in"),
        [5],
        "the aborted transaction's offsets were dropped",
      );

      const t3 = await producer.transaction();
      await t3.send({ topic: "txn-out", messages: [{ partition: 0, value: "committed-last" }] });
      await t3.commit();
    } finally {
      await producer.disconnect();
    }

    const committed = await reader(kafka, "txn-out", true, cleanup);
    const all = await reader(kafka, "txn-out", false, cleanup);
    await waitFor(
      "read_uncommitted to see all 8 records",
      () => all.length >= 8,
      30_000,
      () => all,
    );
    await waitFor("read_committed to reach the last committed record", () =>
      committed.includes("committed-last"),
    );
    assert.deepEqual([...committed].sort(), [
      "committed-0",
      "committed-1",
      "committed-2",
      "committed-3",
      "committed-last",
    ]);
    assert.equal(all.filter((v) => v.startsWith("aborted-")).length, 3);
  });
});

test("kafkajs: a zombie producer is fenced by a newer one with the same transactional id", async () => {
  await withBroker(async (_broker, kafka, cleanup) => {
    await createTopic(kafka, "txn-zombie", 1);
    const zombie = txnProducer(kafka, "tx-zombie");
    const fresh = txnProducer(kafka, "tx-zombie");
    await zombie.connect();
    try {
      const old = await zombie.transaction();
      await old.send({ topic: "txn-zombie", messages: [{ value: "zombie-1" }] });
      await fresh.connect();
      // The new producer's InitProducerId bumped the epoch (aborting the zombie's transaction).
      const t = await fresh.transaction();
      await t.send({ topic: "txn-zombie", messages: [{ value: "fresh-1" }] });
      await t.commit();
      const fenced = await old
        .send({ topic: "txn-zombie", messages: [{ value: "zombie-2" }] })
        .then(() => old.commit())
        .then(
          () => null,
          (e: unknown) => e,
        );
      assert.ok(fenced instanceof Error, "the zombie's send or commit must fail");
      const text = `${fenced.name} ${fenced.message} ${String((fenced as { type?: unknown }).type)}`;
      assert.match(text, /fenced|epoch/i, `fencing error expected, got: ${text}`);
    } finally {
      await Promise.allSettled([zombie.disconnect(), fresh.disconnect()]);
    }
    const committed = await reader(kafka, "txn-zombie", true, cleanup);
    await waitFor("read_committed to see fresh-1", () => committed.includes("fresh-1"));
    assert.deepEqual(committed, ["fresh-1"], "nothing of the zombie is visible");
  });
});

const KILLED_PRODUCER = `
const { Kafka, logLevel } = require(process.argv[1]);
const [bootstrap, topic] = process.argv.slice(2);
const kafka = new Kafka({ clientId: "doomed", brokers: [bootstrap], logLevel: logLevel.NOTHING });
const p = kafka.producer({ transactionalId: "tx-doomed", idempotent: true, maxInFlightRequests: 1, transactionTimeout: 2000 });
(async () => {
  await p.connect();
  const t = await p.transaction();
  await t.send({ topic, messages: [{ value: "doomed-1" }, { value: "doomed-2" }] });
  process.stdout.write(JSON.stringify({ event: "sent" }) + "\\n");
  setInterval(() => {}, 1000);
})().catch((e) => { process.stdout.write(JSON.stringify({ event: "error", error: String(e) }) + "\\n"); });
`;

test("kafkajs: a producer SIGKILLed mid-transaction is aborted after its timeout; read_committed is not blocked past it", async () => {
  await withBroker(async (_broker, kafka, cleanup) => {
    await createTopic(kafka, "txn-killed", 1);
    const kafkajsPath = createRequire(import.meta.url).resolve("kafkajs");
    const child = new JsonLinesProcess("doomed producer", process.execPath, [
      "-e",
      KILLED_PRODUCER,
      kafkajsPath,
      _broker.bootstrap,
      "txn-killed",
    ]);
    try {
      await child.waitLine("sent", (l) => l.event === "sent");
      child.kill("SIGKILL");
      await child.exited;
    } finally {
      child.kill();
    }
    // After the open transaction: a plain record, and a committed transactional one.
    const plain = kafka.producer();
    await plain.connect();
    await plain.send({ topic: "txn-killed", messages: [{ value: "after-1" }] });
    await plain.disconnect();
    const producer = txnProducer(kafka, "tx-after");
    await producer.connect();
    const t = await producer.transaction();
    await t.send({ topic: "txn-killed", messages: [{ value: "after-2" }] });
    await t.commit();
    await producer.disconnect();

    const committed = await reader(kafka, "txn-killed", true, cleanup);
    const all = await reader(kafka, "txn-killed", false, cleanup);
    // The guard covers the 2 s timeout plus the broker's periodic check of open transactions.
    await waitFor(
      "read_committed to get past the killed transaction",
      () => committed.includes("after-2"),
      60_000,
      () => ({ committed, all }),
    );
    assert.deepEqual(committed, ["after-1", "after-2"]);
    await waitFor("read_uncommitted to see the doomed records too", () => all.length >= 4);
    assert.deepEqual(all.slice(0, 2), ["doomed-1", "doomed-2"]);
  });
});

test("kafkajs: consume-transform-produce is exactly-once across a broker restart in the middle", async () => {
  const dataDir = await tempDir();
  let broker = await startBroker({ ...GROUP_BROKER, dataDir });
  const port = broker.port;
  const kafka = client(broker.bootstrap);
  const cleanup: Consumer[] = [];
  const INPUT = 60;
  let processed = 0;
  let waitingForRestart = false;
  const restartHere = () => {
    waitingForRestart = true;
  };
  let reopened: () => void = () => {};
  const restarted = new Promise<void>((resolve) => {
    reopened = resolve;
  });
  let consumer: Consumer | null = null;
  let producer: Producer | null = null;
  try {
    await createTopic(kafka, "ctp-in", 2);
    await createTopic(kafka, "ctp-out", 2);
    const plain = kafka.producer();
    await plain.connect();
    await plain.send({
      topic: "ctp-in",
      messages: Array.from({ length: INPUT }, (_, i) => ({ partition: i % 2, value: `in-${i}` })),
    });
    await plain.disconnect();

    producer = txnProducer(kafka, "tx-ctp");
    await producer.connect();
    const p = producer;
    consumer = kafka.consumer({ groupId: "g-ctp", ...FAST_CONSUMER, maxBytesPerPartition: 200 });
    await consumer.connect();
    await consumer.subscribe({ topic: "ctp-in", fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch, resolveOffset }) => {
        // Small transactions, so the restart lands between some and inside others.
        for (const m of batch.messages.slice(0, 5)) {
          const t = await p.transaction();
          try {
            await t.send({
              topic: "ctp-out",
              messages: [{ partition: batch.partition, value: `out-${m.value?.toString()}` }],
            });
            await t.sendOffsets({
              consumerGroupId: "g-ctp",
              topics: [
                {
                  topic: batch.topic,
                  partitions: [
                    { partition: batch.partition, offset: String(Number(m.offset) + 1) },
                  ],
                },
              ],
            });
            // One transaction waits, open, for the broker to restart under it.
            if (processed === INPUT / 3) {
              restartHere();
              await restarted;
            }
            await t.commit();
          } catch (e) {
            await t.abort().catch(() => {});
            // The consumer restarts from the committed offsets.
            throw e;
          }
          resolveOffset(m.offset);
          processed++;
        }
      },
    });
    await waitFor(
      "a transaction to wait open after a third of the input",
      () => waitingForRestart,
      60_000,
      () => processed,
    );
    assert.equal(processed, INPUT / 3);
    assert.equal(await broker.stop(), 0, broker.stderr());
    broker = await startBroker({ ...GROUP_BROKER, dataDir, port });
    reopened();

    const out = await reader(kafka, "ctp-out", true, cleanup);
    await waitFor(
      "every input record transformed",
      () => new Set(out).size >= INPUT,
      90_000,
      () => ({ processed, out: out.length }),
    );
    await consumer.disconnect();
    consumer = null;
    await producer.disconnect();
    producer = null;
    assert.deepEqual(await committedOffsets(kafka, "g-ctp", "ctp-in"), [INPUT / 2, INPUT / 2]);
    const expected = Array.from({ length: INPUT }, (_, i) => `out-in-${i}`).sort();
    assert.deepEqual([...out].sort(), expected, "each input exactly once in read_committed output");
  } finally {
    await Promise.allSettled([
      consumer?.disconnect(),
      producer?.disconnect(),
      ...cleanup.map((c) => c.disconnect()),
    ]);
    if (broker.isAlive()) assert.equal(await broker.stop(), 0, broker.stderr());
    await removeDir(dataDir);
  }
});
