/**
 * A kafkajs group member in its own process, for tests that SIGKILL a consumer (so it
 * never sends LeaveGroup). Usage: node --import tsx kafkajs-member.ts BOOTSTRAP TOPIC GROUP
 * Prints JSON lines: {"event":"join","memberId","partitions"} on every GROUP_JOIN and
 * {"event":"message","partition","offset"} per record. Exits by itself after 120 s.
 */
import { Kafka, logLevel } from "kafkajs";
import { FAST_CONSUMER } from "./groups.js";

const [bootstrap, topic, groupId] = process.argv.slice(2);
if (bootstrap === undefined || topic === undefined || groupId === undefined) {
  process.stderr.write("usage: kafkajs-member.ts BOOTSTRAP TOPIC GROUP\n");
  process.exit(2);
}
setTimeout(() => process.exit(3), 120_000).unref();

const print = (o: Record<string, unknown>): void => {
  process.stdout.write(`${JSON.stringify(o)}\n`);
};
const kafka = new Kafka({
  clientId: "killed-member",
  brokers: [bootstrap],
  logLevel: logLevel.NOTHING,
});
const consumer = kafka.consumer({ groupId, ...FAST_CONSUMER });
consumer.on(consumer.events.GROUP_JOIN, (e) =>
  print({
    event: "join",
    memberId: e.payload.memberId,
    partitions: e.payload.memberAssignment[topic] ?? [],
  }),
);
consumer.on(consumer.events.CRASH, (e) =>
  print({ event: "crash", error: String(e.payload.error), restart: e.payload.restart }),
);
await consumer.connect();
await consumer.subscribe({ topic, fromBeginning: true });
await consumer.run({
  eachMessage: async ({ partition, message }) => {
    print({ event: "message", partition, offset: message.offset });
  },
});
