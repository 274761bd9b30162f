/**
 * What a secured-listener test does with kafkajs once connected: create a topic,
 * produce three keyed records, read them back in a group (`group`, by default g-TOPIC).
 * Resolves to the values read.
 */
import type { Kafka } from "kafkajs";
import { waitFor } from "./groups.js";

export async function kafkajsRoundTrip(
  kafka: Kafka,
  topic: string,
  group = `g-${topic}`,
): Promise<string[]> {
  // Each client is disconnected even when a step is refused, so none keeps reconnecting.
  const admin = kafka.admin();
  try {
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] });
  } finally {
    await admin.disconnect();
  }
  const producer = kafka.producer();
  try {
    await producer.connect();
    await producer.send({
      topic,
      messages: [0, 1, 2].map((i) => ({ key: `k${i}`, value: `v${i}` })),
    });
  } finally {
    await producer.disconnect();
  }
  const consumer = kafka.consumer({ groupId: group, maxWaitTimeInMs: 100 });
  const got: string[] = [];
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => void got.push(String(message.value)),
    });
    await waitFor(`kafkajs reads 3 records of ${topic}`, () => got.length >= 3);
  } finally {
    await consumer.disconnect();
  }
  return got;
}
