/**
 * Failover of stateless brokers over one PostgreSQL (#17): three broker processes; a
 * client runs an idempotent producer (acks=all) and a two-member consumer group while
 * one broker is killed with SIGKILL and later another is stopped and started again.
 * Nothing acknowledged may be lost, nothing may be stored twice, and the group must
 * rebalance, resume from its committed offsets and read everything. With kafkajs,
 * librdkafka (Debian's confluent-kafka) and the Java client.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, test } from "node:test";
import type { Kafka } from "kafkajs";
import { PostgresServer } from "../scripts/postgres/server.js";
import type { BrokerProcess } from "./helpers/broker-process.js";
import { PYTHON, requirePythonModule } from "./helpers/groups.js";
import { clusterClient, startClusterNode } from "./helpers/postgres-cluster.js";
import {
  checkLog,
  kafkajsLoad,
  type LoadOutcome,
  waitCommittedToEnd,
  waitUntil,
} from "./helpers/postgres-load.js";
import { runDriver } from "./interop/driven.js";
import { JAVA_CHECKS_CLIENT, runJava } from "./java/java-driver.js";

const PARTITIONS = 6;
const PRODUCE_SECONDS = 12;
const KILL_AFTER_MS = 4_000;
const RESTART_AFTER_MS = 8_000;

let pg: PostgresServer;
let url: string;
/** Slot i holds the broker with node id i + 1 (or the dead one it was). */
const brokers: BrokerProcess[] = [];

function startNode(nodeId: number): Promise<BrokerProcess> {
  return startClusterNode(url, nodeId);
}

function bootstrap(): string {
  return brokers.map((b) => b.bootstrap).join(",");
}

function kafka(clientId: string): Kafka {
  return clusterClient(brokers, clientId, 30);
}

before(async () => {
  pg = await PostgresServer.start();
  url = await pg.createDatabase("failover");
  for (const id of [1, 2, 3]) brokers.push(await startNode(id));
});

after(async () => {
  for (const b of brokers) if (b.isAlive()) await b.stop();
  await pg?.stop();
});

/**
 * Runs `drive` against the three brokers, kills broker `victim` with SIGKILL after
 * KILL_AFTER_MS and stops and restarts the next one after RESTART_AFTER_MS, then checks
 * the log and the group against what the client was told.
 */
async function failover(
  victim: number,
  topic: string,
  group: string,
  drive: (bootstrap: string) => Promise<LoadOutcome>,
) {
  try {
    await failoverRun(victim, topic, group, drive);
  } catch (e) {
    // What the brokers said is the first thing to know when a run fails.
    const said = brokers.map(
      (b, i) =>
        `node ${i + 1} (${b.isAlive() ? "alive" : "dead"}):\n${b.stderr().split("\n").slice(-15).join("\n")}`,
    );
    throw new Error(`${e instanceof Error ? e.message : String(e)}\n${said.join("\n")}`, {
      cause: e,
    });
  }
}

async function failoverRun(
  victim: number,
  topic: string,
  group: string,
  drive: (bootstrap: string) => Promise<LoadOutcome>,
) {
  // Every node is up (a broker killed by an earlier run starts again once its session ended).
  for (let i = 0; i < brokers.length; i++) {
    const b = brokers[i] as BrokerProcess;
    if (b.isAlive()) continue;
    await waitUntil(
      async () => {
        try {
          brokers[i] = await startNode(i + 1);
          return true;
        } catch {
          return false;
        }
      },
      `node ${i + 1} starting again`,
    );
  }
  const admin = kafka("admin").admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS }] });
  await admin.disconnect();

  const outcome = drive(bootstrap());
  await new Promise((r) => setTimeout(r, KILL_AFTER_MS));
  const killed = brokers[victim] as BrokerProcess;
  process.kill(killed.pid, "SIGKILL");
  await killed.exited;
  await new Promise((r) => setTimeout(r, RESTART_AFTER_MS - KILL_AFTER_MS));
  const next = (victim + 1) % brokers.length;
  await (brokers[next] as BrokerProcess).stop();
  brokers[next] = await startNode(next + 1);
  const { acked, unseen } = await outcome;

  assert.ok(acked.length > 500, `the client kept producing (${acked.length} acknowledged)`);
  assert.deepEqual(unseen, [], "the group read every acknowledged record");
  const live = brokers.find((b) => b.isAlive()) as BrokerProcess;
  await checkLog(live, topic, PARTITIONS, acked);
  // The group committed up to the end of every partition (it resumed after each move).
  await waitCommittedToEnd(kafka("check"), topic, group);
}

test("kafkajs: a broker killed and another restarted under an idempotent producer and a group", () =>
  failover(0, "orders-kafkajs", "failover-kafkajs", () =>
    kafkajsLoad({
      kafka,
      topic: "orders-kafkajs",
      group: "failover-kafkajs",
      seconds: PRODUCE_SECONDS,
    }),
  ));

test("librdkafka: a broker killed and another restarted under an idempotent producer and a group", () => {
  requirePythonModule("confluent_kafka");
  const driver = join(import.meta.dirname, "python/failover_confluent.py");
  return failover(
    1,
    "orders-rdkafka",
    "failover-rdkafka",
    async (servers) =>
      (await runDriver(
        "failover_confluent.py",
        PYTHON,
        [driver, servers, "orders-rdkafka", "failover-rdkafka", String(PRODUCE_SECONDS)],
        180_000,
      )) as LoadOutcome,
  );
});

test(`Java kafka-clients ${JAVA_CHECKS_CLIENT}: a broker killed and another restarted under an idempotent producer and a group`, () =>
  failover(
    2,
    "orders-java",
    "failover-java",
    async (servers) =>
      (await runJava(
        JAVA_CHECKS_CLIENT,
        "Failover",
        [servers, "orders-java", "failover-java", String(PRODUCE_SECONDS)],
        180_000,
      )) as LoadOutcome,
  ));
