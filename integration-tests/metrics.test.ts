/**
 * The Prometheus endpoint (`--metrics-port`), scraped before, during and after a load
 * from real clients: the values that must move do (requests, bytes and records per topic,
 * partition offsets and sizes, group lag from offsets, connections, fsyncs), the text is
 * valid exposition format, and nothing listens without the flag.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { Broker, brokerConfig } from "@logbook/broker";
import { silentLogger } from "@logbook/storage";
import { Kafka, logLevel } from "kafkajs";
import { type BrokerProcess, removeDir, startBroker } from "./helpers/broker-process.js";
import { FAST_CONSUMER, GROUP_BROKER } from "./helpers/groups.js";
import { freePort } from "./helpers/kafka-process.js";

let broker: BrokerProcess;
let metricsUrl: string;
before(async () => {
  const port = await freePort();
  metricsUrl = `http://127.0.0.1:${port}/metrics`;
  // Every append fsynced, so fsync times are observed.
  broker = await startBroker({
    ...GROUP_BROKER,
    args: ["--metrics-port", String(port), "-o", "log.flush.interval.messages=1"],
  });
});
after(async () => {
  await broker?.stop();
  if (broker !== undefined) await removeDir(broker.dataDir);
});

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parses the text exposition format strictly enough that a malformed line fails. */
async function scrape(): Promise<Sample[]> {
  const res = await fetch(metricsUrl);
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type") ?? "", /^text\/plain; version=0\.0\.4/);
  const samples: Sample[] = [];
  for (const line of (await res.text()).split("\n")) {
    if (line === "" || line.startsWith("# HELP ") || line.startsWith("# TYPE ")) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (-?[0-9.e+-]+|NaN|\+Inf|-Inf)$/.exec(line);
    assert.ok(m !== null, `not exposition format: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g))
      labels[l[1] as string] = l[2] as string;
    samples.push({ name: m[1] as string, labels, value: Number(m[3]) });
  }
  return samples;
}

function value(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  const s = samples.find(
    (x) => x.name === name && Object.entries(labels).every(([k, v]) => x.labels[k] === v),
  );
  return s?.value ?? 0;
}

const kafka = () =>
  new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING, clientId: "metrics-test" });

test("a load moves requests, bytes, records, offsets, sizes, fsyncs, connections and group lag", async () => {
  const admin = kafka().admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: "metered", numPartitions: 2 }] });
  const before = await scrape();

  const producer = kafka().producer();
  await producer.connect();
  let bytes = 0;
  for (let round = 0; round < 10; round++) {
    const messages = Array.from({ length: 20 }, (_, i) => ({
      key: `k${i}`,
      value: `round-${round}-record-${i}`,
    }));
    bytes += messages.reduce((n, m) => n + m.value.length, 0);
    await producer.send({ topic: "metered", messages });
  }
  // Scraped during the load: the producer's connection is open.
  const during = await scrape();
  assert.ok(value(during, "logbook_connections", { listener: "PLAINTEXT" }) >= 2);
  await producer.disconnect();

  const consumer = kafka().consumer({ groupId: "metered-readers", ...FAST_CONSUMER });
  await consumer.connect();
  await consumer.subscribe({ topic: "metered", fromBeginning: true });
  let read = 0;
  await new Promise<void>((resolve) => {
    void consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        // Commit only up to offset 5 of each partition: the rest is lag.
        if (Number(message.offset) === 4)
          await consumer.commitOffsets([{ topic: "metered", partition, offset: "5" }]);
        if (++read === 200) resolve();
      },
    });
  });
  await consumer.disconnect();
  const end = await admin.fetchTopicOffsets("metered");
  await admin.disconnect();
  const after = await scrape();

  const moved = (name: string, labels: Record<string, string> = {}) =>
    value(after, name, labels) - value(before, name, labels);
  assert.ok(moved("logbook_requests_total", { api: "Produce" }) >= 10);
  assert.ok(moved("logbook_request_duration_seconds_count", { api: "Produce" }) >= 10);
  assert.ok(moved("logbook_requests_total", { api: "Fetch" }) >= 1);
  assert.equal(moved("logbook_topic_messages_in_total", { topic: "metered" }), 200);
  // Batches carry headers and varints around the values: more bytes than the values.
  assert.ok(moved("logbook_topic_bytes_in_total", { topic: "metered" }) > bytes);
  assert.ok(value(after, "logbook_topic_bytes_out_total", { topic: "metered" }) > bytes);
  assert.ok(moved("logbook_fsync_duration_seconds_count") >= 10);

  let total = 0;
  for (const { partition, high } of end) {
    const labels = { topic: "metered", partition: String(partition) };
    assert.equal(value(after, "logbook_partition_high_watermark", labels), Number(high));
    assert.equal(value(after, "logbook_partition_log_end_offset", labels), Number(high));
    assert.equal(value(after, "logbook_partition_log_start_offset", labels), 0);
    assert.ok(value(after, "logbook_partition_size_bytes", labels) > 0);
    assert.ok(value(after, "logbook_partition_segments", labels) >= 1);
    const lagLabels = { group: "metered-readers", ...labels };
    assert.equal(value(after, "logbook_consumer_group_committed_offset", lagLabels), 5);
    assert.equal(value(after, "logbook_consumer_group_lag", lagLabels), Number(high) - 5);
    total += Number(high);
  }
  assert.equal(total, 200);
  assert.ok(value(after, "logbook_partitions") >= 2);
  // Process and event-loop metrics come with them.
  assert.ok(value(after, "process_cpu_user_seconds_total") > 0);
  assert.ok(after.some((s) => s.name === "nodejs_eventloop_lag_p99_seconds"));
});

test("only GET /metrics is served", async () => {
  const other = await fetch(metricsUrl.replace("/metrics", "/other"));
  assert.equal(other.status, 404);
  const post = await fetch(metricsUrl, { method: "POST" });
  assert.equal(post.status, 404);
});

test("without metrics.port nothing is measured or served", async () => {
  const b = await Broker.start(brokerConfig({ port: 0, dataDir: "memory:" }), silentLogger);
  try {
    assert.equal(b.metrics, null);
    assert.equal(b.metricsAddress, null);
  } finally {
    await b.stop();
  }
});
