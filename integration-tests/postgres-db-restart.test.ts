/**
 * The database restarted under running brokers (#17): three broker processes over one
 * PostgreSQL; a client runs an idempotent producer (acks=all, a few keys over several
 * partitions) and a two-member consumer group while the PostgreSQL server is crashed
 * (SIGKILL of the postmaster) and started again a few seconds later. The brokers must
 * live through it and serve again; the clients may see only errors they ride out
 * (retriable ones); every acknowledged record is in the log once, in acknowledgement
 * order per key; the group commits to the end of every partition. With kafkajs, the Java
 * client and librdkafka (Debian's confluent-kafka); kafkajs also through an outage longer
 * than a broker retries a write.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, type TestContext, test } from "node:test";
import { errorByCode } from "@logbook/protocol";
import type { Kafka } from "kafkajs";
import { PostgresServer } from "../scripts/postgres/server.js";
import type { BrokerProcess } from "./helpers/broker-process.js";
import { PYTHON, requirePythonModule } from "./helpers/groups.js";
import { clusterClient, startClusterNode } from "./helpers/postgres-cluster.js";
import {
  checkLog,
  kafkajsLoad,
  type LoadOutcome,
  namedLibrdkafkaErrors,
  recordingResponseErrors,
  riddenOut,
  waitCommittedToEnd,
  waitUntil,
} from "./helpers/postgres-load.js";
import { fetchAll, fetchOnce } from "./helpers/wire-data.js";
import { runDriver } from "./interop/driven.js";
import { JAVA_CHECKS_CLIENT, runJava } from "./java/java-driver.js";

const PARTITIONS = 4;
const KEYS = 12;
const PRODUCE_SECONDS = 14;
const CRASH_AFTER_MS = 3_000;
/** Longer than the brokers' session timeout: every broker is expired when it comes back. */
const DOWN_MS = 4_000;
/** Longer than a broker keeps retrying a write (15 s): such writes fail, retriably. */
const LONG_DOWN_MS = 17_000;

let pg: PostgresServer;
let url: string;
const brokers: BrokerProcess[] = [];

function bootstrap(): string {
  return brokers.map((b) => b.bootstrap).join(",");
}

before(async () => {
  pg = await PostgresServer.start();
  url = await pg.createDatabase("restart");
  for (const id of [1, 2, 3]) brokers.push(await startClusterNode(url, id));
});

after(async () => {
  for (const b of brokers) if (b.isAlive()) await b.stop();
  await pg?.stop();
});

/**
 * Runs `drive` against the brokers, crashes the database after CRASH_AFTER_MS and starts
 * it again `downMs` later, then checks the brokers, the clients' errors, the log and the
 * group. Tells the test's output which errors the client saw.
 */
async function restartUnderLoad(
  t: TestContext,
  topic: string,
  group: string,
  drive: (bootstrap: string) => Promise<LoadOutcome>,
  downMs = DOWN_MS,
): Promise<string[]> {
  try {
    const errors = await restartRun(topic, group, drive, downMs);
    t.diagnostic(`errors the client saw: ${[...new Set(errors)].join(", ") || "none"}`);
    return errors;
  } catch (e) {
    // What the brokers said is the first thing to know when a run fails.
    const said = brokers.map(
      (b, i) =>
        `node ${i + 1} (${b.isAlive() ? "alive" : "dead"}):\n${b.stderr().split("\n").slice(-20).join("\n")}`,
    );
    throw new Error(`${e instanceof Error ? e.message : String(e)}\n${said.join("\n")}`, {
      cause: e,
    });
  }
}

async function restartRun(
  topic: string,
  group: string,
  drive: (bootstrap: string) => Promise<LoadOutcome>,
  downMs: number,
): Promise<string[]> {
  const admin = clusterClient(brokers, "admin", 30).admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS }] });
  await admin.disconnect();

  const outcome = drive(bootstrap());
  await new Promise((r) => setTimeout(r, CRASH_AFTER_MS));
  await pg.kill();
  const downUntil = Date.now() + downMs;
  // Judged once the database is back and the client done, so a failure leaves neither behind.
  const whileDown = await fetchErrorsWhileDown(topic).catch((e: unknown) => [String(e)]);
  await new Promise((r) => setTimeout(r, Math.max(0, downUntil - Date.now())));
  await pg.restart();
  const { acked, unseen, errors = [] } = await outcome;
  assert.deepEqual(
    whileDown,
    [],
    "a fetch that must read the database while it is down gets retriable errors only",
  );

  assert.deepEqual(
    brokers.filter((b) => !b.isAlive()).map((b) => b.stderr()),
    [],
    "every broker lived through the outage",
  );
  assert.deepEqual(
    errors.filter((e) => !riddenOut(e)),
    [],
    `the client saw only errors it rides out (all: ${[...new Set(errors)].join(", ")})`,
  );
  assert.ok(acked.length > 500, `the client kept producing (${acked.length} acknowledged)`);
  assert.deepEqual(unseen, [], "the group read every acknowledged record");
  await checkLog(brokers[0] as BrokerProcess, topic, PARTITIONS, acked, KEYS);
  await waitCommittedToEnd(clusterClient(brokers, "check", 30), topic, group);
  await servingAgain(topic);
  return errors;
}

/**
 * While the database is down, a fetch from offset 0 (which must read it) through each
 * broker: the error codes that are not retriable (UNKNOWN_SERVER_ERROR was the answer
 * before), as "broker: name". A client backs off and retries a retriable one.
 */
async function fetchErrorsWhileDown(topic: string): Promise<string[]> {
  const all = Array.from({ length: PARTITIONS }, (_, p) => p);
  const wrong: string[] = [];
  for (const b of brokers) {
    const body = await fetchOnce(b.port, topic, all, 0n);
    const codes = [
      body.errorCode,
      ...(body.responses[0]?.partitions ?? []).map((p) => p.errorCode),
    ];
    for (const c of codes)
      if (c !== 0 && errorByCode(c)?.retriable !== true)
        wrong.push(`${b.bootstrap}: ${errorByCode(c)?.name ?? c}`);
  }
  return wrong;
}

/** Every broker answers Metadata with all three brokers, and produce and fetch work. */
async function servingAgain(topic: string) {
  for (const b of brokers) {
    const admin = clusterClient([b], "metadata", 5).admin();
    await admin.connect();
    try {
      await waitUntil(
        async () => (await admin.describeCluster()).brokers.length === brokers.length,
        `${b.bootstrap} lists every broker again`,
        30_000,
      );
    } finally {
      await admin.disconnect();
    }
  }
  const producer = clusterClient(brokers, "after", 10).producer({ idempotent: true });
  await producer.connect();
  try {
    const sent = await producer.send({
      topic,
      acks: -1,
      messages: [{ key: "after", value: "after-restart", partition: 0 }],
    });
    const offset = BigInt(sent[0]?.baseOffset ?? "-1");
    // Each broker hears of the append through its notification connection (reconnected).
    for (const b of brokers)
      await waitUntil(
        async () =>
          (await fetchAll(b.port, topic, 0, offset)).records[0]?.value === "after-restart",
        `${b.bootstrap} serves the new record`,
        15_000,
      );
  } finally {
    await producer.disconnect();
  }
}

/** The kafkajs load in this process, recording the Kafka errors of every failed response. */
function kafkajsRestart(t: TestContext, name: string, downMs = DOWN_MS): Promise<string[]> {
  const errors: string[] = [];
  const kafka = (clientId: string): Kafka =>
    clusterClient(brokers, clientId, 30, recordingResponseErrors(errors));
  return restartUnderLoad(
    t,
    name,
    name,
    () =>
      kafkajsLoad({
        kafka,
        topic: name,
        group: name,
        seconds: PRODUCE_SECONDS,
        keys: KEYS,
        errors,
      }),
    downMs,
  );
}

test("kafkajs: the database restarted under an idempotent producer and a group", async (t) => {
  await kafkajsRestart(t, "restart-kafkajs");
});

// Longer than a broker retries a write: a write still failing then (a group commit, a
// produce) is answered with a retriable error (and the broker, which died of it once,
// lives on).
test("kafkajs: the database down longer than brokers retry a write: failed writes come back retriable", async (t) => {
  const errors = await kafkajsRestart(t, "restart-kafkajs-long", LONG_DOWN_MS);
  assert.ok(
    errors.some((e) => e === "COORDINATOR_NOT_AVAILABLE" || e === "KAFKA_STORAGE_ERROR"),
    "a write that gave up reached the client as a retriable error",
  );
});

test(`Java kafka-clients ${JAVA_CHECKS_CLIENT}: the database restarted under an idempotent producer and a group`, async (t) => {
  await restartUnderLoad(
    t,
    "restart-java",
    "restart-java",
    async (servers) =>
      (await runJava(
        JAVA_CHECKS_CLIENT,
        "Failover",
        [servers, "restart-java", "restart-java", String(PRODUCE_SECONDS), String(KEYS)],
        180_000,
      )) as LoadOutcome,
  );
});

test("librdkafka: the database restarted under an idempotent producer and a group", async (t) => {
  requirePythonModule("confluent_kafka");
  const driver = join(import.meta.dirname, "python/failover_confluent.py");
  await restartUnderLoad(t, "restart-rdkafka", "restart-rdkafka", async (servers) => {
    const outcome = (await runDriver(
      "failover_confluent.py",
      PYTHON,
      [
        driver,
        servers,
        "restart-rdkafka",
        "restart-rdkafka",
        String(PRODUCE_SECONDS),
        String(KEYS),
      ],
      180_000,
    )) as LoadOutcome;
    return { ...outcome, errors: namedLibrdkafkaErrors(outcome.errors ?? []) };
  });
});
