/**
 * The Java client's KafkaConsumer (kafka-clients 4.x, or the version LOGBOOK_JAVA_CLIENT
 * names) against Logbook and against the reference Kafka, same assertions for both:
 * classic groups with the range (eager) and cooperative-sticky assignors, static
 * membership, assign() with seeks, read_committed, a topic deleted and made again (topic
 * ids), and the KIP-848 consumer protocol.
 * The checks run in integration-tests/java/ConsumerChecks.java.
 */
import assert from "node:assert/strict";
import { logbookAndKafka } from "./java/both-brokers.js";
import { JAVA_CHECKS_CLIENT, runJava } from "./java/java-driver.js";

const { check } = logbookAndKafka();
const consumerCheck = (args: string[]) => runJava(JAVA_CHECKS_CLIENT, "ConsumerChecks", args);

/** What every assignor must give: each record read once, by its partition's owner. */
function checkGroupReads(r: Record<string, unknown>) {
  const each = (prefix: string) => Array.from({ length: 4 }, (_, p) => `${prefix}-${p}`);
  assert.deepEqual(r.read, {
    "a-alone": each("one"),
    both: each("two"),
    "a-again": each("three"),
    resume: each("four"),
  });
  assert.deepEqual(r.misowned, [], "records read only by the partition's owner");
  assert.deepEqual(r.overlaps, [], "no partition owned by two members at once");
  assert.deepEqual(r.heldAfterJoin, [2, 2], "the second member takes half");
}

check("classic group, range assignor (eager): join, leave, commits, resume", async (t) => {
  const r = (await consumerCheck(["group", t.bootstrap, "grp-range", "range"])) as Record<
    string,
    unknown
  >;
  checkGroupReads(r);
  // Eager: every member gives up everything before each rebalance.
  assert.deepEqual(r.revokedWhenBJoined, { a: [0, 1, 2, 3] });
  const left = r.revokedWhenBLeft as Record<string, number[]>;
  assert.equal(left.a?.length, 2, `a gave up its two partitions when b left: ${JSON.stringify(r)}`);
  assert.equal(left.b?.length, 2, "b gave up its own on close");
});

check("classic group, cooperative-sticky assignor: join, leave, commits, resume", async (t) => {
  const r = (await consumerCheck([
    "group",
    t.bootstrap,
    "grp-coop",
    "cooperative-sticky",
  ])) as Record<string, unknown>;
  checkGroupReads(r);
  // Cooperative: only the two partitions that move are revoked; when b leaves, a keeps
  // what it has (only b, closing, gives up its own).
  const joined = r.revokedWhenBJoined as Record<string, number[]>;
  assert.deepEqual(Object.keys(joined), ["a"]);
  assert.equal(joined.a?.length, 2, `a gave up exactly two: ${JSON.stringify(r)}`);
  assert.deepEqual(Object.keys(r.revokedWhenBLeft as object), ["b"]);
});

check("static membership: a restart within the session timeout causes no rebalance", async (t) => {
  const r = await consumerCheck(["static", t.bootstrap, "static"]);
  assert.deepEqual(r, {
    s1SameAfterRestart: true,
    s2Unchanged: true,
    s2RebalanceCallbacks: 0,
    s2SameGeneration: true,
    restartedSameGeneration: true,
    split: [2, 2],
  });
});

check("assign() and seek: to an offset, the beginning, the end, by timestamp", async (t) => {
  const t0 = Date.now() - 60_000;
  const r = await consumerCheck(["assign-seek", t.bootstrap, "seeks", String(t0)]);
  assert.deepEqual(r, {
    beginning: 0,
    end: 10,
    afterSeek3: "3:t-3",
    positionAtBeginning: 0,
    afterSeekToBeginning: "0:t-0",
    positionAtEnd: 10,
    // [offset, record timestamp - t0] of the first record at or after t0 + key.
    offsetsForTimes: {
      "-1000": [0, 0],
      "0": [0, 0],
      "4500": [5, 5000],
      "9000": [9, 9000],
      "20000": null,
    },
    fromTime: ["t-5", "t-6", "t-7", "t-8", "t-9"],
    positionAfterReading: 10,
  });
});

check(
  "read_committed: aborted records never seen, an open transaction holds the end",
  async (t) => {
    const r = await consumerCheck(["read-committed", t.bootstrap, "rc"]);
    const committed = ["c-0", "c-1", "c-2", "c-3"];
    assert.deepEqual(r, {
      committed,
      uncommitted: ["c-0", "c-1", "c-2", "a-0", "a-1", "a-2", "c-3"],
      // Offsets: c-0..c-2 0-2, commit marker 3, a-0..a-2 4-6, abort marker 7, c-3 8,
      // marker 9; the open transaction's first record is 10.
      endCommittedWhileOpen: 10,
      endUncommittedWhileOpen: 11,
      uncommittedSeesOpen: true,
      endCommittedAfterAbort: 12,
      committedAfterAbort: committed,
    });
  },
);

check("topic ids: a topic deleted and made again under an assigned consumer", async (t) => {
  // Fetch v13+ names topics by id: the consumer must notice the new id, read the new
  // topic from its start, and never mix in records of the old one.
  assert.deepEqual(await consumerCheck(["recreated-topic", t.bootstrap, "recreated"]), {
    newTopicId: true,
    read: ["0:old-0", "1:old-1", "2:old-2", "0:new-0"],
    errors: [],
  });
});

check("group.protocol=consumer (KIP-848): a member reads the topic", async (t) => {
  // The full KIP-848 checks are in consumer-group-protocol.test.ts.
  const r = await consumerCheck(["consumer-protocol", t.bootstrap, "kip848"]);
  assert.deepEqual(r, { error: "none", read: ["v-0", "v-1"] });
});
