/**
 * Fetch responses give their storage read buffers back to the pool once written
 * (storage read-buffers.ts, server/connection.ts), and the next reads reuse them. A
 * buffer reused while a response still held it would send another fetch's bytes:
 * two kafkajs consumers read the same partition concurrently, in fetches of a few
 * batches each, and every record must come back as written.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { readBuffers } from "@logbook/storage";
import { Kafka, logLevel } from "kafkajs";
import {
  type InProcessBroker,
  startInProcess,
} from "../../../integration-tests/helpers/in-process.js";

const TOPIC = "read-buffers";
const SENDS = 30;
const PER_SEND = 8;
const VALUE_BYTES = 10 * 1024;

let b: InProcessBroker;
let kafka: Kafka;

function value(i: number): Buffer {
  const v = Buffer.alloc(VALUE_BYTES);
  for (let at = 0; at < VALUE_BYTES; at += 4) v.writeUInt32BE((i * 2654435761 + at) >>> 0, at);
  return v;
}

before(async () => {
  b = await startInProcess();
  kafka = new Kafka({
    clientId: "read-buffers-test",
    brokers: [`127.0.0.1:${b.port}`],
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 1 }] });
  await admin.disconnect();
  const producer = kafka.producer();
  await producer.connect();
  // Each send is one batch of ~80 KiB: reads of it come from the pool.
  for (let s = 0; s < SENDS; s++) {
    await producer.send({
      topic: TOPIC,
      messages: Array.from({ length: PER_SEND }, (_, j) => ({ value: value(s * PER_SEND + j) })),
    });
  }
  await producer.disconnect();
});
after(async () => {
  await b.stop();
});

async function readAll(groupId: string): Promise<Map<number, Buffer>> {
  const consumer = kafka.consumer({
    groupId,
    maxBytesPerPartition: 200 * 1024,
    maxWaitTimeInMs: 50,
  });
  await consumer.connect();
  await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
  const got = new Map<number, Buffer>();
  await new Promise<void>((resolve, reject) => {
    consumer
      .run({
        eachMessage: async ({ message }) => {
          got.set(Number(message.offset), message.value as Buffer);
          if (got.size === SENDS * PER_SEND) resolve();
        },
      })
      .catch(reject);
  });
  await consumer.disconnect();
  return got;
}

test("concurrent fetches reuse read buffers and every record comes back as written", async () => {
  const before = readBuffers.reused;
  const [a, c] = await Promise.all([readAll("reader-a"), readAll("reader-c")]);
  for (const got of [a, c]) {
    assert.equal(got.size, SENDS * PER_SEND);
    for (let i = 0; i < SENDS * PER_SEND; i++)
      assert.ok(value(i).equals(got.get(i) as Buffer), `record ${i} differs`);
  }
  assert.ok(readBuffers.reused > before, "no read buffer was reused");
});
