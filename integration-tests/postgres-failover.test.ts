/**
 * Failover of stateless brokers over one PostgreSQL (#17): three broker processes, an
 * idempotent kafkajs producer (acks=all) and a two-member consumer group running; one
 * broker is killed with SIGKILL, later another is stopped and started again. Nothing
 * acknowledged may be lost, nothing may be stored twice, and the group must rebalance
 * and resume from its committed offsets until it has read everything.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { type Consumer, Kafka, logLevel } from "kafkajs";
import { PostgresServer } from "../scripts/postgres/server.js";
import { type BrokerProcess, startBroker } from "./helpers/broker-process.js";
import { fetchAll } from "./helpers/wire-data.js";

const TOPIC = "orders";
const PARTITIONS = 6;

let pg: PostgresServer;
let url: string;
const brokers: BrokerProcess[] = [];

function startOver(nodeId: number): Promise<BrokerProcess> {
  return startBroker({
    dataDir: url,
    args: [
      "-o",
      `node.id=${nodeId}`,
      "-o",
      "broker.heartbeat.interval.ms=300",
      "-o",
      "broker.session.timeout.ms=1500",
    ],
  });
}

function kafka(clientId: string): Kafka {
  return new Kafka({
    clientId,
    brokers: brokers.map((b) => b.bootstrap),
    logLevel: logLevel.NOTHING,
    retry: { retries: 30, initialRetryTime: 100, maxRetryTime: 1000 },
  });
}

async function waitFor(condition: () => boolean | Promise<boolean>, what: string, ms = 60_000) {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

before(async () => {
  pg = await PostgresServer.start();
  url = await pg.createDatabase("failover");
  for (const id of [1, 2, 3]) brokers.push(await startOver(id));
});

after(async () => {
  for (const b of brokers) if (b.isAlive()) await b.stop();
  await pg?.stop();
});

test("kafkajs: a broker killed and another restarted under an idempotent producer and a group", async () => {
  const admin = kafka("admin").admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: PARTITIONS }] });
  await admin.disconnect();

  const acked: string[] = [];
  const seen = new Set<string>();
  const consumers: Consumer[] = [];
  for (const name of ["a", "b"]) {
    const consumer = kafka(`member-${name}`).consumer({
      groupId: "failover",
      sessionTimeout: 10_000,
      heartbeatInterval: 500,
      retry: { retries: 30, initialRetryTime: 100, maxRetryTime: 1000 },
    });
    await consumer.connect();
    await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
    await consumer.run({
      autoCommitInterval: 200,
      eachMessage: async ({ message }) => {
        seen.add(message.value?.toString() ?? "");
      },
    });
    consumers.push(consumer);
  }

  const producer = kafka("producer").producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  let stop = false;
  let sent = 0;
  const producing = (async () => {
    while (!stop) {
      const values = Array.from({ length: 10 }, (_, i) => `v-${sent + i}`);
      await producer.send({
        topic: TOPIC,
        acks: -1,
        messages: values.map((value) => ({ key: value, value })),
      });
      acked.push(...values);
      sent += values.length;
      await new Promise((r) => setTimeout(r, 20));
    }
  })();

  await waitFor(() => acked.length >= 300 && seen.size >= 100, "records flowing");
  // A broker dies without a word.
  const killed = brokers[0] as BrokerProcess;
  process.kill(killed.pid, "SIGKILL");
  await killed.exited;
  const afterKill = acked.length;
  await waitFor(() => acked.length >= afterKill + 300, "producing after the kill");
  // Another is stopped and started again (its node id is free once it left).
  const restarted = brokers[1] as BrokerProcess;
  await restarted.stop();
  brokers[1] = await startOver(2);
  const afterRestart = acked.length;
  await waitFor(() => acked.length >= afterRestart + 300, "producing after the restart");
  stop = true;
  await producing;
  await producer.disconnect();

  try {
    await waitFor(
      () => acked.every((v) => seen.has(v)),
      "the group read every acknowledged record",
    );
  } catch (e) {
    const missing = acked.filter((v) => !seen.has(v));
    const where: Record<number, number> = {};
    for (let p = 0; p < PARTITIONS; p++) {
      const { records } = await fetchAll((brokers[2] as BrokerProcess).port, TOPIC, p);
      for (const r of records) if (missing.includes(r.value ?? "")) where[p] = (where[p] ?? 0) + 1;
    }
    const check = kafka("diag").admin();
    await check.connect();
    const committed = await check.fetchOffsets({ groupId: "failover", topics: [TOPIC] });
    const ends = await check.fetchTopicOffsets(TOPIC);
    const group = await check.describeGroups(["failover"]);
    await check.disconnect();
    const logs = brokers.map((b) =>
      b
        .stderr()
        .split("\n")
        .filter((l) => /warn|error/.test(l))
        .slice(-8),
    );
    throw new Error(
      `${(e as Error).message}: ${missing.length} of ${acked.length} unread, by partition ${JSON.stringify(where)}; committed ${JSON.stringify(committed)}; ends ${JSON.stringify(ends)}; group ${JSON.stringify(group.groups[0]?.state)} members ${group.groups[0]?.members.length}; logs ${JSON.stringify(logs)}`,
    );
  }

  // The log: every acknowledged record exactly once.
  const live = brokers[2] as BrokerProcess;
  const stored: string[] = [];
  for (let p = 0; p < PARTITIONS; p++) {
    const { records } = await fetchAll(live.port, TOPIC, p);
    stored.push(...records.map((r) => r.value ?? ""));
  }
  const counts = new Map<string, number>();
  for (const v of stored) counts.set(v, (counts.get(v) ?? 0) + 1);
  assert.deepEqual(
    acked.filter((v) => !counts.has(v)),
    [],
    "no acknowledged record is lost",
  );
  assert.deepEqual(
    [...counts].filter(([, n]) => n > 1),
    [],
    "no record is stored twice (idempotence held across leaders)",
  );

  // The group committed up to the end of every partition (it resumed after each move).
  const check = kafka("check").admin();
  await check.connect();
  try {
    const ends = await check.fetchTopicOffsets(TOPIC);
    await waitFor(async () => {
      const committed = await check.fetchOffsets({ groupId: "failover", topics: [TOPIC] });
      const byPartition = new Map(
        (committed[0]?.partitions ?? []).map((p) => [p.partition, p.offset]),
      );
      return ends.every((e) => byPartition.get(e.partition) === e.high);
    }, "committed offsets reach the end of every partition");
  } finally {
    await check.disconnect();
  }
  for (const c of consumers) await c.disconnect();
});
