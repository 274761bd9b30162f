/**
 * Curve 1: one topic of P partitions, per point on a fresh Logbook and, as the
 * reference for produce, a fresh ceiling server (bench/ceiling, the least a Node server
 * does to take the same requests), both driven the same way:
 *   - CreateTopics, timed until every partition has a leader in Metadata (Logbook only);
 *   - a short warm-up produce (reported as the first produce: Logbook opens a
 *     partition's log on its first append, so this includes that);
 *   - the librdkafka load generator produces 1 KiB records round-robin over all
 *     partitions (acks=1) for a fixed time, then consumes them back from offset 0 of
 *     every partition (up to a cap; Logbook only: the ceiling's Fetch cannot answer
 *     10,000 partitions, librdkafka rejects its responses).
 * Logbook's RSS is read idle after the create, sampled (peak) under load, and read again
 * a second after the load.
 */
import { removeDir } from "../../integration-tests/helpers/broker-process.js";
import { createTopics, KafkaClient } from "../../packages/client/src/index.js";
import { runJsonChild } from "../lib/loadgen.js";
import { sampleRss, startCeiling } from "../lib/servers.js";
import { round } from "../lib/stats.js";
import { log, msSince, rssMiB, sleep, startLogbookWith } from "./common.js";

const RECORD_BYTES = 1024;
/** Cap on what the consume step reads back, so a point stays well under a minute. */
const CONSUME_CAP_RECORDS = 1_000_000;
const WARM_UP_SECONDS = 2;

export interface ProduceThroughput {
  firstProduceMBPerSec: number;
  produceRecordsPerSec: number;
  produceMBPerSec: number;
}

export interface Throughput extends ProduceThroughput {
  consumeRecordsPerSec: number;
  consumeMBPerSec: number;
  consumedRecords: number;
}

export interface PartitionsPoint {
  partitions: number;
  createTopicMs: number;
  rssIdleMiB: number;
  rssAfterCreateMiB: number;
  rssPeakUnderLoadMiB: number;
  /** A second after the load: what the open partitions keep. */
  rssAfterLoadMiB: number;
  logbook: Throughput;
  /** Produce only: the ceiling's Fetch fails at 10,000 partitions (see docs/performance.md). */
  ceiling: ProduceThroughput;
}

async function waitForLeaders(client: KafkaClient, topic: string, count: number): Promise<void> {
  for (;;) {
    const md = await client.metadata([topic]);
    const t = md.topics[0];
    if (t !== undefined && t.errorCode === 0 && t.partitions.length === count) {
      if (t.partitions.every((p) => p.leaderId >= 0)) return;
    }
    await sleep(5);
  }
}

/** Creates the topic; resolves with the time until every leader is known. */
async function createTopic(bootstrap: string, topic: string, partitions: number): Promise<number> {
  const client = await KafkaClient.connect({ brokers: [bootstrap], timeoutMs: 120_000 });
  try {
    const start = process.hrtime.bigint();
    const [res] = await createTopics(client, [
      { name: topic, partitions, replicationFactor: 1, configs: new Map() },
    ]);
    if (res?.status !== "OK") throw new Error(`create ${topic}: ${res?.status} ${res?.message}`);
    await waitForLeaders(client, topic, partitions);
    return msSince(start);
  } finally {
    await client.close();
  }
}

function produce(loadgen: string, bootstrap: string, topic: string, partitions: number) {
  return (seconds: number) =>
    runJsonChild(
      loadgen,
      ["produce", bootstrap, topic, String(partitions), String(RECORD_BYTES), "1", String(seconds)],
      180_000,
    );
}

async function driveProduce(
  loadgen: string,
  bootstrap: string,
  topic: string,
  partitions: number,
  seconds: number,
): Promise<ProduceThroughput & { records: number }> {
  const run = produce(loadgen, bootstrap, topic, partitions);
  const first = await run(WARM_UP_SECONDS);
  const p = await run(seconds);
  return {
    firstProduceMBPerSec: round(Number(first.mbPerSec), 1),
    produceRecordsPerSec: round(Number(p.recordsPerSec), 0),
    produceMBPerSec: round(Number(p.mbPerSec), 1),
    records: Number(first.records) + Number(p.records),
  };
}

async function drive(
  loadgen: string,
  bootstrap: string,
  topic: string,
  partitions: number,
  seconds: number,
): Promise<Throughput> {
  const { records, ...produced } = await driveProduce(
    loadgen,
    bootstrap,
    topic,
    partitions,
    seconds,
  );
  const count = Math.min(records, CONSUME_CAP_RECORDS);
  const c = await runJsonChild(
    loadgen,
    ["consume", bootstrap, topic, String(partitions), String(count), "120"],
    180_000,
  );
  return {
    ...produced,
    consumeRecordsPerSec: round(Number(c.recordsPerSec), 0),
    consumeMBPerSec: round(Number(c.mbPerSec), 1),
    consumedRecords: Number(c.records),
  };
}

export async function measurePartitions(
  loadgen: string,
  points: readonly number[],
  produceSeconds: number,
): Promise<PartitionsPoint[]> {
  const out: PartitionsPoint[] = [];
  for (const partitions of points) {
    const topic = `growth-${partitions}`;
    const ceilingServer = await startCeiling();
    let ceiling: ProduceThroughput;
    try {
      await createTopic(ceilingServer.bootstrap, topic, partitions);
      const { records: _, ...produced } = await driveProduce(
        loadgen,
        ceilingServer.bootstrap,
        topic,
        partitions,
        produceSeconds,
      );
      ceiling = produced;
    } finally {
      await ceilingServer.stop();
    }

    const broker = await startLogbookWith([]);
    try {
      await sleep(1000);
      const rssIdleMiB = await rssMiB(broker.pid);
      const createTopicMs = await createTopic(broker.bootstrap, topic, partitions);
      await sleep(1000);
      const rssAfterCreateMiB = await rssMiB(broker.pid);
      const sampler = sampleRss(broker.pid, 100);
      const logbook = await drive(loadgen, broker.bootstrap, topic, partitions, produceSeconds);
      const peak = await sampler.stop();
      await sleep(1000);
      const rssAfterLoadMiB = await rssMiB(broker.pid);
      const point: PartitionsPoint = {
        partitions,
        createTopicMs,
        rssIdleMiB,
        rssAfterCreateMiB,
        rssPeakUnderLoadMiB: round(peak / 2 ** 20, 1),
        rssAfterLoadMiB,
        logbook,
        ceiling,
      };
      log(`  ${JSON.stringify(point)}`);
      out.push(point);
    } finally {
      await broker.stop();
      await removeDir(broker.dataDir);
    }
  }
  return out;
}
