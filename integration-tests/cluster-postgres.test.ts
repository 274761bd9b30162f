/**
 * Three broker processes over one PostgreSQL database: each registers itself, so
 * Metadata on any of them (asked of each broker directly, and through kafkajs) lists all
 * three with the partitions' leadership spread over them; the Java clients see the same,
 * produce to each partition's leader and fetch back at the epoch Metadata gave. A broker killed with SIGKILL drops out after its session
 * timeout and its partitions move to the live ones; one stopped cleanly leaves at once;
 * a second broker with a live one's node id is refused at start-up.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { createMetadataRequest, createMetadataRequestTopic, MetadataApi } from "@logbook/protocol";
import type { Kafka } from "kafkajs";
import { PostgresServer } from "../scripts/postgres/server.js";
import type { BrokerProcess } from "./helpers/broker-process.js";
import { clusterClient, startClusterNode } from "./helpers/postgres-cluster.js";
import { WireClient } from "./helpers/wire-client.js";
import { JAVA_CHECKS_CLIENT, runJava } from "./java/java-driver.js";

const TOPIC = "spread";
const PARTITIONS = 12;
const HEARTBEAT_MS = 200;
const SESSION_MS = 1500;

let server: PostgresServer;
let url: string;
const brokers = new Map<number, BrokerProcess>();

function start(nodeId: number): Promise<BrokerProcess> {
  return startClusterNode(url, nodeId, { heartbeatMs: HEARTBEAT_MS, sessionMs: SESSION_MS });
}

before(async () => {
  server = await PostgresServer.start();
  url = await server.createDatabase("cluster");
  // One at a time: the first creates the schema; the rest find it.
  for (const id of [1, 2, 3]) brokers.set(id, await start(id));
});

after(async () => {
  for (const b of brokers.values()) await b.stop();
  await server.stop();
});

function kafkaOn(b: BrokerProcess): Kafka {
  return clusterClient([b], "cluster-test");
}

interface Seen {
  brokers: number[];
  controller: number;
  leaders: number[];
  epochs: number[];
}

/** One Metadata request to `b` itself: its live brokers and each partition's leader, at once. */
async function seenFrom(b: BrokerProcess): Promise<Seen> {
  const client = await WireClient.connect(b.port);
  try {
    const { body: r } = await client.request(
      MetadataApi,
      12,
      createMetadataRequest({ topics: [createMetadataRequestTopic({ name: TOPIC })] }),
    );
    const partitions = [...(r.topics[0]?.partitions ?? [])].sort(
      (x, y) => x.partitionIndex - y.partitionIndex,
    );
    return {
      brokers: r.brokers.map((x) => x.nodeId).sort((x, y) => x - y),
      controller: r.controllerId,
      leaders: partitions.map((p) => p.leaderId),
      epochs: partitions.map((p) => p.leaderEpoch),
    };
  } finally {
    client.close();
  }
}

/** What kafkajs learns: the brokers (describeCluster) and the leaders (fetchTopicMetadata). */
async function seenByKafkajs(b: BrokerProcess): Promise<{ brokers: number[]; leaders: number[] }> {
  const admin = kafkaOn(b).admin();
  await admin.connect();
  try {
    const cluster = await admin.describeCluster();
    const { topics } = await admin.fetchTopicMetadata({ topics: [TOPIC] });
    const partitions = [...(topics[0]?.partitions ?? [])].sort(
      (x, y) => x.partitionId - y.partitionId,
    );
    return {
      brokers: cluster.brokers.map((x) => x.nodeId).sort((x, y) => x - y),
      leaders: partitions.map((p) => p.leader),
    };
  } finally {
    await admin.disconnect();
  }
}

/** Polls `b` until `done` holds (the cluster converges within a few heartbeats). */
async function waitFor(
  b: BrokerProcess,
  done: (s: Seen) => boolean,
  withinMs: number,
): Promise<Seen> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const seen = await seenFrom(b).catch(() => null);
    if (seen !== null && done(seen)) return seen;
    if (Date.now() > deadline)
      throw new Error(`not reached within ${withinMs} ms; last seen ${JSON.stringify(seen)}`);
    await sleep(100);
  }
}

const same = (a: readonly number[], b: readonly number[]) =>
  a.length === b.length && a.every((x, i) => x === b[i]);

test("three brokers over one database: each lists all three, leadership spread over them", async () => {
  const admin = kafkaOn(brokers.get(1) as BrokerProcess).admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: PARTITIONS }] });
  await admin.disconnect();
  let first: Seen | null = null;
  for (const b of brokers.values()) {
    const seen = await waitFor(
      b,
      (s) => same(s.brokers, [1, 2, 3]) && s.leaders.length === PARTITIONS,
      10_000,
    );
    assert.equal(seen.controller, 1, "the lowest live node id is the controller");
    assert.ok(seen.leaders.every((l) => [1, 2, 3].includes(l)));
    assert.ok(new Set(seen.leaders).size >= 2, `leaders spread: ${seen.leaders.join(",")}`);
    if (first === null) first = seen;
    else assert.deepEqual(seen.leaders, first.leaders, "every broker computes the same leaders");
  }
  // Once the brokers agree, a client sees the same through any of them.
  const client = await seenByKafkajs(brokers.get(2) as BrokerProcess);
  assert.deepEqual(client.brokers, [1, 2, 3]);
  assert.deepEqual(client.leaders, first?.leaders);
  const java = (await runJava(JAVA_CHECKS_CLIENT, "ClusterChecks", [
    (brokers.get(3) as BrokerProcess).bootstrap,
    TOPIC,
    "200",
  ])) as { nodes: number[]; controller: number; leaders: number[]; consumed: number };
  assert.deepEqual(java.nodes, [1, 2, 3]);
  assert.equal(java.controller, 1);
  assert.deepEqual(java.leaders, first?.leaders, "the Java Admin (DescribeTopicPartitions) agrees");
  assert.equal(java.consumed, 200, "produced to each leader and fetched back at its epoch");
});

test("a second broker with a live broker's node id fails to start, saying why", async () => {
  await assert.rejects(start(1), (e: unknown) => {
    assert.ok(e instanceof Error);
    assert.match(e.message, /exited \(1\) before ready/);
    assert.match(e.message, /node\.id 1 is already registered by a live broker/);
    return true;
  });
  const seen = await seenFrom(brokers.get(1) as BrokerProcess);
  assert.deepEqual(seen.brokers, [1, 2, 3], "the live one is unaffected");
});

test("a broker killed drops out after its session timeout; only its partitions move", async () => {
  const one = brokers.get(1) as BrokerProcess;
  const before = await seenFrom(one);
  const victim = before.leaders.includes(3) ? 3 : 2;
  const survivors = [1, 2, 3].filter((id) => id !== victim);
  const killed = brokers.get(victim) as BrokerProcess;
  process.kill(killed.pid, "SIGKILL");
  await killed.exited;
  brokers.delete(victim);
  // A crash is not a leave: the others keep it until its session runs out.
  assert.deepEqual((await seenFrom(one)).brokers, [1, 2, 3]);
  const after = await waitFor(one, (s) => same(s.brokers, survivors), SESSION_MS + 10_000);
  assert.equal(after.leaders.length, PARTITIONS);
  assert.ok(
    after.epochs.every((e) => e > (before.epochs[0] ?? 0)),
    "the leader epoch rose with the generation",
  );
  for (let p = 0; p < PARTITIONS; p++) {
    assert.ok(survivors.includes(after.leaders[p] as number), `partition ${p} has a live leader`);
    if (before.leaders[p] !== victim) assert.equal(after.leaders[p], before.leaders[p]);
  }
  const other = brokers.get(survivors[1] as number) as BrokerProcess;
  // The other survivor learns of it at its own next heartbeat.
  const elsewhere = await waitFor(other, (s) => same(s.brokers, survivors), 10 * HEARTBEAT_MS);
  assert.deepEqual(elsewhere.leaders, after.leaders, "both survivors compute the same leaders");
});

test("a broker stopped cleanly leaves at once, well within the session timeout", async () => {
  const [keep, leave] = [...brokers.keys()].sort((x, y) => x - y) as [number, number];
  const leaving = brokers.get(leave) as BrokerProcess;
  assert.equal(await leaving.stop(), 0);
  brokers.delete(leave);
  const stoppedAt = Date.now();
  const seen = await waitFor(
    brokers.get(keep) as BrokerProcess,
    (s) => same(s.brokers, [keep]),
    SESSION_MS,
  );
  assert.ok(Date.now() - stoppedAt < SESSION_MS);
  assert.ok(seen.leaders.every((l) => l === keep));
});
