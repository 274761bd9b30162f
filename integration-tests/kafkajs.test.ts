/**
 * kafkajs 2.2.4 against a real `logbook start` process: metadata, auto-create, admin,
 * keyed produce with headers, gzip, idempotence, large records, DeleteRecords, offsets
 * by timestamp, and a restart. kafkajs consumers need consumer groups, which do not
 * exist yet, so records are read back over the wire (Fetch v11).
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { CompressionTypes, Kafka, logLevel } from "kafkajs";
import { type BrokerProcess, removeDir, startBroker } from "./helpers/broker-process.js";
import { fetchAll } from "./helpers/wire-data.js";

let broker: BrokerProcess;
let kafka: Kafka;

function client(port: number): Kafka {
  return new Kafka({
    clientId: "logbook-it",
    brokers: [`127.0.0.1:${port}`],
    logLevel: logLevel.NOTHING,
    retry: { retries: 3, initialRetryTime: 50 },
  });
}

before(async () => {
  broker = await startBroker({ args: ["-o", "num.partitions=2"] });
  kafka = client(broker.port);
});
after(async () => {
  if (broker.isAlive()) assert.equal(await broker.stop(), 0);
  await removeDir(broker.dataDir);
});

test("metadata: one broker at the advertised address; auto-create uses num.partitions", async () => {
  const admin = kafka.admin();
  await admin.connect();
  const cluster = await admin.describeCluster();
  assert.equal(cluster.brokers.length, 1);
  assert.equal(cluster.brokers[0]?.port, broker.port);
  assert.equal(cluster.brokers[0]?.host, "127.0.0.1");
  const producer = kafka.producer({ allowAutoTopicCreation: true });
  await producer.connect();
  await producer.send({ topic: "auto-created", messages: [{ value: "hello" }] });
  await producer.disconnect();
  const md = await admin.fetchTopicMetadata({ topics: ["auto-created"] });
  assert.equal(md.topics[0]?.partitions.length, 2);
  await admin.disconnect();
});

test("admin: create, describe and alter configs, create partitions, delete", async () => {
  const admin = kafka.admin();
  await admin.connect();
  assert.equal(
    await admin.createTopics({
      topics: [
        {
          topic: "admin-t",
          numPartitions: 3,
          configEntries: [{ name: "retention.ms", value: "3600000" }],
        },
      ],
    }),
    true,
  );
  assert.ok((await admin.listTopics()).includes("admin-t"));
  const describe = async () => {
    const r = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: 2, name: "admin-t", configNames: ["retention.ms", "cleanup.policy"] }],
    });
    return Object.fromEntries(
      r.resources[0]?.configEntries.map((e) => [e.configName, e.configValue]) ?? [],
    );
  };
  assert.deepEqual(await describe(), { "retention.ms": "3600000", "cleanup.policy": "delete" });
  await admin.alterConfigs({
    validateOnly: false,
    resources: [
      { type: 2, name: "admin-t", configEntries: [{ name: "cleanup.policy", value: "compact" }] },
    ],
  });
  assert.equal((await describe())["cleanup.policy"], "compact");
  await admin.createPartitions({ topicPartitions: [{ topic: "admin-t", count: 5 }] });
  const md = await admin.fetchTopicMetadata({ topics: ["admin-t"] });
  assert.equal(md.topics[0]?.partitions.length, 5);
  await admin.deleteTopics({ topics: ["admin-t"] });
  assert.ok(!(await admin.listTopics()).includes("admin-t"));
  await admin.disconnect();
});

test("keyed produce with headers and gzip: same key -> same partition, order per partition", async () => {
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: "keyed", numPartitions: 4 }] });
  await admin.disconnect();
  const producer = kafka.producer();
  await producer.connect();
  const keys = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel"];
  for (let round = 0; round < 5; round++) {
    await producer.send({
      topic: "keyed",
      compression: round % 2 === 0 ? CompressionTypes.GZIP : CompressionTypes.None,
      messages: keys.map((k) => ({
        key: k,
        value: `${k}-${round}`,
        headers: { round: String(round), src: "kafkajs" },
      })),
    });
  }
  await producer.disconnect();
  const partitionOf = new Map<string, number>();
  let total = 0;
  const codecs = new Set<number>();
  for (let p = 0; p < 4; p++) {
    const { records } = await fetchAll(broker.port, "keyed", p);
    total += records.length;
    const rounds = new Map<string, number>();
    for (const r of records) {
      const key = r.key as string;
      assert.equal(partitionOf.get(key) ?? p, p, `key ${key} stays on one partition`);
      partitionOf.set(key, p);
      const round = Number(r.headers.round);
      assert.equal(r.value, `${key}-${round}`);
      assert.equal(r.headers.src, "kafkajs");
      assert.ok(round > (rounds.get(key) ?? -1), "order kept within the partition");
      rounds.set(key, round);
      codecs.add(r.compression);
    }
  }
  assert.equal(total, keys.length * 5);
  assert.ok(new Set(partitionOf.values()).size > 1, "keys spread over several partitions");
  assert.deepEqual([...codecs].sort(), [0, 1], "gzip batches stored as produced");
});

test("idempotent producer, a ~1 MB record, DeleteRecords, offsets by timestamp", async () => {
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    topics: [
      {
        topic: "big",
        numPartitions: 1,
        configEntries: [{ name: "max.message.bytes", value: "2000000" }],
      },
    ],
  });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const t0 = Date.now() - 60_000;
  for (let i = 0; i < 10; i++)
    await producer.send({
      topic: "big",
      acks: -1,
      messages: [{ value: `small-${i}`, timestamp: String(t0 + i * 1000) }],
    });
  const large = "L".repeat(1_000_000);
  await producer.send({
    topic: "big",
    acks: -1,
    messages: [{ value: large, timestamp: String(t0 + 20_000) }],
  });
  await producer.disconnect();

  const all = await fetchAll(broker.port, "big", 0);
  assert.equal(all.records.length, 11);
  assert.equal(all.records[10]?.value?.length, 1_000_000);
  assert.ok(
    all.batches.every((b) => b.producerId >= 0n),
    "batches carry the producer id",
  );

  const byTime = await admin.fetchTopicOffsetsByTimestamp("big", t0 + 4500);
  assert.deepEqual(byTime, [{ partition: 0, offset: "5" }]);
  const latest = await admin.fetchTopicOffsets("big");
  assert.equal(latest[0]?.high, "11");

  await admin.deleteTopicRecords({ topic: "big", partitions: [{ partition: 0, offset: "4" }] });
  const after = await admin.fetchTopicOffsets("big");
  assert.equal(after[0]?.low, "4");
  const rest = await fetchAll(broker.port, "big", 0, 4n);
  assert.equal(rest.records[0]?.offset, 4n);
  await admin.disconnect();
});

test("restart: nothing acknowledged is lost; replay from offset 0", async () => {
  const producer = kafka.producer();
  await producer.connect();
  const values = Array.from({ length: 200 }, (_, i) => `durable-${i}`);
  for (let i = 0; i < values.length; i += 50)
    await producer.send({
      topic: "durable",
      acks: -1,
      messages: values.slice(i, i + 50).map((value) => ({ value })),
    });
  await producer.disconnect();

  assert.equal(await broker.stop(), 0);
  broker = await startBroker({ dataDir: broker.dataDir, args: ["-o", "num.partitions=2"] });
  kafka = client(broker.port);

  const replayed: string[] = [];
  for (let p = 0; p < 2; p++) {
    const { records } = await fetchAll(broker.port, "durable", p, 0n);
    assert.deepEqual(
      records.map((r) => r.offset),
      records.map((_, i) => BigInt(i)),
      "dense offsets from 0",
    );
    replayed.push(...records.map((r) => r.value as string));
  }
  assert.deepEqual(replayed.sort(), [...values].sort());
  // Topics made before the restart are still there with their settings.
  const admin = kafka.admin();
  await admin.connect();
  const topics = await admin.listTopics();
  for (const t of ["auto-created", "keyed", "big", "durable"]) assert.ok(topics.includes(t), t);
  assert.equal((await admin.fetchTopicOffsets("big"))[0]?.low, "4");
  await admin.disconnect();
});
