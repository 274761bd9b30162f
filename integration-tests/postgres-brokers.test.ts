/**
 * Stateless brokers over one PostgreSQL (#17): three real broker processes share a
 * database started by the test; topics made on one are seen by all, records produced
 * through all of them to one partition get dense offsets, a broker killed with SIGKILL
 * and started again holds nothing of its own, and the Java client and librdkafka run
 * their idempotent and transactional scenarios on a broker over PostgreSQL.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import {
  ApiVersionsApi,
  createApiVersionsRequest,
  createShareGroupHeartbeatRequest,
  ErrorCode,
  ShareGroupHeartbeatApi,
} from "@logbook/protocol";
import type { Kafka } from "kafkajs";
import { PostgresServer } from "../scripts/postgres/server.js";
import { type BrokerProcess, runCli, startBroker } from "./helpers/broker-process.js";
import { PYTHON, requirePythonModule } from "./helpers/groups.js";
import { clusterClient, startClusterNode } from "./helpers/postgres-cluster.js";
import { WireClient } from "./helpers/wire-client.js";
import { fetchAll } from "./helpers/wire-data.js";
import { runDriver } from "./interop/driven.js";
import {
  type ClientRecord,
  checkIdempotent,
  checkTransactions,
  createTopics,
} from "./interop/scenarios.js";
import { JAVA_CHECKS_CLIENT, runJava } from "./java/java-driver.js";

let pg: PostgresServer;
let url: string;
const brokers: BrokerProcess[] = [];

function startOver(nodeId: number): Promise<BrokerProcess> {
  return startClusterNode(url, nodeId);
}

function client(broker: BrokerProcess, clientId = "pg-brokers"): Kafka {
  return clusterClient([broker], clientId, 10);
}

async function topicId(broker: BrokerProcess, topic: string): Promise<string> {
  const r = await runCli(["topic", "describe", topic, "-b", broker.bootstrap, "--format", "json"]);
  assert.equal(r.code, 0, r.stderr);
  return (JSON.parse(r.stdout) as { id: string }).id;
}

async function eventually(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

before(async () => {
  pg = await PostgresServer.start();
  url = await pg.createDatabase("cluster");
  for (const id of [1, 2, 3]) brokers.push(await startOver(id));
});

after(async () => {
  for (const b of brokers) if (b.isAlive()) await b.stop();
  await pg?.stop();
});

describe("three brokers over one PostgreSQL", () => {
  test("a topic made on one broker is served by the others", async () => {
    const [a, b, c] = brokers as [BrokerProcess, BrokerProcess, BrokerProcess];
    await createTopics(client(a), [{ topic: "made-on-a", numPartitions: 3 }]);
    for (const other of [b, c]) {
      const admin = client(other).admin();
      await admin.connect();
      try {
        await eventually(
          async () => (await admin.listTopics()).includes("made-on-a"),
          `broker ${other.bootstrap} lists the topic`,
        );
        const md = await admin.fetchTopicMetadata({ topics: ["made-on-a"] });
        assert.equal(md.topics[0]?.partitions.length, 3);
      } finally {
        await admin.disconnect();
      }
    }
    const id = await topicId(a, "made-on-a");
    assert.equal(await topicId(b, "made-on-a"), id);
    assert.equal(await topicId(c, "made-on-a"), id);
  });

  test("one topic name created on every broker at once: exactly one creation wins", async () => {
    const outcomes = await Promise.all(
      brokers.map(async (b) => {
        const admin = client(b).admin();
        await admin.connect();
        try {
          return await admin.createTopics({ topics: [{ topic: "raced", numPartitions: 2 }] });
        } catch (e) {
          return (e as Error).message;
        } finally {
          await admin.disconnect();
        }
      }),
    );
    assert.equal(outcomes.filter((o) => o === true).length, 1, JSON.stringify(outcomes));
    const ids = await Promise.all(brokers.map((b) => topicId(b, "raced")));
    assert.equal(new Set(ids).size, 1, `every broker has the same topic: ${ids.join(", ")}`);
  });

  test("idempotent producers on every broker, one partition: dense offsets, nothing lost or doubled", async () => {
    await createTopics(client(brokers[0] as BrokerProcess), [
      { topic: "shared", numPartitions: 1 },
    ]);
    const perProducer = 150;
    await Promise.all(
      brokers.map(async (b, i) => {
        const producer = client(b, `producer-${i}`).producer({ idempotent: true });
        await producer.connect();
        try {
          for (let n = 0; n < perProducer; n += 10) {
            await producer.send({
              topic: "shared",
              acks: -1,
              messages: Array.from({ length: 10 }, (_, k) => ({
                partition: 0,
                value: `p${i}-${n + k}`,
              })),
            });
          }
        } finally {
          await producer.disconnect();
        }
      }),
    );
    const { records, highWatermark } = await fetchAll(
      (brokers[2] as BrokerProcess).port,
      "shared",
      0,
    );
    assert.equal(highWatermark, BigInt(perProducer * 3));
    assert.deepEqual(
      records.map((r) => Number(r.offset)),
      Array.from({ length: perProducer * 3 }, (_, i) => i),
    );
    for (let i = 0; i < 3; i++) {
      assert.deepEqual(
        records.map((r) => r.value).filter((v) => v?.startsWith(`p${i}-`)),
        Array.from({ length: perProducer }, (_, n) => `p${i}-${n}`),
        `producer ${i}'s records once each, in order`,
      );
    }
  });

  test("a broker killed with SIGKILL and started again has everything (it holds nothing itself)", async () => {
    const first = brokers[0] as BrokerProcess;
    await createTopics(client(first), [{ topic: "survives", numPartitions: 1 }]);
    const producer = client(first).producer({ idempotent: true });
    await producer.connect();
    await producer.send({
      topic: "survives",
      acks: -1,
      messages: Array.from({ length: 20 }, (_, i) => ({ partition: 0, value: `s-${i}` })),
    });
    await producer.disconnect();
    process.kill(first.pid, "SIGKILL");
    await first.exited;
    // As on Kafka, a node id stays taken until its holder's session times out.
    const admin = client(brokers[1] as BrokerProcess).admin();
    await admin.connect();
    await eventually(
      async () => (await admin.describeCluster()).brokers.every((b) => b.nodeId !== 1),
      "the killed broker drops out of the cluster",
    );
    await admin.disconnect();
    const again = await startOver(1);
    brokers[0] = again;
    const { records } = await fetchAll(again.port, "survives", 0);
    assert.deepEqual(
      records.map((r) => r.value),
      Array.from({ length: 20 }, (_, i) => `s-${i}`),
    );
    const more = client(again).producer({ idempotent: true });
    await more.connect();
    const [sent] = await more.send({
      topic: "survives",
      acks: -1,
      messages: [{ partition: 0, value: "after-restart" }],
    });
    await more.disconnect();
    assert.equal(sent?.baseOffset, "20");
  });
});

test("share groups are not offered over a shared database: share.version 0, share APIs UNSUPPORTED_VERSION", async () => {
  const wire = await WireClient.connect((brokers[0] as BrokerProcess).port);
  try {
    const { body: versions } = await wire.request(
      ApiVersionsApi,
      4,
      createApiVersionsRequest({ clientSoftwareName: "logbook-tests", clientSoftwareVersion: "1" }),
    );
    const share = versions.supportedFeatures.find((f) => f.name === "share.version");
    assert.equal(share?.maxVersion, 0, "supported up to level 0 only");
    assert.equal(
      versions.finalizedFeatures.find((f) => f.name === "share.version"),
      undefined,
      "not finalized",
    );
    const { body } = await wire.request(
      ShareGroupHeartbeatApi,
      1,
      createShareGroupHeartbeatRequest({
        groupId: "share",
        memberId: "m-1",
        memberEpoch: 0,
        subscribedTopicNames: ["shared"],
      }),
    );
    assert.equal(body.errorCode, ErrorCode.UNSUPPORTED_VERSION);
  } finally {
    wire.close();
  }
});

describe("clients over the PostgreSQL engine", () => {
  const clients: {
    name: string;
    run: (scenario: string, b: BrokerProcess, topic: string) => Promise<unknown>;
  }[] = [
    {
      name: `Java kafka-clients ${JAVA_CHECKS_CLIENT}`,
      run: (scenario, b, topic) =>
        runJava(JAVA_CHECKS_CLIENT, "Scenarios", [scenario, b.bootstrap, topic]),
    },
    {
      name: "librdkafka (confluent-kafka-python)",
      run: (scenario, b, topic) => {
        requirePythonModule("confluent_kafka");
        const driver = join(import.meta.dirname, "interop/drivers/confluent_scenarios.py");
        return runDriver("confluent_scenarios.py", PYTHON, [driver, scenario, b.bootstrap, topic]);
      },
    },
  ];
  clients.forEach((c, i) => {
    test(`${c.name}: idempotent producing on the three-broker cluster`, async () => {
      const b = brokers[1 + i] as BrokerProcess;
      const idem = `idem-${i}`;
      await createTopics(client(b), [{ topic: idem, numPartitions: 1 }]);
      await checkIdempotent((await c.run("idempotent", b, idem)) as ClientRecord[], b, idem);
    });
    // One broker alone over PostgreSQL (no cluster membership); transactions across
    // brokers are postgres-transactions.test.ts.
    test(`${c.name}: transactions on a broker over PostgreSQL`, async () => {
      const alone = await startBroker({ dataDir: await pg.createDatabase(`txn_${i}`) });
      try {
        await createTopics(client(alone), [{ topic: "txn", numPartitions: 1 }]);
        const values = (await c.run("transactions", alone, "txn")) as string[];
        await checkTransactions(values, alone, "txn", true);
      } finally {
        await alone.stop();
      }
    });
  });
});
