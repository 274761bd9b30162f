/**
 * A follower's Fetch (replica id >= 0) needs CLUSTER_ACTION on the cluster, checked
 * against Kafka 4.4: both brokers with the StandardAuthorizer,
 * allow.everyone.if.no.acl.found=true and a SASL_PLAINTEXT listener where the client is
 * User:alice. An ACL lets User:ANONYMOUS (Kafka's own controller traffic) do
 * CLUSTER_ACTION, so the cluster has ACLs and alice has none: her follower fetch is
 * refused partition by partition, while her consumer fetch of the same topic is served.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
  CreateAclsApi,
  CreateTopicsApi,
  createCreateAclsRequest,
  createCreateAclsRequestAclCreation,
  createCreateTopicsRequest,
  createCreateTopicsRequestCreatableTopic,
  createDescribeAclsRequest,
  createFetchRequest,
  createFetchRequestPartition,
  createFetchRequestTopic,
  createSaslAuthenticateRequest,
  createSaslHandshakeRequest,
  DescribeAclsApi,
  ErrorCode,
  FetchApi,
  SaslAuthenticateApi,
  SaslHandshakeApi,
} from "@logbook/protocol";
import { type BrokerProcess, startBroker } from "./helpers/broker-process.js";
import { freePort, type KafkaProcess, startKafka } from "./helpers/kafka-process.js";
import { WireClient } from "./helpers/wire-client.js";

const AUTHORIZER = "org.apache.kafka.metadata.authorizer.StandardAuthorizer";
const JAAS =
  'org.apache.kafka.common.security.plain.PlainLoginModule required user_alice="alice-secret";';
const TOPIC = "follower-acl";
const CLUSTER = 4;
const LITERAL = 3;
const CLUSTER_ACTION = 9;
const ALLOW = 3;

const SHARED = {
  "authorizer.class.name": AUTHORIZER,
  "allow.everyone.if.no.acl.found": "true",
  "sasl.enabled.mechanisms": "PLAIN",
  "listener.name.sasl_plaintext.plain.sasl.jaas.config": JAAS,
};

let kafka: KafkaProcess | undefined;
let logbook: BrokerProcess | undefined;
const saslPorts = { kafka: 0, logbook: 0 };

before(async () => {
  saslPorts.kafka = await freePort();
  saslPorts.logbook = await freePort();
  [kafka, logbook] = await Promise.all([
    startKafka({
      config: SHARED,
      extraListeners: [
        { name: "SASL_PLAINTEXT", protocol: "SASL_PLAINTEXT", port: saslPorts.kafka },
      ],
    }),
    startBroker({
      args: [
        "-o",
        `listeners=PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:${saslPorts.logbook}`,
        ...Object.entries(SHARED).flatMap(([k, v]) => ["-o", `${k}=${v}`]),
      ],
    }),
  ]);
});
after(async () => {
  await Promise.all([kafka?.stop(), logbook?.stop()]);
});

/** As User:ANONYMOUS on PLAINTEXT: the topic, then CLUSTER_ACTION for ANONYMOUS only. */
async function setUp(port: number): Promise<void> {
  const c = await WireClient.connect(port);
  try {
    const made = await c.request(
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
    assert.equal(made.body.topics[0]?.errorCode, ErrorCode.NONE);
    const acl = await c.request(
      CreateAclsApi,
      3,
      createCreateAclsRequest({
        creations: [
          createCreateAclsRequestAclCreation({
            resourceType: CLUSTER,
            resourceName: "kafka-cluster",
            resourcePatternType: LITERAL,
            principal: "User:ANONYMOUS",
            host: "*",
            operation: CLUSTER_ACTION,
            permissionType: ALLOW,
          }),
        ],
      }),
    );
    assert.equal(acl.body.results[0]?.errorCode, ErrorCode.NONE);
    // Kafka applies the ACL through its metadata log.
    const deadline = Date.now() + 30_000;
    for (;;) {
      const d = await c.request(
        DescribeAclsApi,
        3,
        createDescribeAclsRequest({
          resourceTypeFilter: 1,
          patternTypeFilter: 1,
          operation: 1,
          permissionType: 1,
        }),
      );
      if (d.body.resources.length > 0 || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    c.close();
  }
}

/** A client authenticated as User:alice with SASL PLAIN. */
async function asAlice(port: number): Promise<WireClient> {
  const c = await WireClient.connect(port);
  const hs = await c.request(
    SaslHandshakeApi,
    1,
    createSaslHandshakeRequest({ mechanism: "PLAIN" }),
  );
  assert.equal(hs.body.errorCode, ErrorCode.NONE);
  const auth = await c.request(
    SaslAuthenticateApi,
    2,
    createSaslAuthenticateRequest({ authBytes: Buffer.from("\u0000alice\u0000alice-secret") }),
  );
  assert.equal(auth.body.errorCode, ErrorCode.NONE, auth.body.errorMessage ?? "");
  return c;
}

async function fetchCodes(c: WireClient, replicaId: number): Promise<number[]> {
  const r = await c.request(
    FetchApi,
    12,
    createFetchRequest({
      replicaId,
      maxWaitMs: 0,
      minBytes: 1,
      maxBytes: 1 << 20,
      topics: [
        createFetchRequestTopic({
          topic: TOPIC,
          partitions: [createFetchRequestPartition({ partition: 0, partitionMaxBytes: 1 << 20 })],
        }),
      ],
    }),
  );
  return r.body.responses.flatMap((t) => t.partitions.map((p) => p.errorCode));
}

test("a follower's Fetch without CLUSTER_ACTION is TOPIC_AUTHORIZATION_FAILED on both brokers; a consumer's is served", async () => {
  const sides = [
    ["kafka", kafka?.port ?? 0, saslPorts.kafka],
    ["logbook", logbook?.port ?? 0, saslPorts.logbook],
  ] as const;
  for (const [side, plain, sasl] of sides) {
    await setUp(plain);
    const alice = await asAlice(sasl);
    try {
      assert.deepEqual(await fetchCodes(alice, 1), [ErrorCode.TOPIC_AUTHORIZATION_FAILED], side);
      assert.deepEqual(await fetchCodes(alice, -1), [ErrorCode.NONE], side);
    } finally {
      alice.close();
    }
  }
});
