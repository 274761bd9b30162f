/**
 * Topic administration over the wire with our codec: CreateTopics (v0-v7),
 * Metadata (v0-v12), DeleteTopics (v0-v6) and CreatePartitions (v0-v3).
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
  buildBatch,
  CreatePartitionsApi,
  CreateTopicsApi,
  type CreateTopicsRequestCreatableTopic,
  createCreatePartitionsRequest,
  createCreatePartitionsRequestAssignment,
  createCreatePartitionsRequestTopic,
  createCreateTopicsRequest,
  createCreateTopicsRequestCreatableReplicaAssignment,
  createCreateTopicsRequestCreatableTopic,
  createCreateTopicsRequestCreatableTopicConfig,
  createDeleteTopicsRequest,
  createDeleteTopicsRequestDeleteTopicState,
  createMetadataRequest,
  createMetadataRequestTopic,
  DeleteTopicsApi,
  ErrorCode,
  isZeroUuid,
  MetadataApi,
} from "@logbook/protocol";
import { startTestBroker, type TestBroker } from "./helpers/admin-broker.js";

let b: TestBroker;
before(async () => {
  b = await startTestBroker({ numPartitions: 3 });
});
after(async () => {
  await b.stop();
});

const topic = (name: string, init: Partial<CreateTopicsRequestCreatableTopic> = {}) =>
  createCreateTopicsRequestCreatableTopic({
    name,
    numPartitions: 1,
    replicationFactor: 1,
    ...init,
  });

async function create(
  version: number,
  topics: CreateTopicsRequestCreatableTopic[],
  validateOnly = false,
) {
  return b.client.send(
    CreateTopicsApi,
    version,
    createCreateTopicsRequest({ topics, validateOnly }),
  );
}

async function metadata(version: number, names: string[] | null, allowAutoTopicCreation = false) {
  const topics = names === null ? null : names.map((name) => createMetadataRequestTopic({ name }));
  return b.client.send(
    MetadataApi,
    version,
    createMetadataRequest({ topics, allowAutoTopicCreation }),
  );
}

test("CreateTopics creates topics at every version and reports per-topic results", async () => {
  for (let v = 0; v <= 7; v++) {
    const r = await create(v, [topic(`ct-v${v}`, { numPartitions: 2 })]);
    assert.equal(r.topics.length, 1);
    assert.equal(r.topics[0]?.errorCode, ErrorCode.NONE, `v${v}`);
    assert.equal(b.broker.topics.get(`ct-v${v}`)?.partitions, 2);
    if (v >= 5) {
      assert.equal(r.topics[0]?.numPartitions, 2);
      assert.equal(r.topics[0]?.replicationFactor, 1);
      const retention = r.topics[0]?.configs?.find((c) => c.name === "retention.ms");
      assert.equal(retention?.value, "604800000");
      assert.equal(retention?.configSource, 5);
    }
    if (v >= 7) assert.ok(!isZeroUuid(r.topics[0]?.topicId ?? Buffer.alloc(16)));
  }
});

test("CreateTopics: defaults, validation errors and validate_only", async () => {
  const r = await create(5, [
    topic("ct-default", { numPartitions: -1, replicationFactor: -1 }),
    topic("ct-default"),
    topic("ct-rf3", { replicationFactor: 3 }),
    topic("ct-zero", { numPartitions: 0 }),
    topic("bad/name"),
    topic("ct-badcfg", {
      configs: [
        createCreateTopicsRequestCreatableTopicConfig({ name: "retention.ms", value: "soon" }),
      ],
    }),
    topic("ct-unknowncfg", {
      configs: [createCreateTopicsRequestCreatableTopicConfig({ name: "no.such", value: "1" })],
    }),
  ]);
  const codes = r.topics.map((t) => [t.name, t.errorCode]);
  assert.deepEqual(codes, [
    ["ct-default", ErrorCode.INVALID_REQUEST],
    ["ct-default", ErrorCode.INVALID_REQUEST],
    ["ct-rf3", ErrorCode.INVALID_REPLICATION_FACTOR],
    ["ct-zero", ErrorCode.INVALID_PARTITIONS],
    ["bad/name", ErrorCode.INVALID_TOPIC_EXCEPTION],
    ["ct-badcfg", ErrorCode.INVALID_CONFIG],
    ["ct-unknowncfg", ErrorCode.INVALID_CONFIG],
  ]);
  assert.match(r.topics[5]?.errorMessage ?? "", /retention\.ms/);

  const ok = await create(5, [topic("ct-default2", { numPartitions: -1, replicationFactor: -1 })]);
  assert.equal(ok.topics[0]?.numPartitions, 3, "num.partitions of the broker");
  const again = await create(1, [topic("ct-default2")]);
  assert.equal(again.topics[0]?.errorCode, ErrorCode.TOPIC_ALREADY_EXISTS);
  await create(1, [topic("ct.dotted")]);
  const collide = await create(1, [topic("ct_dotted")]);
  assert.equal(collide.topics[0]?.errorCode, ErrorCode.INVALID_TOPIC_EXCEPTION);
  const long = await create(1, [
    topic("x".repeat(250)),
    topic("x".repeat(249)),
    topic(".."),
    topic("__cluster_metadata"),
  ]);
  assert.deepEqual(
    long.topics.map((t) => t.errorCode),
    [
      ErrorCode.INVALID_TOPIC_EXCEPTION,
      ErrorCode.NONE,
      ErrorCode.INVALID_TOPIC_EXCEPTION,
      ErrorCode.INVALID_TOPIC_EXCEPTION,
    ],
  );

  const dry = await create(
    7,
    [
      topic("ct-dry", {
        numPartitions: 4,
        configs: [
          createCreateTopicsRequestCreatableTopicConfig({
            name: "cleanup.policy",
            value: "compact",
          }),
        ],
      }),
    ],
    true,
  );
  assert.equal(dry.topics[0]?.errorCode, ErrorCode.NONE);
  assert.equal(dry.topics[0]?.numPartitions, 4);
  const policy = dry.topics[0]?.configs?.find((c) => c.name === "cleanup.policy");
  assert.deepEqual([policy?.value, policy?.configSource], ["compact", 1]);
  assert.equal(b.broker.topics.get("ct-dry"), undefined, "validate_only creates nothing");
});

test("CreateTopics: manual assignments only onto this node", async () => {
  const assign = (partitionIndex: number, brokerIds: number[]) =>
    createCreateTopicsRequestCreatableReplicaAssignment({ partitionIndex, brokerIds });
  const r = await create(4, [
    topic("ct-assign", {
      numPartitions: -1,
      replicationFactor: -1,
      assignments: [assign(0, [0]), assign(1, [0])],
    }),
    topic("ct-assign-other", {
      numPartitions: -1,
      replicationFactor: -1,
      assignments: [assign(0, [1])],
    }),
    topic("ct-assign-both", {
      numPartitions: 2,
      replicationFactor: -1,
      assignments: [assign(0, [0])],
    }),
  ]);
  assert.deepEqual(
    r.topics.map((t) => t.errorCode),
    [ErrorCode.NONE, ErrorCode.INVALID_REPLICA_ASSIGNMENT, ErrorCode.INVALID_REQUEST],
  );
  assert.equal(b.broker.topics.get("ct-assign")?.partitions, 2);
});

test("Metadata: all topics vs none per version, broker, controller and cluster id", async () => {
  await create(4, [topic("md-a", { numPartitions: 2 })]);
  const v0 = await metadata(0, []);
  assert.ok(
    v0.topics.some((t) => t.name === "md-a"),
    "v0: empty list means all",
  );
  const v1none = await metadata(1, []);
  assert.equal(v1none.topics.length, 0, "v1+: empty list means none");
  for (let v = 1; v <= 12; v++) {
    const r = await metadata(v, null);
    const t = r.topics.find((x) => x.name === "md-a");
    assert.ok(t, `v${v}: null means all`);
    assert.equal(
      r.topics.some((x) => x.name === "__cluster_metadata"),
      false,
    );
    assert.deepEqual(
      r.brokers.map((x) => [x.nodeId, x.host, x.port, x.rack]),
      [[0, "127.0.0.1", b.port, null]],
    );
    assert.equal(t.partitions.length, 2);
    assert.deepEqual(
      t.partitions.map((p) => [p.partitionIndex, p.leaderId, p.replicaNodes, p.isrNodes]),
      [
        [0, 0, [0], [0]],
        [1, 0, [0], [0]],
      ],
    );
    if (v >= 1) assert.equal(r.controllerId, 0);
    if (v >= 2) assert.ok((r.clusterId ?? "").length > 0);
    if (v >= 8) assert.equal(t.topicAuthorizedOperations, -2147483648);
    if (v >= 10) assert.deepEqual(t.topicId, b.broker.topics.get("md-a")?.id);
  }
});

test("Metadata: unknown topics, auto-creation rules and lookups by id", async () => {
  const noAuto = await metadata(4, ["md-none"], false);
  assert.equal(noAuto.topics[0]?.errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  assert.equal(b.broker.topics.get("md-none"), undefined);

  const auto = await metadata(4, ["md-auto"], true);
  assert.equal(auto.topics[0]?.errorCode, ErrorCode.NONE);
  assert.equal(auto.topics[0]?.partitions.length, 3, "num.partitions");
  const v3 = await metadata(3, ["md-auto-v3"]);
  assert.equal(v3.topics[0]?.errorCode, ErrorCode.NONE, "v0-3 always allow auto-creation");

  const invalid = await metadata(9, ["bad name!"], true);
  assert.equal(invalid.topics[0]?.errorCode, ErrorCode.INVALID_TOPIC_EXCEPTION);

  const id = b.broker.topics.get("md-auto")?.id ?? Buffer.alloc(16);
  const byId = await b.client.send(
    MetadataApi,
    12,
    createMetadataRequest({
      topics: [
        createMetadataRequestTopic({ name: null, topicId: id }),
        createMetadataRequestTopic({ name: null, topicId: Buffer.alloc(16, 7) }),
      ],
    }),
  );
  assert.deepEqual(
    byId.topics.map((t) => [t.name, t.errorCode]),
    [
      ["md-auto", ErrorCode.NONE],
      [null, ErrorCode.UNKNOWN_TOPIC_ID],
    ],
  );
});

test('Metadata by id with name "" beside the id, as the Java client sends it', async () => {
  // The Java Admin's describeTopics(TopicCollection.ofTopicIds(...)) leaves the name at
  // its default, "": the id decides (answering INVALID_TOPIC_EXCEPTION with a zero id
  // made the client throw IllegalStateException).
  await metadata(4, ["md-java"], true);
  const id = b.broker.topics.get("md-java")?.id ?? Buffer.alloc(16);
  const r = await b.client.send(
    MetadataApi,
    12,
    createMetadataRequest({
      topics: [
        createMetadataRequestTopic({ name: "", topicId: id }),
        createMetadataRequestTopic({ name: "", topicId: Buffer.alloc(16, 5) }),
      ],
      allowAutoTopicCreation: false,
    }),
  );
  assert.deepEqual(
    r.topics.map((t) => [t.name, t.errorCode, Buffer.from(t.topicId).toString("hex")]),
    [
      ["md-java", ErrorCode.NONE, id.toString("hex")],
      [null, ErrorCode.UNKNOWN_TOPIC_ID, "05".repeat(16)],
    ],
  );
});

test("Metadata: auto.create.topics.enable=false and internal topics", async () => {
  const off = await startTestBroker({ autoCreateTopicsEnable: false });
  try {
    const r = await off.client.send(
      MetadataApi,
      1,
      createMetadataRequest({
        topics: [createMetadataRequestTopic({ name: "nope" })],
      }),
    );
    assert.equal(r.topics[0]?.errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    const c = await off.client.send(
      CreateTopicsApi,
      2,
      createCreateTopicsRequest({ topics: [topic("__internal-x")] }),
    );
    assert.equal(c.topics[0]?.errorCode, ErrorCode.NONE);
    const md = await off.client.send(MetadataApi, 1, createMetadataRequest({ topics: null }));
    assert.equal(md.topics.find((t) => t.name === "__internal-x")?.isInternal, true);
    const d = await off.client.send(
      DeleteTopicsApi,
      4,
      createDeleteTopicsRequest({ topicNames: ["__internal-x"] }),
    );
    assert.equal(d.responses[0]?.errorCode, ErrorCode.INVALID_REQUEST);
  } finally {
    await off.stop();
  }
});

test("DeleteTopics by name (v0-v5) and by id (v6), unknown names and ids", async () => {
  for (let v = 0; v <= 5; v++) await create(1, [topic(`dt-v${v}`, { numPartitions: 2 })]);
  for (let v = 0; v <= 5; v++) {
    const r = await b.client.send(
      DeleteTopicsApi,
      v,
      createDeleteTopicsRequest({ topicNames: [`dt-v${v}`, `dt-missing-${v}`] }),
    );
    assert.deepEqual(
      r.responses.map((x) => [x.name, x.errorCode]),
      [
        [`dt-v${v}`, ErrorCode.NONE],
        [`dt-missing-${v}`, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
      ],
    );
    assert.equal(b.broker.topics.get(`dt-v${v}`), undefined);
  }
  await create(7, [topic("dt-id")]);
  const id = b.broker.topics.get("dt-id")?.id ?? Buffer.alloc(16);
  const r = await b.client.send(
    DeleteTopicsApi,
    6,
    createDeleteTopicsRequest({
      topics: [
        createDeleteTopicsRequestDeleteTopicState({ name: null, topicId: id }),
        createDeleteTopicsRequestDeleteTopicState({ name: null, topicId: Buffer.alloc(16, 9) }),
        createDeleteTopicsRequestDeleteTopicState({ name: "dt-gone", topicId: Buffer.alloc(16) }),
      ],
    }),
  );
  assert.deepEqual(
    r.responses.map((x) => [x.name, x.errorCode]),
    [
      ["dt-id", ErrorCode.NONE],
      [null, ErrorCode.UNKNOWN_TOPIC_ID],
      ["dt-gone", ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
    ],
  );
  assert.deepEqual(r.responses[0]?.topicId, id);
  assert.equal(b.broker.topics.getById(id), undefined);
});

test("DeleteTopics removes the partitions' data and a recreated topic starts empty", async () => {
  await create(4, [topic("dt-data", { numPartitions: 2 })]);
  const oldId = b.broker.topics.get("dt-data")?.id;
  const log = await b.broker.topics.partition("dt-data", 0);
  assert.ok(log);
  await log.append(await buildBatch([{ timestamp: 1n, key: null, value: Buffer.from("x") }]));
  assert.equal(log.logEndOffset, 1);
  const listed = await b.broker.storage.list();
  assert.ok(listed.some((tp) => tp.topic === "dt-data" && tp.partition === 0));
  await b.client.send(DeleteTopicsApi, 4, createDeleteTopicsRequest({ topicNames: ["dt-data"] }));
  assert.equal(
    (await b.broker.storage.list()).some((tp) => tp.topic === "dt-data"),
    false,
  );
  assert.equal(await b.broker.topics.partition("dt-data", 0), undefined);
  await create(7, [topic("dt-data")]);
  const fresh = await b.broker.topics.partition("dt-data", 0);
  assert.equal(fresh?.logEndOffset, 0);
  assert.notDeepEqual(b.broker.topics.get("dt-data")?.id, oldId, "a recreated topic gets a new id");
});

test("DeleteTopics with delete.topic.enable=false", async () => {
  const off = await startTestBroker({ deleteTopicEnable: false });
  try {
    await off.client.send(
      CreateTopicsApi,
      2,
      createCreateTopicsRequest({ topics: [topic("keep")] }),
    );
    const v3 = await off.client.send(
      DeleteTopicsApi,
      3,
      createDeleteTopicsRequest({ topicNames: ["keep"] }),
    );
    assert.equal(v3.responses[0]?.errorCode, ErrorCode.TOPIC_DELETION_DISABLED);
    const v1 = await off.client.send(
      DeleteTopicsApi,
      1,
      createDeleteTopicsRequest({ topicNames: ["keep"] }),
    );
    assert.equal(v1.responses[0]?.errorCode, ErrorCode.INVALID_REQUEST);
    assert.ok(off.broker.topics.get("keep"));
  } finally {
    await off.stop();
  }
});

test("CreatePartitions: increase only, validate_only, assignments, per-topic results", async () => {
  await create(4, [topic("cp-a", { numPartitions: 2 }), topic("cp-b", { numPartitions: 2 })]);
  const t = (name: string, count: number, assignments: number[][] | null = null) =>
    createCreatePartitionsRequestTopic({
      name,
      count,
      assignments:
        assignments === null
          ? null
          : assignments.map((brokerIds) => createCreatePartitionsRequestAssignment({ brokerIds })),
    });
  const dry = await b.client.send(
    CreatePartitionsApi,
    1,
    createCreatePartitionsRequest({ topics: [t("cp-a", 5)], validateOnly: true }),
  );
  assert.equal(dry.results[0]?.errorCode, ErrorCode.NONE);
  assert.equal(b.broker.topics.get("cp-a")?.partitions, 2);
  for (let v = 0; v <= 3; v++) {
    const r = await b.client.send(
      CreatePartitionsApi,
      v,
      createCreatePartitionsRequest({
        topics: [t("cp-a", 3 + v), t("cp-b", 1), t("cp-missing", 4), t("cp-b", 2)],
      }),
    );
    assert.deepEqual(
      r.results.map((x) => [x.name, x.errorCode]),
      [
        ["cp-a", ErrorCode.NONE],
        ["cp-b", ErrorCode.INVALID_REQUEST],
        ["cp-missing", ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
        ["cp-b", ErrorCode.INVALID_REQUEST],
      ],
    );
    assert.equal(b.broker.topics.get("cp-a")?.partitions, 3 + v);
  }
  const lower = await b.client.send(
    CreatePartitionsApi,
    3,
    createCreatePartitionsRequest({ topics: [t("cp-b", 1), t("cp-a", 6)] }),
  );
  assert.deepEqual(
    lower.results.map((x) => x.errorCode),
    [ErrorCode.INVALID_PARTITIONS, ErrorCode.INVALID_PARTITIONS],
  );
  const assigned = await b.client.send(
    CreatePartitionsApi,
    2,
    createCreatePartitionsRequest({ topics: [t("cp-b", 4, [[0], [0]])] }),
  );
  assert.equal(assigned.results[0]?.errorCode, ErrorCode.NONE);
  const elsewhere = await b.client.send(
    CreatePartitionsApi,
    2,
    createCreatePartitionsRequest({ topics: [t("cp-b", 5, [[3]])] }),
  );
  assert.equal(elsewhere.results[0]?.errorCode, ErrorCode.INVALID_REPLICA_ASSIGNMENT);
  const md = await metadata(1, ["cp-b"]);
  assert.equal(md.topics[0]?.partitions.length, 4);
  assert.ok(await b.broker.topics.partition("cp-b", 3));
  assert.equal(await b.broker.topics.partition("cp-b", 4), undefined);
});
