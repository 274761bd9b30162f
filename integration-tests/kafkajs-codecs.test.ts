/**
 * Every codec through kafkajs against a real `logbook start`: gzip (built in) and
 * snappy, lz4 and zstd registered as kafkajs codec plugins backed by our own
 * compression module (helpers/kafkajs-codecs.ts). A kafkajs producer sends keyed
 * records with headers; the stored batches must carry that codec (read back with a raw
 * Fetch); a kafkajs consumer in a group and kcat (librdkafka decodes all four) must read
 * back exactly what was sent. kcat must be installed; a missing kcat fails.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { after, before, test } from "node:test";
import { CompressionTypes, type IHeaders, Kafka, logLevel } from "kafkajs";
import { type BrokerProcess, removeDir, startBroker } from "./helpers/broker-process.js";
import { createTopic, FAST_CONSUMER, GROUP_BROKER, waitFor } from "./helpers/groups.js";
import { registerKafkajsCodecs } from "./helpers/kafkajs-codecs.js";
import { fetchAll } from "./helpers/wire-data.js";

let broker: BrokerProcess;
let kafka: Kafka;

const CODECS = [
  { name: "gzip", type: CompressionTypes.GZIP, id: 1 },
  { name: "snappy", type: CompressionTypes.Snappy, id: 2 },
  { name: "lz4", type: CompressionTypes.LZ4, id: 3 },
  { name: "zstd", type: CompressionTypes.ZSTD, id: 4 },
] as const;

interface Sent {
  key: string;
  value: string;
  headers: Record<string, string>;
}

function kcat(args: string[]): string {
  const r = spawnSync("kcat", args, { encoding: "utf8", timeout: 60_000 });
  if (r.error !== undefined)
    assert.fail(`kcat could not run (${r.error.message}): install it with apt-get install kcat`);
  assert.equal(r.status, 0, `kcat ${args.join(" ")} failed:\n${r.stderr}`);
  return r.stdout;
}

/** Keyed records with two headers; values repeat text so every codec really shrinks them. */
function messages(codec: string, n: number): Sent[] {
  return Array.from({ length: n }, (_, i) => ({
    key: `k${i % 4}`,
    value: `${codec}-value-${i}-${"abcdefgh".repeat(16)}`,
    headers: { codec, index: String(i) },
  }));
}

function headerStrings(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers ?? {})) out[k] = String(v);
  return out;
}

before(async () => {
  kcat(["-V"]);
  registerKafkajsCodecs();
  broker = await startBroker(GROUP_BROKER);
  kafka = new Kafka({
    clientId: "logbook-codecs",
    brokers: [broker.bootstrap],
    logLevel: logLevel.NOTHING,
    retry: { retries: 5, initialRetryTime: 100 },
  });
});
after(async () => {
  if (broker.isAlive()) assert.equal(await broker.stop(), 0);
  await removeDir(broker.dataDir);
});

for (const codec of CODECS) {
  test(`kafkajs ${codec.name}: stored with codec ${codec.id}; a kafkajs group and kcat read back keys, values and headers`, async () => {
    const topic = `kafkajs-${codec.name}`;
    await createTopic(kafka, topic, 1);
    const sent = messages(codec.name, 30);

    const producer = kafka.producer();
    await producer.connect();
    try {
      // Two sends, so the partition holds two compressed batches.
      for (const part of [sent.slice(0, 12), sent.slice(12)]) {
        await producer.send({ topic, acks: -1, compression: codec.type, messages: part });
      }
    } finally {
      await producer.disconnect();
    }

    const { records, batches } = await fetchAll(broker.port, topic, 0);
    assert.equal(batches.length, 2);
    assert.deepEqual(
      batches.map((b) => b.compression),
      [codec.id, codec.id],
      "the broker stored what kafkajs compressed, with its codec id",
    );
    assert.deepEqual(
      records.map((r) => ({ key: r.key, value: r.value, headers: r.headers })),
      sent,
    );

    const consumed: Sent[] = [];
    const consumer = kafka.consumer({ groupId: `g-${codec.name}`, ...FAST_CONSUMER });
    await consumer.connect();
    try {
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) => {
          consumed.push({
            key: message.key?.toString() ?? "",
            value: message.value?.toString() ?? "",
            headers: headerStrings(message.headers),
          });
        },
      });
      await waitFor(
        `the ${codec.name} group to read ${sent.length} records`,
        () => consumed.length >= sent.length,
        45_000,
        () => ({ consumed: consumed.length }),
      );
    } finally {
      await consumer.disconnect();
    }
    assert.deepEqual(consumed, sent);

    const lines = kcat([
      "-C",
      "-b",
      broker.bootstrap,
      "-t",
      topic,
      "-o",
      "beginning",
      "-e",
      "-q",
      "-f",
      "%k|%s|%h\\n",
    ])
      .split("\n")
      .filter((l) => l !== "");
    assert.deepEqual(
      lines,
      sent.map((m) => `${m.key}|${m.value}|codec=${codec.name},index=${m.headers.index}`),
    );
  });
}
