/**
 * kafka-python 2.0.2 (Debian's python3-kafka, under /usr/bin/python3) in a consumer group
 * against a real `logbook start`: it probes the broker version, joins (FindCoordinator
 * v0, JoinGroup v2, SyncGroup v1), reads, commits (OffsetCommit v2) and a second run
 * resumes from the committed offset (OffsetFetch v1). .ci/run installs python3-kafka; a
 * missing module fails the test.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { removeDir, startBroker } from "./helpers/broker-process.js";
import {
  AssignmentRecorder,
  createTopic,
  GROUP_BROKER,
  producePerPartition,
  requirePythonModule,
  runPython,
} from "./helpers/groups.js";

test("kafka-python 2.0.2: a KafkaConsumer joins a group, reads, commits; a second run resumes from the committed offset", async () => {
  requirePythonModule("kafka");
  const broker = await startBroker(GROUP_BROKER);
  try {
    const kafka = new AssignmentRecorder("kp").kafka(broker.bootstrap);
    await createTopic(kafka, "kp", 2);
    await producePerPartition(kafka, "kp", 2, 10);
    const run = (count: number) =>
      runPython("kafka_python_consume.py", [broker.bootstrap, "kp", "g-kp", String(count), "60"]);

    const first = await run(12);
    assert.deepEqual(first.find((l) => l.event === "assigned")?.partitions, [0, 1]);
    const firstRead = first.filter((l) => l.event === "message");
    assert.equal(firstRead.length, 12);
    const firstCommitted = first.find((l) => l.event === "committed")?.offsets as Record<
      string,
      number
    >;
    // What was read per partition is exactly what got committed.
    for (const p of [0, 1]) {
      const offsets = firstRead.filter((m) => m.partition === p).map((m) => Number(m.offset));
      assert.deepEqual(
        offsets,
        Array.from({ length: offsets.length }, (_, i) => i),
      );
      assert.equal(firstCommitted[String(p)], offsets.length, `partition ${p} committed`);
    }
    const admin = kafka.admin();
    await admin.connect();
    const fetched = await admin.fetchOffsets({ groupId: "g-kp", topics: ["kp"] });
    await admin.disconnect();
    assert.deepEqual(
      fetched[0]?.partitions.sort((a, b) => a.partition - b.partition).map((p) => Number(p.offset)),
      [firstCommitted["0"], firstCommitted["1"]],
      "kafkajs admin sees kafka-python's commit",
    );

    const second = await run(8);
    const secondRead = second.filter((l) => l.event === "message");
    const keys = [...firstRead, ...secondRead].map((m) => `${m.partition}:${m.offset}`);
    assert.equal(new Set(keys).size, 20, "both runs together read every record");
    assert.equal(
      keys.length,
      20,
      "the second run starts at the committed offsets (nothing read twice)",
    );
    assert.deepEqual(second.find((l) => l.event === "committed")?.offsets, { "0": 10, "1": 10 });
  } finally {
    if (broker.isAlive()) assert.equal(await broker.stop(), 0, broker.stderr());
    await removeDir(broker.dataDir);
  }
});
