/**
 * Curve 1: one topic of P partitions on a fresh broker per point. Times CreateTopics
 * (until every partition has a leader in Metadata), then the librdkafka load generator
 * produces 1 KiB records round-robin over all partitions (acks=1) for a fixed time and
 * consumes them back from offset 0 of every partition; broker RSS is read idle after
 * the create and sampled (peak) under load.
 */

import { removeDir } from "../../integration-tests/helpers/broker-process.js";
import { createTopics, KafkaClient } from "../../packages/client/src/index.js";
import { runJsonChild } from "../lib/loadgen.js";
import { sampleRss } from "../lib/servers.js";
import { round } from "../lib/stats.js";
import { log, msSince, rssMiB, sleep, startLogbookWith } from "./common.js";

const RECORD_BYTES = 1024;
/** Cap on what the consume step reads back, so a point stays well under a minute. */
const CONSUME_CAP_RECORDS = 1_000_000;

export interface PartitionsPoint {
  partitions: number;
  createTopicMs: number;
  rssIdleMiB: number;
  rssAfterCreateMiB: number;
  rssPeakUnderLoadMiB: number;
  produceRecordsPerSec: number;
  produceMBPerSec: number;
  consumeRecordsPerSec: number;
  consumeMBPerSec: number;
  consumedRecords: number;
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

export async function measurePartitions(
  loadgen: string,
  points: readonly number[],
  produceSeconds: number,
): Promise<PartitionsPoint[]> {
  const out: PartitionsPoint[] = [];
  for (const partitions of points) {
    const broker = await startLogbookWith(["num.partitions=1"]);
    try {
      await sleep(1000);
      const rssIdleMiB = await rssMiB(broker.pid);
      const client = await KafkaClient.connect({ brokers: [broker.bootstrap], timeoutMs: 120_000 });
      const topic = `growth-${partitions}`;
      const start = process.hrtime.bigint();
      const [res] = await createTopics(client, [
        { name: topic, partitions, replicationFactor: 1, configs: new Map() },
      ]);
      if (res?.status !== "OK") throw new Error(`create ${topic}: ${res?.status} ${res?.message}`);
      await waitForLeaders(client, topic, partitions);
      const createTopicMs = msSince(start);
      await client.close();
      await sleep(1000);
      const rssAfterCreateMiB = await rssMiB(broker.pid);

      const sampler = sampleRss(broker.pid, 100);
      const p = await runJsonChild(
        loadgen,
        [
          "produce",
          broker.bootstrap,
          topic,
          String(partitions),
          String(RECORD_BYTES),
          "1",
          String(produceSeconds),
        ],
        180_000,
      );
      const count = Math.min(Number(p.records), CONSUME_CAP_RECORDS);
      const c = await runJsonChild(
        loadgen,
        ["consume", broker.bootstrap, topic, String(partitions), String(count), "120"],
        180_000,
      );
      const peak = await sampler.stop();
      const point: PartitionsPoint = {
        partitions,
        createTopicMs,
        rssIdleMiB,
        rssAfterCreateMiB,
        rssPeakUnderLoadMiB: round(peak / 2 ** 20, 1),
        produceRecordsPerSec: round(Number(p.recordsPerSec), 0),
        produceMBPerSec: round(Number(p.mbPerSec), 1),
        consumeRecordsPerSec: round(Number(c.recordsPerSec), 0),
        consumeMBPerSec: round(Number(c.mbPerSec), 1),
        consumedRecords: Number(c.records),
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
