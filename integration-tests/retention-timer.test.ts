/**
 * log.retention.check.interval.ms drives the storage maintenance timer of a real
 * `logbook start`: with it short, time retention deletes old segments (the log start
 * moves) and compaction removes overwritten keys and tombstones, without any request
 * asking for it.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { Kafka, logLevel } from "kafkajs";
import { type BrokerProcess, removeDir, startBroker } from "./helpers/broker-process.js";
import { waitFor } from "./helpers/groups.js";
import { fetchAll } from "./helpers/wire-data.js";

let broker: BrokerProcess;
let kafka: Kafka;

before(async () => {
  broker = await startBroker({ args: ["-o", "log.retention.check.interval.ms=200"] });
  kafka = new Kafka({
    clientId: "retention-it",
    brokers: [broker.bootstrap],
    logLevel: logLevel.NOTHING,
  });
});
after(async () => {
  if (broker.isAlive()) assert.equal(await broker.stop(), 0, broker.stderr());
  await removeDir(broker.dataDir);
});

/** 8 KiB values: two records fill a 16 KiB segment, so each send rolls one. */
const big = (i: number) => ({ key: `k${i % 4}`, value: `${i}:`.padEnd(8192, "x") });

async function createTopic(topic: string, configEntries: { name: string; value: string }[]) {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({
      topics: [
        {
          topic,
          numPartitions: 1,
          configEntries: [{ name: "segment.bytes", value: "16384" }, ...configEntries],
        },
      ],
    });
  } finally {
    await admin.disconnect();
  }
}

async function earliest(topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return Number(offsets[0]?.low ?? -1);
  } finally {
    await admin.disconnect();
  }
}

test("time retention deletes expired segments on the broker's timer", async () => {
  await createTopic("expiring", [{ name: "retention.ms", value: "1000" }]);
  const producer = kafka.producer();
  await producer.connect();
  for (let i = 0; i < 12; i++) await producer.send({ topic: "expiring", messages: [big(i)] });
  await producer.disconnect();
  assert.equal(await earliest("expiring"), 0);
  let low = 0;
  await waitFor(
    "the log start to move past the expired segments",
    async () => {
      low = await earliest("expiring");
      return low >= 10;
    },
    20_000,
    () => low,
  );
  const { records } = await fetchAll(broker.port, "expiring", 0, BigInt(low));
  assert.ok(records.length >= 1, "the active segment stays");
  assert.equal(records[0]?.offset, BigInt(low));
});

test("compaction keeps the latest value per key and drops tombstones on the broker's timer", async () => {
  await createTopic("compacted", [
    { name: "cleanup.policy", value: "compact" },
    { name: "min.cleanable.dirty.ratio", value: "0.01" },
    { name: "delete.retention.ms", value: "0" },
    { name: "min.compaction.lag.ms", value: "0" },
  ]);
  const producer = kafka.producer();
  await producer.connect();
  for (let i = 0; i < 16; i++) await producer.send({ topic: "compacted", messages: [big(i)] });
  await producer.send({ topic: "compacted", messages: [{ key: "k0", value: null }] });
  // Roll past the tombstone so the segment holding it can be cleaned too.
  for (let i = 1; i < 4; i++) {
    await producer.send({ topic: "compacted", messages: [{ key: `k${i}`, value: `last-${i}` }] });
  }
  for (let i = 0; i < 4; i++) {
    await producer.send({ topic: "compacted", messages: [{ key: "roll", value: big(i).value }] });
  }
  await producer.disconnect();
  // The timer may already have cleaned part of it: wait for the end state, whatever came first.
  const count = (keys: (string | null)[], k: string) => keys.filter((x) => x === k).length;
  let keys: (string | null)[] = [];
  await waitFor(
    "the cleaner to leave one record per key and no tombstone",
    async () => {
      keys = (await fetchAll(broker.port, "compacted", 0)).records.map((r) => r.key);
      return count(keys, "k0") === 0 && ["k1", "k2", "k3"].every((k) => count(keys, k) === 1);
    },
    20_000,
    () => keys,
  );
  const { records, highWatermark } = await fetchAll(broker.port, "compacted", 0);
  assert.equal(highWatermark, 24n, "compaction keeps the offsets");
  const latest = new Map<string, string>();
  for (const r of records) latest.set(r.key ?? "", r.value ?? "null");
  for (let i = 1; i < 4; i++) assert.equal(latest.get(`k${i}`), `last-${i}`);
  const offsets = records.map((r) => r.offset);
  assert.deepEqual(
    offsets,
    [...offsets].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)),
    "offsets keep their order",
  );
});
