/**
 * kafkajs 2.2.4 consumer groups against a real broker: a consumer reads what a kafkajs
 * producer wrote and commits; after it disconnects, another consumer with the same
 * group id resumes from the committed offsets. The admin client sees the group and its
 * offsets. (Multi-member, restart and other-client scenarios live in integration-tests/.)
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { type Admin, type Consumer, Kafka, logLevel, type Producer } from "kafkajs";
import type { TestBroker } from "./helpers/admin-broker.js";
import { createTopic, startGroupBroker } from "./helpers/group-wire.js";

const TOPIC = "kjs-group-orders";
const GROUP = "kjs-readers";

let b: TestBroker;
let kafka: Kafka;
let admin: Admin;
let producer: Producer;
const consumers: Consumer[] = [];

before(async () => {
  b = await startGroupBroker();
  await createTopic(b, TOPIC, 2);
  kafka = new Kafka({
    clientId: "group-kafkajs-test",
    brokers: [`127.0.0.1:${b.port}`],
    logLevel: logLevel.NOTHING,
  });
  admin = kafka.admin();
  await admin.connect();
  producer = kafka.producer();
  await producer.connect();
});
after(async () => {
  for (const c of consumers) await c.disconnect().catch(() => {});
  await producer.disconnect();
  await admin.disconnect();
  await b.stop();
});

async function produce(prefix: string, n: number): Promise<void> {
  await producer.send({
    topic: TOPIC,
    messages: Array.from({ length: n }, (_, i) => ({ key: `k${i}`, value: `${prefix}-${i}` })),
  });
}

/** Starts a group consumer and resolves with the first `n` values it is handed. */
async function consume(n: number): Promise<{ consumer: Consumer; values: string[] }> {
  // A short fetch wait: disconnect() waits for the fetch in flight.
  const consumer = kafka.consumer({ groupId: GROUP, heartbeatInterval: 500, maxWaitTimeInMs: 200 });
  consumers.push(consumer);
  await consumer.connect();
  await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
  const values: string[] = [];
  let done: () => void = () => {};
  const got = new Promise<void>((resolve) => {
    done = resolve;
  });
  await consumer.run({
    eachMessage: async ({ message }) => {
      values.push(message.value?.toString() ?? "");
      if (values.length >= n) done();
    },
  });
  await got;
  return { consumer, values };
}

/** Sum of the group's committed offsets on the topic, once it reaches `total`. */
async function committedTotal(total: number): Promise<number> {
  for (;;) {
    const [t] = await admin.fetchOffsets({ groupId: GROUP, topics: [TOPIC] });
    const sum = (t?.partitions ?? []).reduce((s, p) => s + Math.max(0, Number(p.offset)), 0);
    if (sum >= total) return sum;
    await sleep(50);
  }
}

test("a kafkajs consumer group reads, commits, and a second consumer resumes where it stopped", async () => {
  await produce("first", 10);
  const one = await consume(10);
  assert.deepEqual(
    [...one.values].sort(),
    Array.from({ length: 10 }, (_, i) => `first-${i}`).sort(),
  );
  assert.equal(await committedTotal(10), 10);

  const described = await admin.describeGroups([GROUP]);
  const g = described.groups[0];
  assert.equal(g?.state, "Stable");
  assert.equal(g?.protocolType, "consumer");
  assert.equal(g?.members.length, 1);
  const listed = await admin.listGroups();
  assert.ok(listed.groups.some((x) => x.groupId === GROUP && x.protocolType === "consumer"));

  await one.consumer.disconnect();
  const afterLeave = await admin.describeGroups([GROUP]);
  assert.equal(afterLeave.groups[0]?.state, "Empty");

  // Only records after the committed offsets: an old one would come first in its partition.
  await produce("second", 5);
  const two = await consume(5);
  assert.deepEqual(
    [...two.values].sort(),
    Array.from({ length: 5 }, (_, i) => `second-${i}`).sort(),
  );
  assert.equal(await committedTotal(15), 15);
});

test("kafkajs admin resets and deletes the group's offsets", async () => {
  for (const c of consumers) await c.disconnect();
  await admin.setOffsets({
    groupId: GROUP,
    topic: TOPIC,
    partitions: [{ partition: 0, offset: "1" }],
  });
  const [t] = await admin.fetchOffsets({ groupId: GROUP, topics: [TOPIC] });
  assert.equal(t?.partitions.find((p) => p.partition === 0)?.offset, "1");
  await admin.deleteGroups([GROUP]);
  const [gone] = await admin.fetchOffsets({ groupId: GROUP, topics: [TOPIC] });
  assert.deepEqual(
    gone?.partitions.map((p) => p.offset),
    ["-1", "-1"],
  );
});
