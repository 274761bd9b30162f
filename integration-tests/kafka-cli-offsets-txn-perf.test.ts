/**
 * kafka-get-offsets, kafka-delete-records, kafka-transactions and the two perf tests
 * (Kafka 4.4's own tools) used as an operator would, each command run against Logbook
 * and against the reference Kafka: same output (addresses and clock readings aside),
 * and the output expected.
 */
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { removeDir, tempDir } from "./helpers/broker-process.js";
import {
  assertSame,
  type Brokers,
  onBoth,
  sortedLines,
  startBrokers,
  Tool,
} from "./helpers/kafka-cli.js";
import { startJavaProgram } from "./streams/streams-app.js";

let b: Brokers;
let dir: string;
before(async () => {
  dir = await tempDir("logbook-cli-");
  b = await startBrokers();
});
after(async () => {
  await b?.stop();
  await removeDir(dir);
});

const BS = ["--bootstrap-server", "{bootstrap}"];

/** Table cells joined by one space; the cells at `clock` (clock readings) become T. */
function cells(clock: number[] = []): (s: string) => string {
  return (s) =>
    s
      .split("\n")
      .filter((l) => l.trim() !== "")
      .map((l, row) =>
        l
          .trim()
          .split(/\s+/)
          .map((c, i) => (row > 0 && clock.includes(i) ? "T" : c))
          .join(" "),
      )
      .join("\n");
}

test("kafka-get-offsets (earliest, latest, by time) and kafka-delete-records", async () => {
  const topic = "ops-offsets";
  assertSame(
    await onBoth(b, Tool.topics, [...BS, "--create", "--topic", topic, "--partitions", "2"]),
    b,
    `Created topic ${topic}.`,
  );
  const produce = (lines: string) =>
    onBoth(
      b,
      Tool.consoleProducer,
      [...BS, "--topic", topic, "--reader-property", "parse.key=true"],
      lines,
    );
  // k3 goes to partition 0, k1 to partition 1 (the producer's murmur2).
  assertSame(await produce("k3\ta1\nk3\ta2\nk1\ta3\n"), b, "");
  await new Promise((r) => setTimeout(r, 20));
  const between = Date.now();
  await new Promise((r) => setTimeout(r, 20));
  assertSame(await produce("k3\tb1\nk1\tb2\n"), b, "");

  const offsets = (time: string) =>
    onBoth(b, Tool.getOffsets, [...BS, "--topic", topic, "--time", time]);
  assertSame(await offsets("earliest"), b, `${topic}:0:0\n${topic}:1:0`, sortedLines);
  assertSame(await offsets("latest"), b, `${topic}:0:3\n${topic}:1:2`, sortedLines);
  // The first record at or after the time: the second batch.
  assertSame(await offsets(String(between)), b, `${topic}:0:2\n${topic}:1:1`, sortedLines);
  assertSame(await offsets(String(Date.now() + 3_600_000)), b, "");

  const json = join(dir, "delete.json");
  await writeFile(
    json,
    JSON.stringify({
      version: 1,
      partitions: [
        { topic, partition: 0, offset: 2 },
        { topic, partition: 1, offset: 10 },
      ],
    }),
  );
  const del = await onBoth(b, Tool.deleteRecords, [...BS, "--offset-json-file", json]);
  assertSame(
    del,
    b,
    `Executing records delete operation
Records delete operation completed:
partition: ${topic}-0\tlow_watermark: 2
partition: ${topic}-1\terror: org.apache.kafka.common.errors.OffsetOutOfRangeException: The requested offset is not within the range of offsets maintained by the server.`,
    sortedLines, // printed as each partition's answer arrives
  );
  assertSame(await offsets("earliest"), b, `${topic}:0:2\n${topic}:1:0`, sortedLines);
});

test("kafka-producer-perf-test (transactional), kafka-transactions, kafka-consumer-perf-test", async () => {
  // Both finalize transaction.version 2 on a fresh start (transactions v2, KIP-890: the
  // producer epoch is bumped at every commit). kafka-features downgrades both to v1, as
  // an operator of a 3.x cluster would have it, and the rest runs on transactions v1.
  assertSame(
    await onBoth(b, Tool.features, [
      "--bootstrap-server",
      "{bootstrap}",
      "downgrade",
      "--feature",
      "transaction.version=1",
    ]),
    b,
    "transaction.version was downgraded to 1.",
  );

  const topic = "ops-perf";
  assertSame(
    await onBoth(b, Tool.topics, [...BS, "--create", "--topic", topic, "--partitions", "1"]),
    b,
    `Created topic ${topic}.`,
  );
  const perf = await onBoth(b, Tool.producerPerf, [
    "--topic",
    topic,
    "--num-records",
    "400",
    "--record-size",
    "100",
    "--throughput",
    "-1",
    "--transaction-duration-ms",
    "100",
    "--command-property",
    "bootstrap.servers={bootstrap}",
    "transactional.id=ops-perf-tx",
    "acks=all",
  ]);
  assertSame(perf, b, "400 records sent, N records/sec", (s) =>
    s.replace(/, [\d.]+ records\/sec.*$/s, ", N records/sec"),
  );

  const list = await onBoth(b, Tool.transactions, [...BS, "list"]);
  const listed = assertSame(
    list,
    b,
    /^TransactionalId Coordinator ProducerId TransactionState\nops-perf-tx 1 \d+ CompleteCommit$/,
    cells(),
  );
  const producerId = listed.split("\n")[1]?.split(" ")[2] as string;

  const describe = await onBoth(b, Tool.transactions, [
    ...BS,
    "describe",
    "--transactional-id",
    "ops-perf-tx",
  ]);
  assertSame(
    describe,
    b,
    `CoordinatorId TransactionalId ProducerId ProducerEpoch TransactionState TransactionTimeoutMs CurrentTransactionStartTimeMs TransactionDurationMs TopicPartitions
1 ops-perf-tx ${producerId} 0 CompleteCommit 60000 T T`,
    cells([6, 7]),
  );

  const producers = await onBoth(b, Tool.transactions, [
    ...BS,
    "describe-producers",
    "--topic",
    topic,
    "--partition",
    "0",
  ]);
  assertSame(
    producers,
    b,
    `ProducerId ProducerEpoch LatestCoordinatorEpoch LastSequence LastTimestamp CurrentTransactionStartOffset
${producerId} 0 0 399 T None`,
    cells([4]),
  );

  const hanging = await onBoth(b, Tool.transactions, [...BS, "find-hanging", "--broker-id", "1"]);
  assertSame(
    hanging,
    b,
    "Topic Partition ProducerId ProducerEpoch CoordinatorEpoch StartOffset LastTimestamp Duration(min)",
    cells(),
  );

  // 400 records of 100 bytes: 0.0381 MiB.
  const consumed = await onBoth(b, Tool.consumerPerf, [
    ...BS,
    "--topic",
    topic,
    "--num-records",
    "400",
  ]);
  assertSame(
    consumed,
    b,
    "start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec\nT, T, 0.0381, T, 400, T, T, T, T, T",
    (s) =>
      s
        .split("\n")
        .map((l, row) =>
          row === 0
            ? l
            : l
                .split(", ")
                .map((c, i) => (i === 2 || i === 4 ? c : "T"))
                .join(", "),
        )
        .join("\n"),
  );
});

test("kafka-transactions on an open transaction, seen by a read_committed console consumer", async () => {
  // Runs after the perf test, so both brokers use transactions v1 here too.
  const topic = "ops-open";
  const open = {
    kafka: startJavaProgram("OpenTransaction", [b.kafka.bootstrap, "ops-open-tx", topic, "3"]),
    logbook: startJavaProgram("OpenTransaction", [b.logbook.bootstrap, "ops-open-tx", topic, "3"]),
  };
  try {
    await Promise.all([open.kafka.waitForLine("open"), open.logbook.waitForLine("open")]);
    const describe = await onBoth(b, Tool.transactions, [
      ...BS,
      "describe",
      "--transactional-id",
      "ops-open-tx",
    ]);
    const described = assertSame(
      describe,
      b,
      /\n1 ops-open-tx \d+ 0 Ongoing 60000 T T ops-open-0$/,
      cells([6, 7]),
    );
    const producerId = described.split("\n")[1]?.split(" ")[2] as string;
    const producers = await onBoth(b, Tool.transactions, [
      ...BS,
      "describe-producers",
      "--topic",
      topic,
      "--partition",
      "0",
    ]);
    assertSame(
      producers,
      b,
      `ProducerId ProducerEpoch LatestCoordinatorEpoch LastSequence LastTimestamp CurrentTransactionStartOffset
${producerId} 0 -1 2 T 0`,
      cells([4]),
    );
    // Open but known to its coordinator: not hanging.
    const hanging = await onBoth(b, Tool.transactions, [...BS, "find-hanging", "--broker-id", "1"]);
    assertSame(
      hanging,
      b,
      "Topic Partition ProducerId ProducerEpoch CoordinatorEpoch StartOffset LastTimestamp Duration(min)",
      cells(),
    );
    const readCommitted = (extra: string[]) =>
      onBoth(b, Tool.consoleConsumer, [
        ...BS,
        "--topic",
        topic,
        "--from-beginning",
        "--isolation-level",
        "read_committed",
        "--formatter-property",
        "print.offset=true",
        ...extra,
      ]);
    const before = await readCommitted(["--timeout-ms", "3000"]);
    for (const side of ["kafka", "logbook"] as const) {
      assert.equal(before[side].stdout, "", `${side}: nothing committed yet`);
      assert.match(before[side].stderr, /Processed a total of 0 messages/, side);
    }

    for (const side of ["kafka", "logbook"] as const) open[side].send("commit");
    await Promise.all([open.kafka.waitForLine("committed"), open.logbook.waitForLine("committed")]);
    const afterCommit = await readCommitted(["--max-messages", "3"]);
    assertSame(afterCommit, b, "Offset:0\topen-0\nOffset:1\topen-1\nOffset:2\topen-2");
    const list = await onBoth(b, Tool.transactions, [...BS, "list"]);
    assertSame(
      list,
      b,
      new RegExp(
        `^TransactionalId Coordinator ProducerId TransactionState\nops-open-tx 1 ${producerId} CompleteCommit\nops-perf-tx 1 \\d+ CompleteCommit$`,
      ),
      (s) => sortedLines(cells()(s)),
    );
  } finally {
    open.kafka.kill();
    open.logbook.kill();
  }
});
