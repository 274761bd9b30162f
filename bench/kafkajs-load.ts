/**
 * kafkajs as a second load client, one JSON line on stdout like the C load generator.
 *
 *   kafkajs-load.ts produce BOOTSTRAP TOPIC SIZE ACKS SECONDS
 *       Four send() loops, each sending arrays of records (up to 512 KiB or 1,000 records
 *       per call) for SECONDS; the rate counts acknowledged records.
 *   kafkajs-load.ts consume BOOTSTRAP TOPIC COUNT TIMEOUT_SECONDS
 *       A one-member group from the beginning; the rate is timed from the first batch
 *       to the COUNT-th record (group join excluded).
 */
import { Kafka, logLevel } from "kafkajs";

const [mode, bootstrap = "", topic = "", a = "0", b = "0", c = "0"] = process.argv.slice(2);
const kafka = new Kafka({
  clientId: "logbook-bench",
  brokers: [bootstrap],
  logLevel: logLevel.NOTHING,
});
const SENDERS = 4;

async function produce(size: number, acks: number, seconds: number): Promise<void> {
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const perSend = Math.max(1, Math.min(1000, Math.floor(524_288 / size)));
  const value = Buffer.alloc(size, "a");
  const messages = Array.from({ length: perSend }, () => ({ value }));
  let records = 0;
  let lastAck = 0;
  const start = performance.now();
  const end = start + seconds * 1000;
  await Promise.all(
    Array.from({ length: SENDERS }, async () => {
      while (performance.now() < end) {
        await producer.send({ topic, acks, messages });
        records += perSend;
        lastAck = performance.now();
      }
    }),
  );
  const elapsed = (lastAck - start) / 1000;
  await producer.disconnect();
  report({ mode: "produce", records, bytes: records * size, seconds: elapsed });
}

async function consume(count: number, timeoutSeconds: number): Promise<void> {
  const consumer = kafka.consumer({ groupId: `bench-${process.pid}-${Date.now()}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let got = 0;
  let bytes = 0;
  let firstAt = 0;
  let firstCount = 0;
  let lastAt = 0;
  const done = new Promise<void>((resolve, reject) => {
    const guard = setTimeout(
      () => reject(new Error(`only ${got} of ${count} records`)),
      timeoutSeconds * 1000,
    );
    void consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        if (firstAt === 0) {
          firstAt = performance.now();
          firstCount = batch.messages.length;
        } else {
          for (const m of batch.messages) bytes += m.value?.length ?? 0;
        }
        got += batch.messages.length;
        lastAt = performance.now();
        if (got >= count) {
          clearTimeout(guard);
          resolve();
        }
      },
    });
  });
  await done;
  await consumer.disconnect();
  const records = got - firstCount;
  report({ mode: "consume", records, bytes, seconds: (lastAt - firstAt) / 1000 });
}

function report(r: { mode: string; records: number; bytes: number; seconds: number }): void {
  const line = { ...r, recordsPerSec: r.records / r.seconds, mbPerSec: r.bytes / r.seconds / 1e6 };
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

if (mode === "produce") await produce(Number(a), b === "all" ? -1 : Number(b), Number(c));
else if (mode === "consume") await consume(Number(a), Number(b));
else {
  process.stderr.write("usage: kafkajs-load.ts produce|consume ...\n");
  process.exit(2);
}
process.exit(0);
