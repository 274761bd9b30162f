/**
 * Brokers over one PostgreSQL: a topic deleted on one broker and created again under
 * its name is a new topic on every broker, including those that had its partitions
 * open: each partition starts at offset 0 and holds only what was written to the new
 * topic, wherever it is led.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { PostgresServer } from "../scripts/postgres/server.js";
import type { BrokerProcess } from "./helpers/broker-process.js";
import { clusterClient, startClusterNode } from "./helpers/postgres-cluster.js";
import { fetchAll } from "./helpers/wire-data.js";

const TOPIC = "again";
const PARTITIONS = 4;

let pg: PostgresServer;
const brokers: BrokerProcess[] = [];

before(async () => {
  pg = await PostgresServer.start();
  const url = await pg.createDatabase("recreate");
  for (const id of [1, 2]) brokers.push(await startClusterNode(url, id));
});

after(async () => {
  for (const b of brokers) if (b.isAlive()) await b.stop();
  await pg?.stop();
});

async function produceEach(values: string[]): Promise<void> {
  const producer = clusterClient(brokers, "recreate", 10).producer();
  await producer.connect();
  try {
    for (let p = 0; p < PARTITIONS; p++)
      await producer.send({
        topic: TOPIC,
        acks: -1,
        messages: values.map((value) => ({ value, partition: p })),
      });
  } finally {
    await producer.disconnect();
  }
}

test("a topic deleted and created again starts empty on every broker", async () => {
  const [a] = brokers as [BrokerProcess, BrokerProcess];
  const admin = clusterClient([a], "recreate-admin", 10).admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: PARTITIONS }] });
    await produceEach(["old-1", "old-2", "old-3"]);
    await admin.deleteTopics({ topics: [TOPIC] });
    await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: PARTITIONS }] });
    await produceEach(["new-1", "new-2"]);
  } finally {
    await admin.disconnect();
  }
  const meta = clusterClient(brokers, "recreate-meta", 10).admin();
  await meta.connect();
  try {
    const md = await meta.fetchTopicMetadata({ topics: [TOPIC] });
    const leaders = new Set<number>();
    for (const p of md.topics[0]?.partitions ?? []) {
      leaders.add(p.leader);
      const leader = brokers[p.leader - 1] as BrokerProcess;
      const read = await fetchAll(leader.port, TOPIC, p.partitionId);
      assert.deepEqual(
        read.records.map((r) => [r.offset, r.value]),
        [
          [0n, "new-1"],
          [1n, "new-2"],
        ],
        `partition ${p.partitionId} (leader ${p.leader})`,
      );
    }
    assert.equal(leaders.size, 2, "both brokers lead partitions");
  } finally {
    await meta.disconnect();
  }
});
