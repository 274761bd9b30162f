/**
 * kafkajs 2.2.4's admin client against a real broker: create, list, describe, alter,
 * grow and delete topics, then a restart keeps everything.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { type Admin, type ConfigResourceTypes, Kafka, logLevel } from "kafkajs";
import { startTestBroker, type TestBroker } from "./helpers/admin-broker.js";

// kafkajs is CommonJS and its enum is not a detectable named export: use the wire values.
const TOPIC: ConfigResourceTypes = 2;
const BROKER: ConfigResourceTypes = 4;

let b: TestBroker;
let admin: Admin;

async function connectAdmin(): Promise<Admin> {
  const kafka = new Kafka({
    clientId: "admin-test",
    brokers: [`127.0.0.1:${b.port}`],
    logLevel: logLevel.NOTHING,
  });
  const a = kafka.admin();
  await a.connect();
  return a;
}

before(async () => {
  b = await startTestBroker();
  admin = await connectAdmin();
});
after(async () => {
  await admin.disconnect();
  await b.stop();
});

test("kafkajs createTopics, listTopics and fetchTopicMetadata", async () => {
  const created = await admin.createTopics({
    topics: [
      {
        topic: "kjs-a",
        numPartitions: 3,
        replicationFactor: 1,
        configEntries: [{ name: "retention.ms", value: "60000" }],
      },
      { topic: "kjs-b" },
    ],
  });
  assert.equal(created, true);
  assert.equal(await admin.createTopics({ topics: [{ topic: "kjs-a" }] }), false, "already exists");
  await assert.rejects(
    admin.createTopics({ topics: [{ topic: "kjs-c", replicationFactor: 3 }] }),
    (e: unknown) => {
      const errors = (e as { errors?: { type?: string }[] }).errors ?? [];
      return errors[0]?.type === "INVALID_REPLICATION_FACTOR";
    },
  );
  const names = await admin.listTopics();
  assert.ok(names.includes("kjs-a") && names.includes("kjs-b"));
  assert.equal(names.includes("__cluster_metadata"), false);
  const md = await admin.fetchTopicMetadata({ topics: ["kjs-a", "kjs-b"] });
  const a = md.topics.find((t) => t.name === "kjs-a");
  assert.equal(a?.partitions.length, 3);
  assert.deepEqual(a?.partitions.map((p) => [p.partitionId, p.leader, p.replicas, p.isr]).sort(), [
    [0, 0, [0], [0]],
    [1, 0, [0], [0]],
    [2, 0, [0], [0]],
  ]);
  assert.equal(md.topics.find((t) => t.name === "kjs-b")?.partitions.length, 1);
});

test("kafkajs describeConfigs and alterConfigs", async () => {
  const d = await admin.describeConfigs({
    resources: [{ type: TOPIC, name: "kjs-a", configNames: ["retention.ms", "cleanup.policy"] }],
    includeSynonyms: true,
  });
  const entries = d.resources[0]?.configEntries ?? [];
  const ret = entries.find((e) => e.configName === "retention.ms");
  assert.equal(ret?.configValue, "60000");
  assert.equal(ret?.isDefault, false);
  assert.equal(ret?.configSource, 1);
  // As Kafka: log.retention.ms has no default of its own (log.retention.hours has), so
  // no DEFAULT_CONFIG synonym is listed.
  assert.deepEqual(
    ret?.configSynonyms.map((s) => s.configName),
    ["retention.ms"],
  );
  assert.equal(entries.find((e) => e.configName === "cleanup.policy")?.configValue, "delete");

  await admin.alterConfigs({
    validateOnly: false,
    resources: [
      { type: TOPIC, name: "kjs-a", configEntries: [{ name: "cleanup.policy", value: "compact" }] },
    ],
  });
  const after = await admin.describeConfigs({
    resources: [{ type: TOPIC, name: "kjs-a" }],
    includeSynonyms: false,
  });
  const all = after.resources[0]?.configEntries ?? [];
  assert.equal(all.find((e) => e.configName === "cleanup.policy")?.configValue, "compact");
  assert.equal(
    all.find((e) => e.configName === "retention.ms")?.isDefault,
    true,
    "AlterConfigs replaces the set",
  );
  await assert.rejects(
    admin.alterConfigs({
      validateOnly: false,
      resources: [
        { type: TOPIC, name: "kjs-a", configEntries: [{ name: "retention.ms", value: "x" }] },
      ],
    }),
  );
  const broker = await admin.describeConfigs({
    resources: [{ type: BROKER, name: "0", configNames: ["num.partitions"] }],
    includeSynonyms: false,
  });
  assert.equal(broker.resources[0]?.configEntries[0]?.configValue, "1");
  assert.equal(broker.resources[0]?.configEntries[0]?.readOnly, true);
});

test("kafkajs createPartitions and deleteTopics", async () => {
  await admin.createPartitions({ topicPartitions: [{ topic: "kjs-b", count: 4 }] });
  const md = await admin.fetchTopicMetadata({ topics: ["kjs-b"] });
  assert.equal(md.topics[0]?.partitions.length, 4);
  await assert.rejects(admin.createPartitions({ topicPartitions: [{ topic: "kjs-b", count: 2 }] }));
  await admin.deleteTopics({ topics: ["kjs-b"] });
  assert.equal((await admin.listTopics()).includes("kjs-b"), false);
  assert.equal(b.broker.topics.get("kjs-b"), undefined);
});

test("kafkajs sees the same topics and configs after a broker restart", async () => {
  const idBefore = b.broker.topics.get("kjs-a")?.id;
  await admin.disconnect();
  await b.restart();
  admin = await connectAdmin();
  const names = await admin.listTopics();
  assert.ok(names.includes("kjs-a"));
  assert.equal(names.includes("kjs-b"), false);
  assert.deepEqual(b.broker.topics.get("kjs-a")?.id, idBefore);
  const d = await admin.describeConfigs({
    resources: [{ type: TOPIC, name: "kjs-a", configNames: ["cleanup.policy"] }],
    includeSynonyms: false,
  });
  assert.equal(d.resources[0]?.configEntries[0]?.configValue, "compact");
  const md = await admin.fetchTopicMetadata({ topics: ["kjs-a"] });
  assert.equal(md.topics[0]?.partitions.length, 3);
});
