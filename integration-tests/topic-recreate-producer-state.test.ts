/**
 * A deleted topic's producer state must not come back in a topic re-created under its
 * name. Kafka deletes a partition's producer snapshots with the partition's directory;
 * Logbook keeps them in __producer_snapshots, keyed by topic name and partition, so a
 * deletion tombstones them. Before it did, a clean stop after the deletion snapshotted
 * the deleted partition's state, and once the broker that re-created and wrote the
 * topic had crashed, the next start restored that state into the new partition: an
 * idempotent producer's first batch to the new topic was taken for a retry of its batch
 * to the old one, acknowledged with the old offset, and never written.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { Kafka, logLevel } from "kafkajs";
import { type BrokerProcess, removeDir, startBroker, tempDir } from "./helpers/broker-process.js";
import { createTopic } from "./helpers/groups.js";
import { fetchAll, produceValues } from "./helpers/wire-data.js";

const TOPIC = "reborn";

function kafkaOf(b: BrokerProcess): Kafka {
  return new Kafka({ brokers: [b.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 3 } });
}

async function deleteTopic(b: BrokerProcess, topic: string): Promise<void> {
  const admin = kafkaOf(b).admin();
  await admin.connect();
  try {
    await admin.deleteTopics({ topics: [topic] });
  } finally {
    await admin.disconnect();
  }
}

test("an idempotent producer's batch to a re-created topic is written after a crash, not taken for a retry to the deleted one", async () => {
  const dataDir = await tempDir("logbook-reborn-");
  const producer = { id: 7_000n, epoch: 0, baseSequence: 0 };
  const batch = ["a", "b", "c"];
  try {
    const first = await startBroker({ dataDir });
    try {
      await createTopic(kafkaOf(first), TOPIC, 1);
      const old = await produceValues(first.port, TOPIC, 0, batch, producer);
      assert.deepEqual(old, { errorCode: 0, baseOffset: 0n }, "written to the first topic");
      await deleteTopic(first, TOPIC);
    } finally {
      assert.equal(await first.stop(), 0, "clean stop");
    }

    const second = await startBroker({ dataDir });
    try {
      await createTopic(kafkaOf(second), TOPIC, 1);
      const plain = await produceValues(second.port, TOPIC, 0, ["x", "y", "z"]);
      assert.deepEqual(plain, { errorCode: 0, baseOffset: 0n }, "the new topic starts at 0");
    } finally {
      process.kill(second.pid, "SIGKILL");
      assert.equal((await second.exited).signal, "SIGKILL");
    }

    const third = await startBroker({ dataDir });
    try {
      const again = await produceValues(third.port, TOPIC, 0, batch, producer);
      assert.deepEqual(
        again,
        { errorCode: 0, baseOffset: 3n },
        "appended after the new topic's records",
      );
      const read = await fetchAll(third.port, TOPIC, 0);
      assert.equal(read.highWatermark, 6n);
      assert.deepEqual(
        read.records.map((r) => r.value),
        ["x", "y", "z", ...batch],
      );
    } finally {
      await third.stop();
    }
  } finally {
    await removeDir(dataDir);
  }
});
