/**
 * kafka-console-producer, kafka-console-consumer and kafka-consumer-groups (Kafka 4.4's
 * own tools) used as an operator would, each command run against Logbook and against
 * the reference Kafka: same output (addresses aside), and the output expected: records
 * with their keys and partitions, lag per partition, offset resets that the next
 * consumer really starts from, offset and group deletion.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
  assertSame,
  type Both,
  type Brokers,
  onBoth,
  sortedLines,
  startBrokers,
  Tool,
} from "./helpers/kafka-cli.js";

let b: Brokers;
before(async () => {
  b = await startBrokers();
});
after(async () => {
  await b?.stop();
});

const BS = ["--bootstrap-server", "{bootstrap}"];
const TOPIC = "ops-keys";
const GROUP = "ops-readers";

/** Table cells joined by one space: column widths are not the point. */
function cells(s: string): string {
  return s
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => l.trim().split(/\s+/).join(" "))
    .join("\n");
}

async function produce(lines: string): Promise<void> {
  const r = await onBoth(
    b,
    Tool.consoleProducer,
    [
      ...BS,
      "--topic",
      TOPIC,
      "--reader-property",
      "parse.key=true",
      "--reader-property",
      "key.separator=:",
    ],
    lines,
  );
  assertSame(r, b, "");
}

/** Consumes `max` records in GROUP, printing partition, offset, key and value. */
async function consume(max: number): Promise<Both> {
  return onBoth(b, Tool.consoleConsumer, [
    ...BS,
    "--topic",
    TOPIC,
    "--group",
    GROUP,
    "--from-beginning",
    "--max-messages",
    String(max),
    "--formatter-property",
    "print.partition=true",
    "--formatter-property",
    "print.offset=true",
    "--formatter-property",
    "print.key=true",
  ]);
}

function assertProcessed(r: Both, n: number): void {
  for (const side of ["kafka", "logbook"] as const)
    assert.match(r[side].stderr, new RegExp(`Processed a total of ${n} messages`), side);
}

async function describeGroup(expected: string): Promise<void> {
  const r = await onBoth(b, Tool.consumerGroups, [...BS, "--describe", "--group", GROUP]);
  assertSame(r, b, expected, cells);
  for (const side of ["kafka", "logbook"] as const)
    assert.match(
      r[side].stderr,
      new RegExp(`Consumer group '${GROUP}' has no active members`),
      side,
    );
}

const HEADER = "GROUP TOPIC PARTITION CURRENT-OFFSET LOG-END-OFFSET LAG CONSUMER-ID HOST CLIENT-ID";

test("console producer/consumer with keys, then kafka-consumer-groups: lag, resets, deletes", async () => {
  const create = await onBoth(b, Tool.topics, [
    ...BS,
    "--create",
    "--topic",
    TOPIC,
    "--partitions",
    "2",
  ]);
  assertSame(create, b, `Created topic ${TOPIC}.`);

  // Keys are partitioned by the producer (murmur2): k3 to partition 0, k1 and k2 to 1.
  await produce("k1:v1\nk2:v2\nk3:v3\nk1:v4\nk2:v5\nk3:v6\n");
  const first = await consume(6);
  assertSame(
    first,
    b,
    [
      "Partition:0\tOffset:0\tk3\tv3",
      "Partition:0\tOffset:1\tk3\tv6",
      "Partition:1\tOffset:0\tk1\tv1",
      "Partition:1\tOffset:1\tk2\tv2",
      "Partition:1\tOffset:2\tk1\tv4",
      "Partition:1\tOffset:3\tk2\tv5",
    ].join("\n"),
    sortedLines,
  );
  assertProcessed(first, 6);

  // Three more records: the group's lag is 2 on partition 0 and 1 on partition 1.
  await produce("k1:v7\nk3:v8\nk3:v9\n");
  const list = await onBoth(b, Tool.consumerGroups, [...BS, "--list"]);
  assertSame(list, b, GROUP);
  await describeGroup(
    `${HEADER}
${GROUP} ${TOPIC} 0 2 4 2 - - -
${GROUP} ${TOPIC} 1 4 5 1 - - -`,
  );
  const state = await onBoth(b, Tool.consumerGroups, [
    ...BS,
    "--describe",
    "--group",
    GROUP,
    "--state",
  ]);
  assertSame(
    state,
    b,
    `GROUP COORDINATOR (ID) ASSIGNMENT-STRATEGY STATE #MEMBERS
${GROUP} BROKER (1) - Empty 0`,
    cells,
  );

  const reset = (args: string[]) =>
    onBoth(b, Tool.consumerGroups, [...BS, "--reset-offsets", "--group", GROUP, ...args]);
  const dry = await reset(["--topic", TOPIC, "--to-earliest", "--dry-run"]);
  assertSame(
    dry,
    b,
    `GROUP TOPIC PARTITION NEW-OFFSET
${GROUP} ${TOPIC} 0 0
${GROUP} ${TOPIC} 1 0`,
    cells,
  );
  const toOffset = await reset(["--topic", `${TOPIC}:1`, "--to-offset", "3", "--execute"]);
  assertSame(
    toOffset,
    b,
    `GROUP TOPIC PARTITION NEW-OFFSET
${GROUP} ${TOPIC} 1 3`,
    cells,
  );
  const shift = await reset(["--topic", TOPIC, "--shift-by", "-1", "--execute"]);
  assertSame(
    shift,
    b,
    `GROUP TOPIC PARTITION NEW-OFFSET
${GROUP} ${TOPIC} 0 1
${GROUP} ${TOPIC} 1 2`,
    cells,
  );
  // The dry run changed nothing; the two executed resets did.
  await describeGroup(
    `${HEADER}
${GROUP} ${TOPIC} 0 1 4 3 - - -
${GROUP} ${TOPIC} 1 2 5 3 - - -`,
  );
  // The next consumer of the group starts where the resets put it.
  const resumed = await consume(6);
  assertSame(
    resumed,
    b,
    [
      "Partition:0\tOffset:1\tk3\tv6",
      "Partition:0\tOffset:2\tk3\tv8",
      "Partition:0\tOffset:3\tk3\tv9",
      "Partition:1\tOffset:2\tk1\tv4",
      "Partition:1\tOffset:3\tk2\tv5",
      "Partition:1\tOffset:4\tk1\tv7",
    ].join("\n"),
    sortedLines,
  );
  assertProcessed(resumed, 6);

  const delOffsets = await onBoth(b, Tool.consumerGroups, [
    ...BS,
    "--delete-offsets",
    "--group",
    GROUP,
    "--topic",
    TOPIC,
  ]);
  assertSame(
    delOffsets,
    b,
    `Request succeeded for deleting offsets from group ${GROUP}.
TOPIC PARTITION STATUS
${TOPIC} 0 Successful
${TOPIC} 1 Successful`,
    cells,
  );
  const delGroup = await onBoth(b, Tool.consumerGroups, [...BS, "--delete", "--group", GROUP]);
  assertSame(delGroup, b, `Deletion of requested consumer groups ('${GROUP}') was successful.`);
  const none = await onBoth(b, Tool.consumerGroups, [...BS, "--list"]);
  assertSame(none, b, "");
});

test("kafka-consumer-groups --describe (--members) of a group with a live console consumer", async () => {
  const live = "ops-live";
  // A consumer that stays in the group (no records arrive) until its 25 s idle timeout.
  const consumer = onBoth(b, Tool.consoleConsumer, [
    ...BS,
    "--topic",
    TOPIC,
    "--group",
    live,
    "--timeout-ms",
    "25000",
  ]);
  const memberId = (s: string) =>
    s.replace(/console-consumer-[0-9a-f-]{36}/g, "MEMBER").replace(/\/127\.0\.0\.1/g, "HOST");
  // A member shows with 0 partitions between its JoinGroup and its SyncGroup; ask again
  // until the rebalance is done on both brokers, then compare.
  const assigned = `GROUP CONSUMER-ID HOST CLIENT-ID #PARTITIONS
${live} MEMBER HOST console-consumer 2`;
  const describeMembers = () =>
    onBoth(b, Tool.consumerGroups, [...BS, "--describe", "--group", live, "--members"]);
  let r = await describeMembers();
  for (let i = 0; i < 10; i++) {
    const k = memberId(cells(r.kafka.stdout));
    const l = memberId(cells(r.logbook.stdout));
    if (k === assigned && l === assigned) break;
    await new Promise((resolve) => setTimeout(resolve, 500));
    r = await describeMembers();
  }
  assertSame(r, b, assigned, (s) => memberId(cells(s)));
  // Assigned, at the end of the log (a new group starts at latest), committed by the
  // consumer's auto-commit (every 5 s, so asked again until it has happened): lag 0.
  const expected = `${HEADER}
${live} ${TOPIC} 0 4 4 0 MEMBER HOST console-consumer
${live} ${TOPIC} 1 5 5 0 MEMBER HOST console-consumer`;
  let offsets = await onBoth(b, Tool.consumerGroups, [...BS, "--describe", "--group", live]);
  for (let i = 0; i < 5; i++) {
    const seen = (side: "kafka" | "logbook") => memberId(cells(offsets[side].stdout));
    if (seen("kafka") === expected && seen("logbook") === expected) break;
    offsets = await onBoth(b, Tool.consumerGroups, [...BS, "--describe", "--group", live]);
  }
  assertSame(offsets, b, expected, (s) => memberId(cells(s)));
  const done = await consumer;
  assertProcessed(done, 0);
});
