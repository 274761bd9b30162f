/**
 * A listener left out of advertised.listeners, compared with Kafka 4.4: both brokers
 * with PLAINTEXT advertised and HIDDEN (also PLAINTEXT) not, asked the same Metadata
 * (v1, v5, v6, v12), FindCoordinator (v3, v4) and DescribeCluster on each listener.
 * Kafka starts with such a listener and serves requests on it, but advertises no broker
 * there: Metadata lists no broker and each partition no leader (LEADER_NOT_AVAILABLE
 * before v6, LISTENER_NOT_FOUND from v6, the node an offline replica), FindCoordinator
 * answers COORDINATOR_NOT_AVAILABLE and DescribeCluster no broker and controller -1.
 * kcat's metadata and the Java Admin (AdvertisedChecks) see the same on both brokers.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { after, before, test } from "node:test";
import {
  CreateTopicsApi,
  createCreateTopicsRequest,
  createCreateTopicsRequestCreatableTopic,
  createDescribeClusterRequest,
  createFindCoordinatorRequest,
  createMetadataRequest,
  createMetadataRequestTopic,
  DescribeClusterApi,
  ErrorCode,
  FindCoordinatorApi,
  MetadataApi,
} from "@logbook/protocol";
import { type BrokerProcess, startBroker } from "./helpers/broker-process.js";
import { freePort, type KafkaProcess, startKafka } from "./helpers/kafka-process.js";
import { WireClient } from "./helpers/wire-client.js";
import { JAVA_CHECKS_CLIENT, runJava } from "./java/java-driver.js";

const TOPIC = "advertised-probe";

let kafka: KafkaProcess | undefined;
let logbook: BrokerProcess | undefined;
const hidden = { kafka: 0, logbook: 0 };

before(async () => {
  hidden.kafka = await freePort();
  hidden.logbook = await freePort();
  const plain = await freePort();
  [kafka, logbook] = await Promise.all([
    startKafka({
      extraListeners: [
        { name: "HIDDEN", protocol: "PLAINTEXT", port: hidden.kafka, advertised: false },
      ],
    }),
    startBroker({
      port: plain,
      args: [
        "-o",
        `listeners=PLAINTEXT://127.0.0.1:${plain},HIDDEN://127.0.0.1:${hidden.logbook}`,
        "-o",
        "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,HIDDEN:PLAINTEXT",
        "-o",
        `advertised.listeners=PLAINTEXT://127.0.0.1:${plain}`,
        // Kafka's node id, so that the answers read the same.
        "-o",
        "node.id=1",
      ],
    }),
  ]);
});

after(async () => {
  await Promise.all([kafka?.stop(), logbook?.stop()]);
});

async function createTopic(port: number): Promise<void> {
  const c = await WireClient.connect(port);
  try {
    const r = await c.request(
      CreateTopicsApi,
      7,
      createCreateTopicsRequest({
        timeoutMs: 30_000,
        topics: [
          createCreateTopicsRequestCreatableTopic({
            name: TOPIC,
            numPartitions: 1,
            replicationFactor: 1,
          }),
        ],
      }),
    );
    assert.equal(r.body.topics[0]?.errorCode, ErrorCode.NONE);
  } finally {
    c.close();
  }
}

/**
 * FindCoordinator at v3 (one key) and v4 (a batch). Kafka answers COORDINATOR_NOT_AVAILABLE
 * while it creates __consumer_offsets, so an advertised listener is asked until it knows.
 */
async function findCoordinator(
  c: WireClient,
  portName: (p: number) => unknown,
  advertised: boolean,
): Promise<unknown> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const v3 = await c.request(FindCoordinatorApi, 3, createFindCoordinatorRequest({ key: "g" }));
    const v4 = await c.request(
      FindCoordinatorApi,
      4,
      createFindCoordinatorRequest({ keyType: 0, coordinatorKeys: ["g"] }),
    );
    // Kafka's text on success ("NONE" at v3) is free text the differential suite allows.
    const message = (code: number, text: string | null) => (code === ErrorCode.NONE ? "-" : text);
    const answer = {
      v3: [
        v3.body.errorCode,
        message(v3.body.errorCode, v3.body.errorMessage),
        v3.body.nodeId,
        v3.body.host,
        portName(v3.body.port),
      ],
      v4: v4.body.coordinators.map((x) => [
        x.errorCode,
        message(x.errorCode, x.errorMessage),
        x.nodeId,
        x.host,
        portName(x.port),
      ]),
    };
    // On the listener left out the answer stays "not available": once is enough there.
    if (!advertised || v3.body.errorCode === ErrorCode.NONE || Date.now() > deadline) return answer;
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** What a client sees on `port`, with the advertised port written as "advertised". */
async function answers(port: number, advertisedPort: number): Promise<unknown> {
  const c = await WireClient.connect(port);
  const portName = (p: number) => (p === advertisedPort ? "advertised" : p);
  try {
    const out: Record<string, unknown> = {};
    for (const v of [1, 5, 6, 12]) {
      const m = await c.request(
        MetadataApi,
        v,
        createMetadataRequest({ topics: [createMetadataRequestTopic({ name: TOPIC })] }),
      );
      out[`metadata v${v}`] = {
        brokers: m.body.brokers.map((b) => [b.nodeId, b.host, portName(b.port)]),
        controllerId: m.body.controllerId,
        topics: m.body.topics.map((t) => ({
          errorCode: t.errorCode,
          partitions: t.partitions.map((p) => [
            p.errorCode,
            p.leaderId,
            p.replicaNodes,
            p.isrNodes,
            p.offlineReplicas,
          ]),
        })),
      };
    }
    out.findCoordinator = await findCoordinator(c, portName, port === advertisedPort);
    const d = await c.request(DescribeClusterApi, 1, createDescribeClusterRequest({}));
    out.describeCluster = {
      errorCode: d.body.errorCode,
      brokers: d.body.brokers.map((b) => [b.brokerId, b.host, portName(b.port)]),
      controllerId: d.body.controllerId,
    };
    return out;
  } finally {
    c.close();
  }
}

test("the advertised listener and the one left out answer as Kafka's do", async () => {
  const k = kafka as KafkaProcess;
  const l = logbook as BrokerProcess;
  await createTopic(k.port);
  await createTopic(l.port);
  const kafkaSaw = {
    advertised: await answers(k.port, k.port),
    hidden: await answers(hidden.kafka, k.port),
  };
  const logbookSaw = {
    advertised: await answers(l.port, l.port),
    hidden: await answers(hidden.logbook, l.port),
  };
  assert.deepEqual(logbookSaw, kafkaSaw);
});

/** kcat's metadata on `port`: the brokers and each partition's leader and error. */
function kcatMetadata(port: number, advertisedPort: number): unknown {
  const r = spawnSync("kcat", ["-b", `127.0.0.1:${port}`, "-L", "-J", "-t", TOPIC], {
    encoding: "utf8",
    timeout: 30_000,
  });
  if (r.error !== undefined)
    assert.fail(`kcat could not run (${r.error.message}): install it with apt-get install kcat`);
  assert.equal(r.status, 0, r.stderr);
  const m = JSON.parse(r.stdout) as {
    brokers: { id: number; name: string }[];
    topics: {
      topic: string;
      partitions: { partition: number; leader: number; error?: string }[];
    }[];
  };
  return {
    brokers: m.brokers.map((b) => [b.id, b.name.replace(`:${advertisedPort}`, ":advertised")]),
    partitions: m.topics.flatMap((t) => t.partitions.map((p) => [p.partition, p.leader, p.error])),
  };
}

test("kcat and the Java Admin find the broker on the advertised listener only, on both", async () => {
  const k = kafka as KafkaProcess;
  const l = logbook as BrokerProcess;
  const seen = async (port: number, advertisedPort: number) => {
    const java = (await runJava(JAVA_CHECKS_CLIENT, "AdvertisedChecks", [`127.0.0.1:${port}`])) as {
      nodes?: string[];
      error?: string;
    };
    return {
      kcat: kcatMetadata(port, advertisedPort),
      java: {
        ...java,
        nodes: java.nodes?.map((n) => n.replace(`:${advertisedPort}`, ":advertised")),
      },
    };
  };
  const kafkaSaw = [await seen(k.port, k.port), await seen(hidden.kafka, k.port)];
  const logbookSaw = [await seen(l.port, l.port), await seen(hidden.logbook, l.port)];
  assert.deepEqual(logbookSaw, kafkaSaw);
  // The Java Admin reaches the broker only where it is advertised.
  assert.deepEqual(kafkaSaw[0]?.java.nodes, ["127.0.0.1:advertised"]);
  assert.equal(kafkaSaw[1]?.java.nodes, undefined);
});
