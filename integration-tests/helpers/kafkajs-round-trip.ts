/**
 * What a secured-listener test does with kafkajs once connected: create a topic,
 * produce three keyed records, read them back in a group. Resolves to the values read.
 */
import type { Kafka } from "kafkajs";
import { waitFor } from "./groups.js";

export async function kafkajsRoundTrip(kafka: Kafka, topic: string): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] });
  await admin.disconnect();
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({
    topic,
    messages: [0, 1, 2].map((i) => ({ key: `k${i}`, value: `v${i}` })),
  });
  await producer.disconnect();
  const consumer = kafka.consumer({ groupId: `g-${topic}`, maxWaitTimeInMs: 100 });
  const got: string[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({ eachMessage: async ({ message }) => void got.push(String(message.value)) });
  await waitFor(`kafkajs reads 3 records of ${topic}`, () => got.length >= 3);
  await consumer.disconnect();
  return got;
}
