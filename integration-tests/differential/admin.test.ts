/**
 * Metadata and admin APIs against Kafka, mostly their error paths: unknown topics,
 * invalid names and configs, topics that exist already, bad partition counts and
 * replication factors, CreatePartitions with fewer partitions, DeleteTopics of an
 * unknown topic, DeleteRecords beyond the high watermark, config changes.
 */
import assert from "node:assert/strict";
import { after, before, beforeEach, test } from "node:test";
import {
  AlterConfigsApi,
  CreatePartitionsApi,
  CreateTopicsApi,
  createAlterConfigsRequest,
  createAlterConfigsRequestAlterableConfig,
  createAlterConfigsRequestResource,
  createCreatePartitionsRequest,
  createCreatePartitionsRequestTopic,
  createCreateTopicsRequest,
  createCreateTopicsRequestCreatableTopic,
  createCreateTopicsRequestCreatableTopicConfig,
  createDeleteRecordsRequest,
  createDeleteRecordsRequestPartition,
  createDeleteRecordsRequestTopic,
  createDeleteTopicsRequest,
  createDeleteTopicsRequestDeleteTopicState,
  createDescribeConfigsRequest,
  createDescribeConfigsRequestResource,
  createDescribeTopicPartitionsRequest,
  createDescribeTopicPartitionsRequestTopicRequest,
  createIncrementalAlterConfigsRequest,
  createIncrementalAlterConfigsRequestAlterableConfig,
  createIncrementalAlterConfigsRequestResource,
  createMetadataRequest,
  createMetadataRequestTopic,
  DeleteRecordsApi,
  DeleteTopicsApi,
  DescribeConfigsApi,
  DescribeTopicPartitionsApi,
  ErrorCode,
  IncrementalAlterConfigsApi,
  MetadataApi,
  ProduceApi,
} from "@logbook/protocol";
import { EXPECTED_DIVERGENCES } from "./allowed-differences.js";
import { produce } from "./data-requests.js";
import { type Conversation, DiffPair } from "./pair.js";
import { batch } from "./setup.js";

let pair: DiffPair;
let conv: Conversation;

before(async () => {
  pair = await DiffPair.start();
  conv = await pair.conversation();
  await conv.createTopic("admin", 2, { "cleanup.policy": "compact" });
});
beforeEach(() => conv.reopenClosed());
after(async () => {
  conv?.close();
  await pair?.stop();
});

function create(
  name: string,
  opts: {
    partitions?: number;
    replication?: number;
    configs?: Record<string, string | null>;
    validateOnly?: boolean;
  } = {},
) {
  return createCreateTopicsRequest({
    timeoutMs: 30_000,
    validateOnly: opts.validateOnly ?? false,
    topics: [
      createCreateTopicsRequestCreatableTopic({
        name,
        numPartitions: opts.partitions ?? 1,
        replicationFactor: opts.replication ?? 1,
        configs: Object.entries(opts.configs ?? {}).map(([n, value]) =>
          createCreateTopicsRequestCreatableTopicConfig({ name: n, value }),
        ),
      }),
    ],
  });
}

test("metadata: named, unknown, invalid and auto-created topics", async () => {
  const topics = (...names: string[]) => names.map((name) => createMetadataRequestTopic({ name }));
  for (const v of [4, 9, 12]) {
    const r = await conv.same(
      MetadataApi,
      v,
      createMetadataRequest({
        topics: topics("admin", `md-unknown-${v}`, "bad/name"),
        allowAutoTopicCreation: false,
      }),
    );
    const unknown = r.kafka.topics.find((t) => t.name === `md-unknown-${v}`);
    assert.equal(unknown?.errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  }
  // v0-v3 always allow auto-creation.
  for (const v of [0, 1, 4, 12]) {
    const auto = createMetadataRequest({
      topics: topics(`md-auto-${v}`),
      allowAutoTopicCreation: true,
    });
    await conv.differs(MetadataApi, v, auto, EXPECTED_DIVERGENCES.autoCreateFirstAnswer);
    await conv.waitForLeaders(`md-auto-${v}`, 1);
    await conv.same(MetadataApi, v, auto);
  }
  await conv.same(
    MetadataApi,
    12,
    createMetadataRequest({ topics: topics("admin"), includeTopicAuthorizedOperations: true }),
  );
});

test("create topics: invalid names, existing topics, bad counts and configs", async () => {
  const cases: [string, ReturnType<typeof create>][] = [
    ["exists", create("admin")],
    ["bad char", create("bad/name")],
    ["dot", create(".")],
    ["dotdot", create("..")],
    ["too long", create("x".repeat(250))],
    ["empty", create("")],
    ["zero partitions", create("ct-zero", { partitions: 0 })],
    ["-2 partitions", create("ct-neg", { partitions: -2 })],
    ["replication 3", create("ct-rf", { replication: 3 })],
    ["bad config value", create("ct-val", { configs: { "retention.ms": "soon" } })],
    ["unknown config", create("ct-unknown", { configs: { "no.such.config": "1" } })],
    ["bad cleanup policy", create("ct-policy", { configs: { "cleanup.policy": "sometimes" } })],
    ["null config value", create("ct-null", { configs: { "retention.ms": null } })],
    ["validate only", create("ct-validate", { validateOnly: true, partitions: 3 })],
    ["defaults (-1)", create("ct-defaults", { partitions: -1, replication: -1 })],
  ];
  for (const v of [2, 5, 7]) {
    for (const [what, body] of cases) {
      const x = await conv.exchange(CreateTopicsApi, v, body);
      if (x.differences.length > 0 || x.kafka.kind !== "answer")
        assert.fail(
          `CreateTopics v${v} ${what}: ${JSON.stringify(x.differences, (_k, val) => (typeof val === "bigint" ? String(val) : val))}`,
        );
    }
  }
});

test("create partitions: fewer, the same, more, on an unknown topic", async () => {
  const body = (name: string, count: number, validateOnly = false) =>
    createCreatePartitionsRequest({
      timeoutMs: 30_000,
      validateOnly,
      topics: [createCreatePartitionsRequestTopic({ name, count, assignments: null })],
    });
  for (const v of [0, 3]) {
    const fewer = await conv.same(CreatePartitionsApi, v, body("admin", 1));
    assert.equal(fewer.kafka.results[0]?.errorCode, ErrorCode.INVALID_PARTITIONS);
    await conv.same(CreatePartitionsApi, v, body("admin", 2));
    await conv.same(CreatePartitionsApi, v, body("cp-unknown", 4));
    await conv.same(CreatePartitionsApi, v, body("admin", 5, true));
  }
  await conv.same(CreatePartitionsApi, 3, body("admin", 3));
  await conv.waitForLeaders("admin", 3);
});

test("delete topics: unknown names and ids", async () => {
  for (const v of [1, 5, 6]) {
    const r = await conv.same(
      DeleteTopicsApi,
      v,
      createDeleteTopicsRequest({
        timeoutMs: 30_000,
        topicNames: ["dt-unknown"],
        topics: [createDeleteTopicsRequestDeleteTopicState({ name: "dt-unknown" })],
      }),
    );
    assert.equal(r.kafka.responses[0]?.errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  }
  await conv.same(
    DeleteTopicsApi,
    6,
    createDeleteTopicsRequest({
      timeoutMs: 30_000,
      topics: [
        createDeleteTopicsRequestDeleteTopicState({ name: null, topicId: Buffer.alloc(16, 9) }),
      ],
    }),
  );
});

test("delete records: below, at and beyond the high watermark, unknown partitions", async () => {
  await conv.createTopic("dr", 1);
  await conv.same(ProduceApi, 9, produce("dr", 0, await batch(5)));
  const body = (partitionIndex: number, offset: bigint) =>
    createDeleteRecordsRequest({
      timeoutMs: 5000,
      topics: [
        createDeleteRecordsRequestTopic({
          name: "dr",
          partitions: [createDeleteRecordsRequestPartition({ partitionIndex, offset })],
        }),
      ],
    });
  for (const v of [0, 2]) {
    const beyond = await conv.same(DeleteRecordsApi, v, body(0, 99n));
    assert.equal(beyond.kafka.topics[0]?.partitions[0]?.errorCode, ErrorCode.OFFSET_OUT_OF_RANGE);
    await conv.same(DeleteRecordsApi, v, body(3, 1n));
  }
  await conv.same(DeleteRecordsApi, 2, body(0, 2n));
  await conv.same(DeleteRecordsApi, 2, body(0, 1n)); // below the new log start: nothing to do
  await conv.same(DeleteRecordsApi, 2, body(0, -1n)); // -1 = up to the high watermark
});

test("delete records: a compact-only topic refuses with POLICY_VIOLATION, compact,delete allows", async () => {
  for (const [name, policy] of [
    ["drc", "compact"],
    ["drcd", "compact,delete"],
  ] as const) {
    await conv.createTopic(name, 1, { "cleanup.policy": policy });
    await conv.same(ProduceApi, 9, produce(name, 0, await batch(3)));
    const r = await conv.same(
      DeleteRecordsApi,
      2,
      createDeleteRecordsRequest({
        timeoutMs: 5000,
        topics: [
          createDeleteRecordsRequestTopic({
            name,
            partitions: [createDeleteRecordsRequestPartition({ partitionIndex: 0, offset: 2n })],
          }),
        ],
      }),
    );
    assert.equal(
      r.kafka.topics[0]?.partitions[0]?.errorCode,
      policy === "compact" ? ErrorCode.POLICY_VIOLATION : ErrorCode.NONE,
    );
  }
});

test("configs: describe, alter and incrementally alter, with invalid values and unknown topics", async () => {
  const describe = (resourceName: string, keys: string[] | null, resourceType = 2) =>
    createDescribeConfigsRequest({
      includeSynonyms: true,
      resources: [
        createDescribeConfigsRequestResource({
          resourceType,
          resourceName,
          configurationKeys: keys,
        }),
      ],
    });
  for (const v of [1, 4]) {
    await conv.same(
      DescribeConfigsApi,
      v,
      describe("admin", ["cleanup.policy", "retention.ms", "segment.bytes"]),
    );
    await conv.same(DescribeConfigsApi, v, describe("dc-unknown", null));
    await conv.same(DescribeConfigsApi, v, describe("admin", ["no.such.config"]));
  }
  const alter = (name: string, configs: Record<string, string | null>) =>
    createAlterConfigsRequest({
      resources: [
        createAlterConfigsRequestResource({
          resourceType: 2,
          resourceName: name,
          configs: Object.entries(configs).map(([n, value]) =>
            createAlterConfigsRequestAlterableConfig({ name: n, value }),
          ),
        }),
      ],
    });
  for (const v of [0, 2]) {
    await conv.same(AlterConfigsApi, v, alter("admin", { "retention.ms": "soon" }));
    await conv.same(AlterConfigsApi, v, alter("admin", { "no.such.config": "1" }));
    await conv.same(AlterConfigsApi, v, alter("ac-unknown", { "retention.ms": "1000" }));
    await conv.same(
      AlterConfigsApi,
      v,
      alter("admin", { "retention.ms": "7200000", "cleanup.policy": "compact" }),
    );
  }
  const incremental = (name: string, configs: [string, number, string | null][]) =>
    createIncrementalAlterConfigsRequest({
      resources: [
        createIncrementalAlterConfigsRequestResource({
          resourceType: 2,
          resourceName: name,
          configs: configs.map(([n, configOperation, value]) =>
            createIncrementalAlterConfigsRequestAlterableConfig({
              name: n,
              configOperation,
              value,
            }),
          ),
        }),
      ],
    });
  for (const v of [0, 1]) {
    await conv.same(
      IncrementalAlterConfigsApi,
      v,
      incremental("admin", [["retention.ms", 0, "-5"]]),
    );
    await conv.same(
      IncrementalAlterConfigsApi,
      v,
      incremental("admin", [["no.such.config", 0, "1"]]),
    );
    await conv.same(
      IncrementalAlterConfigsApi,
      v,
      incremental("iac-unknown", [["retention.ms", 0, "1"]]),
    );
    await conv.same(
      IncrementalAlterConfigsApi,
      v,
      incremental("admin", [["cleanup.policy", 2, "delete"]]),
    );
    await conv.same(IncrementalAlterConfigsApi, v, incremental("admin", [["segment.ms", 1, null]]));
    await conv.differs(
      IncrementalAlterConfigsApi,
      v,
      incremental("admin", [["retention.ms", 9, "1"]]),
      EXPECTED_DIVERGENCES.unknownAlterOperation,
    );
  }
  await conv.same(DescribeConfigsApi, 4, describe("admin", null));
  // Broker settings the storage engine takes: value, source, read-only and synonyms.
  const broker = await conv.same(
    DescribeConfigsApi,
    4,
    describe(
      "1",
      ["log.flush.offset.checkpoint.interval.ms", "log.retention.check.interval.ms"],
      4,
    ),
  );
  assert.deepEqual(
    broker.logbook.results[0]?.configs.map((c) => [c.name, c.value]),
    [
      ["log.flush.offset.checkpoint.interval.ms", "60000"],
      ["log.retention.check.interval.ms", "300000"],
    ],
  );
});

test("describe topic partitions: known, unknown and invalid names", async () => {
  await conv.same(
    DescribeTopicPartitionsApi,
    0,
    createDescribeTopicPartitionsRequest({
      responsePartitionLimit: 1,
      topics: ["admin", "dtp-unknown", "bad/name"].map((name) =>
        createDescribeTopicPartitionsRequestTopicRequest({ name }),
      ),
    }),
  );
});
