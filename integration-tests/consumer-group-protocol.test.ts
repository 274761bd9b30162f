/**
 * The Java client (kafka-clients 4.x) with group.protocol=consumer (KIP-848) against
 * Logbook and the reference Kafka, same assertions: members joining and leaving move
 * partitions without any being read twice or lost, a static member restarting within its
 * session takes its partitions back without a rebalance, commits resume, a subscription
 * by regular expression (SubscriptionPattern) picks up a topic created later; and the same
 * split with librdkafka's consumers (confluent-kafka from PyPI). Against
 * Logbook alone: a broker restart mid-life continues the group (no rebalance). The
 * checks run in integration-tests/java/ConsumerProtocolChecks.java.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { type BrokerProcess, removeDir, startBroker } from "./helpers/broker-process.js";
import { GROUP_BROKER, JsonLinesProcess } from "./helpers/groups.js";
import { type KafkaProcess, startKafka } from "./helpers/kafka-process.js";
import { venvPython } from "./helpers/venv.js";
import { JAVA_CHECKS_CLIENT, javaClasspath, runJava } from "./java/java-driver.js";

/**
 * Both brokers tell members to heartbeat every 500 ms (5 s by default), so tests are
 * quick; both need the minimum lowered to allow it.
 */
const LOGBOOK_ENV = {
  ...GROUP_BROKER.env,
  LOGBOOK_GROUP_CONSUMER_MIN_HEARTBEAT_INTERVAL_MS: "500",
  LOGBOOK_GROUP_CONSUMER_HEARTBEAT_INTERVAL_MS: "500",
};
const KAFKA_CONFIG = {
  "group.initial.rebalance.delay.ms": "0",
  "group.consumer.min.heartbeat.interval.ms": "500",
  "group.consumer.heartbeat.interval.ms": "500",
};

let logbook: BrokerProcess | undefined;
let kafka: KafkaProcess | undefined;
before(async () => {
  [logbook, kafka] = await Promise.all([
    startBroker({ env: LOGBOOK_ENV }),
    startKafka({ config: KAFKA_CONFIG }),
  ]);
});
after(async () => {
  if (logbook?.isAlive()) assert.equal(await logbook.stop(), 0, logbook.stderr());
  if (logbook !== undefined) await removeDir(logbook.dataDir);
  if (kafka !== undefined) await kafka.stop();
});

const checks = (args: string[]) =>
  runJava(JAVA_CHECKS_CLIENT, "ConsumerProtocolChecks", args, 120_000);

function both(name: string, body: (bootstrap: string) => Promise<void>): void {
  for (const n of ["logbook", "kafka"] as const) {
    test(`${name} [${n}]`, async () => {
      const b = n === "logbook" ? logbook : kafka;
      assert.ok(b !== undefined, `${n} did not start`);
      await body(b.bootstrap);
    });
  }
}

const each = (prefix: string, n: number) => Array.from({ length: n }, (_, p) => `${prefix}-${p}`);

both(
  "two then three members, one leaves, one resumes: every record read once by its owner",
  async (bootstrap) => {
    const r = await checks(["rebalance", bootstrap, "kip848-rebalance"]);
    assert.deepEqual(r, {
      read: {
        "1-a-alone": each("one", 6),
        "2-a-b": each("two", 6),
        "3-a-b-c": each("three", 6),
        "4-b-c": each("four", 6),
        "5-resume": each("five", 6),
      },
      misowned: [],
      overlaps: [],
    });
  },
);

both(
  "a static member restarting within its session gets its partitions back, no rebalance",
  async (bootstrap) => {
    const r = await checks(["static", bootstrap, "kip848-static"]);
    assert.deepEqual(r, {
      sameAssignment: true,
      otherMemberCallbacks: 0,
      held: [2, 2],
      overlaps: [],
    });
  },
);

both(
  "one group id: classic, then consumer protocol (an empty group upgrades, offsets kept), then classic again",
  async (bootstrap) => {
    const r = await checks(["upgrade", bootstrap, "kip848-upgrade"]);
    assert.deepEqual(r, {
      read: { "1-classic": each("v1", 2), "2-consumer": each("v2", 2), "3-classic": each("v3", 2) },
      misowned: [],
    });
  },
);

both(
  "live migration: two classic members, one rolled to the consumer protocol (upgrade), it leaves (downgrade), a classic one joins, a new one resumes",
  async (bootstrap) => {
    const r = await checks(["migration", bootstrap, "live-migration"]);
    assert.deepEqual(r, {
      read: {
        "1-classic": each("one", 4),
        "2-upgraded": each("two", 4),
        "3-downgraded": each("three", 4),
        "4-resume": each("four", 4),
      },
      misowned: [],
      overlaps: [],
    });
  },
);

both(
  "subscribe(SubscriptionPattern): the broker resolves the expression, a topic created later joins",
  async (bootstrap) => {
    const r = await checks(["regex", bootstrap, "kip848-regex"]);
    assert.deepEqual(r, {
      first: ["kip848-regex-a-0", "kip848-regex-a-1", "kip848-regex-b-0"],
      held: [
        "kip848-regex-a-0",
        "kip848-regex-a-1",
        "kip848-regex-b-0",
        "kip848-regex-late-0",
        "kip848-regex-late-1",
      ],
      read: ["a-0", "a-1", "b-0", "late-0", "late-1"],
    });
  },
);

for (const [bProtocol, what] of [
  ["consumer", "two members"],
  ["classic", "a consumer-protocol and a classic member (mixed group)"],
] as const) {
  both(
    `confluent-kafka (librdkafka 2.16): ${what} split the partitions, every record read once`,
    async (bootstrap) => {
      const python = await venvPython();
      const name = bProtocol === "consumer" ? "kip848-librdkafka" : "kip848-librdkafka-mixed";
      const driver = new JsonLinesProcess("kip848_members.py", python, [
        "integration-tests/python/kip848_members.py",
        bootstrap,
        name,
        name,
        bProtocol,
      ]);
      const done = await driver.exited;
      assert.equal(done.code, 0, driver.stderr());
      assert.deepEqual(driver.events("result")[0]?.result, {
        read: { "1-a": each("one", 4), "2-ab": each("two", 4) },
        misowned: [],
        overlaps: [],
      });
    },
  );
}

for (const [check, what] of [
  ["broker-restart", "the group"],
  ["mixed-restart", "a mixed group (a classic member inside)"],
] as const) {
  test(`a Logbook restart mid-life continues ${what}: same members, no rebalance [logbook]`, async () => {
    const dataDir = logbook?.dataDir;
    const port = logbook?.port;
    assert.ok(logbook !== undefined && dataDir !== undefined && port !== undefined);
    const driver = new JsonLinesProcess("java broker-restart", "java", [
      "-Xmx256m",
      "-XX:+UseSerialGC",
      "-cp",
      javaClasspath(JAVA_CHECKS_CLIENT),
      "dev.logbook.java.ConsumerProtocolChecks",
      check,
      logbook.bootstrap,
      `kip848-${check}`,
    ]);
    try {
      await driver.waitLine("ready", (l) => l.event === "ready", 90_000);
      assert.equal(await logbook.stop(), 0, logbook.stderr());
      logbook = await startBroker({ env: LOGBOOK_ENV, dataDir, port });
      driver.send("go");
      const done = await driver.exited;
      assert.equal(done.code, 0, driver.stderr());
      const r = driver.events("result")[0]?.result;
      assert.deepEqual(r, {
        callbacksAfterRestart: 0,
        read: { after: each("two", 4), before: each("one", 4) },
        misowned: [],
        overlaps: [],
      });
    } finally {
      if (driver.alive()) process.kill(driver.pid, "SIGKILL");
    }
  });
}
