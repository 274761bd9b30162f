/**
 * A follower's Fetch (replica id >= 0) needs CLUSTER_ACTION on the cluster, checked
 * against Kafka 4.4: both brokers with the StandardAuthorizer,
 * allow.everyone.if.no.acl.found=true and a SASL_PLAINTEXT listener where the client is
 * User:alice. An ACL lets User:ANONYMOUS (Kafka's own controller traffic) do
 * CLUSTER_ACTION, so the cluster has ACLs and alice has none: her follower fetch is
 * refused partition by partition, while her consumer fetch of the same topic is served.
 * ANONYMOUS's follower fetch (allowed) from a broker id that is no replica gets the
 * same answer from both, field by field, at v12 and v17.
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
const topicIds: Record<"kafka" | "logbook", Buffer> = {
  kafka: Buffer.alloc(16),
  logbook: Buffer.alloc(16),
};

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
        // Kafka's node id, so that current_leader reads the same on both.
        "-o",
        "node.id=1",
        ...Object.entries(SHARED).flatMap(([k, v]) => ["-o", `${k}=${v}`]),
      ],
    }),
  ]);
  topicIds.kafka = await setUp(kafka.port);
  topicIds.logbook = await setUp(logbook.port);
});
after(async () => {
  await Promise.all([kafka?.stop(), logbook?.stop()]);
});

/** As User:ANONYMOUS on PLAINTEXT: the topic, then CLUSTER_ACTION for ANONYMOUS only; the topic's id. */
async function setUp(port: number): Promise<Buffer> {
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
    const topicId = made.body.topics[0]?.topicId ?? Buffer.alloc(16);
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
    return topicId;
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

/** A Fetch of the topic's partition 0 from `replicaId` (in replica_state from v15). */
async function fetchAs(
  c: WireClient,
  replicaId: number,
  opts: { version?: number; topicId?: Buffer; currentLeaderEpoch?: number } = {},
) {
  const version = opts.version ?? 12;
  return c.request(
    FetchApi,
    version,
    createFetchRequest({
      ...(version >= 15 ? { replicaState: { replicaId, replicaEpoch: 7n } } : { replicaId }),
      maxWaitMs: 0,
      minBytes: 1,
      maxBytes: 1 << 20,
      topics: [
        createFetchRequestTopic({
          topic: TOPIC,
          topicId: opts.topicId ?? Buffer.alloc(16),
          partitions: [
            createFetchRequestPartition({
              partition: 0,
              partitionMaxBytes: 1 << 20,
              currentLeaderEpoch: opts.currentLeaderEpoch ?? -1,
            }),
          ],
        }),
      ],
    }),
  );
}

async function fetchCodes(c: WireClient, replicaId: number): Promise<number[]> {
  const r = await fetchAs(c, replicaId);
  return r.body.responses.flatMap((t) => t.partitions.map((p) => p.errorCode));
}

test("a follower's Fetch without CLUSTER_ACTION is TOPIC_AUTHORIZATION_FAILED on both brokers; a consumer's is served", async () => {
  const sides = [
    ["kafka", kafka?.port ?? 0, saslPorts.kafka],
    ["logbook", logbook?.port ?? 0, saslPorts.logbook],
  ] as const;
  for (const [side, , sasl] of sides) {
    const alice = await asAlice(sasl);
    try {
      assert.deepEqual(await fetchCodes(alice, 1), [ErrorCode.TOPIC_AUTHORIZATION_FAILED], side);
      assert.deepEqual(await fetchCodes(alice, -1), [ErrorCode.NONE], side);
    } finally {
      alice.close();
    }
  }
});

/**
 * Kafka 4.4 answers a replica id outside the replica set, after the leader epoch check,
 * NOT_LEADER_OR_FOLLOWER with -1 offsets (UNKNOWN_LEADER_EPOCH when the request gives
 * the current epoch), from v16 with current_leader naming itself, and no node_endpoints.
 */
test("a follower's Fetch with CLUSTER_ACTION from a broker id that is no replica is answered as Kafka answers it", async () => {
  const answers: Record<string, unknown[]> = {};
  for (const [side, port, topicId] of [
    ["kafka", kafka?.port ?? 0, topicIds.kafka],
    ["logbook", logbook?.port ?? 0, topicIds.logbook],
  ] as const) {
    const c = await WireClient.connect(port);
    try {
      const got: unknown[] = [];
      for (const [version, currentLeaderEpoch] of [
        [12, -1],
        [12, 0],
        [17, -1],
        [17, 0],
      ] as const) {
        const r = await fetchAs(c, 2, { version, topicId, currentLeaderEpoch });
        got.push({
          version,
          currentLeaderEpoch,
          errorCode: r.body.errorCode,
          nodeEndpoints: r.body.nodeEndpoints.length,
          partitions: r.body.responses.flatMap((t) =>
            t.partitions.map((p) => ({ ...p, unknownTaggedFields: undefined })),
          ),
        });
      }
      answers[side] = got;
    } finally {
      c.close();
    }
  }
  assert.deepEqual(answers.logbook, answers.kafka);
});
