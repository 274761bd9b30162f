/**
 * Group configs (ConfigResource GROUP = 32) against Kafka 4.4.0: DescribeConfigs of a
 * group (every config, sources, synonyms, types), IncrementalAlterConfigs and
 * AlterConfigs with their checks and Kafka's messages, validate_only, the empty group
 * name, and that a group need not exist to be configured and keeps its configs when it
 * is deleted; ListConfigResources (kafka-configs --describe --entity-type groups without
 * a name) lists the configured groups. Documentation is not asked for: the doc strings are Logbook's own words.
 */
import assert from "node:assert/strict";
import { after, before, beforeEach, test } from "node:test";
import {
  AlterConfigsApi,
  ConsumerGroupHeartbeatApi,
  createAlterConfigsRequest,
  createAlterConfigsRequestAlterableConfig,
  createAlterConfigsRequestResource,
  createConsumerGroupHeartbeatRequest,
  createDeleteGroupsRequest,
  createDescribeConfigsRequest,
  createDescribeConfigsRequestResource,
  createIncrementalAlterConfigsRequest,
  createIncrementalAlterConfigsRequestAlterableConfig,
  createIncrementalAlterConfigsRequestResource,
  createListConfigResourcesRequest,
  createOffsetCommitRequest,
  createOffsetCommitRequestPartition,
  createOffsetCommitRequestTopic,
  createShareGroupHeartbeatRequest,
  DeleteGroupsApi,
  DescribeConfigsApi,
  ErrorCode,
  IncrementalAlterConfigsApi,
  ListConfigResourcesApi,
  OffsetCommitApi,
  ShareGroupHeartbeatApi,
} from "@logbook/protocol";
import { type Conversation, DiffPair, type Exchange, type Side } from "./pair.js";
import { settleCoordinator } from "./setup.js";

const GROUP = 32;
const SET = 0;
const DELETE = 1;
const APPEND = 2;
const SUBTRACT = 3;

let pair: DiffPair;
let conv: Conversation;

before(async () => {
  pair = await DiffPair.start();
  conv = await pair.conversation();
});
beforeEach(() => conv.reopenClosed());
after(async () => {
  conv?.close();
  await pair?.stop();
});

const describe = (group: string, keys: string[] | null = null) =>
  createDescribeConfigsRequest({
    includeSynonyms: true,
    resources: [
      createDescribeConfigsRequestResource({
        resourceType: GROUP,
        resourceName: group,
        configurationKeys: keys,
      }),
    ],
  });

/**
 * DescribeConfigs once the group's overrides are `overrides` on both: Kafka applies a
 * config change through its metadata log, so a describe right after may see the old one.
 */
function settled(
  group: string,
  overrides: Record<string, string>,
  keys: string[] | null = null,
  version = 4,
) {
  const want = Object.entries(overrides)
    .map(([n, v]) => `${n}=${v}`)
    .sort()
    .join(";");
  return conv.settle(DescribeConfigsApi, version, describe(group, keys), (r) => {
    const got = (r.results[0]?.configs ?? [])
      .filter((c) => c.configSource === 8)
      .map((c) => `${c.name}=${c.value}`)
      .sort()
      .join(";");
    return got !== want;
  });
}

const incremental = (group: string, ops: [string, number, string | null][], validateOnly = false) =>
  createIncrementalAlterConfigsRequest({
    validateOnly,
    resources: [
      createIncrementalAlterConfigsRequestResource({
        resourceType: GROUP,
        resourceName: group,
        configs: ops.map(([name, configOperation, value]) =>
          createIncrementalAlterConfigsRequestAlterableConfig({ name, configOperation, value }),
        ),
      }),
    ],
  });

const alter = (group: string, configs: Record<string, string | null>) =>
  createAlterConfigsRequest({
    resources: [
      createAlterConfigsRequestResource({
        resourceType: GROUP,
        resourceName: group,
        configs: Object.entries(configs).map(([name, value]) =>
          createAlterConfigsRequestAlterableConfig({ name, value }),
        ),
      }),
    ],
  });

test("describe: every group config of a group nobody created, and the empty name", async () => {
  for (const v of [1, 2, 3, 4]) {
    await conv.same(DescribeConfigsApi, v, describe("gc-fresh"));
    await conv.same(DescribeConfigsApi, v, describe("gc-fresh", ["share.auto.offset.reset", "x"]));
    await conv.same(DescribeConfigsApi, v, describe(""));
  }
});

test("incremental alter: SET, DELETE, validate_only, and the share group's start offset", async () => {
  const v = 1;
  await conv.same(
    IncrementalAlterConfigsApi,
    v,
    incremental("gc-set", [["consumer.session.timeout.ms", SET, "50000"]], true),
  );
  await settled("gc-set", {});
  const r = await conv.same(
    IncrementalAlterConfigsApi,
    v,
    incremental("gc-set", [
      ["share.auto.offset.reset", SET, "earliest"],
      ["consumer.heartbeat.interval.ms", SET, "6000"],
      ["share.isolation.level", SET, "read_committed"],
      ["streams.rack.aware.assignment.tags", SET, "zone,rack"],
      ["share.renew.acknowledge.enable", SET, "false"],
      ["errors.deadletterqueue.topic.name", SET, "dlq"],
    ]),
  );
  assert.equal(r.kafka.responses[0]?.errorCode, ErrorCode.NONE);
  const set = {
    "share.auto.offset.reset": "earliest",
    "consumer.heartbeat.interval.ms": "6000",
    "share.isolation.level": "read_committed",
    "streams.rack.aware.assignment.tags": "zone,rack",
    "share.renew.acknowledge.enable": "false",
    "errors.deadletterqueue.topic.name": "dlq",
  };
  await settled("gc-set", set);
  await conv.same(
    IncrementalAlterConfigsApi,
    v,
    incremental("gc-set", [
      ["consumer.heartbeat.interval.ms", DELETE, null],
      ["no.such.config", DELETE, null],
      ["share.auto.offset.reset", SET, "by_duration:PT1H30M"],
    ]),
  );
  const { "consumer.heartbeat.interval.ms": _, ...rest } = set;
  await settled("gc-set", { ...rest, "share.auto.offset.reset": "by_duration:PT1H30M" });
  await settled(
    "gc-set",
    { "share.auto.offset.reset": "by_duration:PT1H30M" },
    ["share.auto.offset.reset"],
    1,
  );
  // The ISO-8601 durations of by_duration, accepted and refused alike.
  for (const d of ["PT0S", "P1D", "pt90m", "P1DT2H3M4.5S", "P", "PT", "P1DT", "PT-1H", "1H"]) {
    await conv.same(
      IncrementalAlterConfigsApi,
      v,
      incremental("gc-set", [["share.auto.offset.reset", SET, `by_duration:${d}`]]),
    );
  }
  await settled("gc-set", { "share.auto.offset.reset": "by_duration:P1DT2H3M4.5S" }, [
    "share.auto.offset.reset",
  ]);
});

test("incremental alter: Kafka's checks of names, values, bounds and operations", async () => {
  const cases: [string, number, string | null][][] = [
    [["consumer.session.timeout.ms", SET, "1000"]],
    [["consumer.session.timeout.ms", SET, "0"]],
    [["consumer.session.timeout.ms", SET, "999999999999"]],
    [["consumer.heartbeat.interval.ms", SET, "20000"]],
    [["consumer.assignment.interval.ms", SET, "-1"]],
    [["consumer.assignment.interval.ms", SET, "20000"]],
    [["share.session.timeout.ms", SET, "70000"]],
    [["share.heartbeat.interval.ms", SET, "abc"]],
    [["share.record.lock.duration.ms", SET, "999"]],
    [["share.record.lock.duration.ms", SET, "99999999"]],
    [["share.delivery.count.limit", SET, "1"]],
    [["share.delivery.count.limit", SET, "11"]],
    [["share.partition.max.record.locks", SET, "4001"]],
    [["share.auto.offset.reset", SET, "EARLIEST"]],
    [["share.auto.offset.reset", SET, "by_duration:-PT1H"]],
    [["share.auto.offset.reset", SET, "by_duration:x"]],
    [["share.isolation.level", SET, "bad"]],
    [["errors.deadletterqueue.copy.record.enable", SET, "maybe"]],
    [["streams.session.timeout.ms", SET, "1"]],
    [["streams.num.standby.replicas", SET, "3"]],
    [["streams.initial.rebalance.delay.ms", SET, "-1"]],
    [["streams.assignor.name", SET, "range"]],
    [["retention.ms", SET, "1"]],
    [
      ["consumer.session.timeout.ms", SET, "1"],
      ["no.such", SET, "1"],
    ],
    [["share.session.timeout.ms", SET, null]],
    [["streams.rack.aware.assignment.tags", APPEND, "a"]],
    [["consumer.session.timeout.ms", SUBTRACT, "1"]],
    [["unknown.name", APPEND, "1"]],
  ];
  for (const ops of cases) {
    const r = await conv.same(IncrementalAlterConfigsApi, 1, incremental("gc-checked", ops));
    assert.notEqual(r.kafka.responses[0]?.errorCode, ErrorCode.NONE, JSON.stringify(ops));
  }
  await conv.same(
    IncrementalAlterConfigsApi,
    0,
    incremental("", [["consumer.session.timeout.ms", SET, "50000"]]),
  );
  await settled("gc-checked", {});
});

test("legacy alter: replaces a group's configs; nulls, unknown names and the empty name", async () => {
  for (const v of [0, 2]) {
    await conv.same(
      IncrementalAlterConfigsApi,
      1,
      incremental("gc-legacy", [["share.isolation.level", SET, "read_committed"]]),
    );
    await conv.same(
      AlterConfigsApi,
      v,
      alter("gc-legacy", { "consumer.heartbeat.interval.ms": "6000" }),
    );
    await settled("gc-legacy", { "consumer.heartbeat.interval.ms": "6000" });
    await conv.same(
      AlterConfigsApi,
      v,
      alter("gc-legacy", { "consumer.heartbeat.interval.ms": null }),
    );
    await conv.same(AlterConfigsApi, v, alter("gc-legacy", { "no.such": "1" }));
    await conv.same(AlterConfigsApi, v, alter("gc-legacy", { "share.delivery.count.limit": "11" }));
    await conv.same(AlterConfigsApi, v, alter("", { "consumer.heartbeat.interval.ms": "6000" }));
    await conv.same(AlterConfigsApi, v, alter("gc-legacy", {}));
    await settled("gc-legacy", {});
  }
});

test("a deleted group keeps its configs", async () => {
  const group = "gc-deleted";
  await conv.createTopic("gc-topic", 1);
  await settleCoordinator(conv, group, 0);
  // A simple group: committing an offset outside any generation creates it.
  await conv.same(
    OffsetCommitApi,
    8,
    createOffsetCommitRequest({
      groupId: group,
      generationIdOrMemberEpoch: -1,
      memberId: "",
      groupInstanceId: null,
      topics: [
        createOffsetCommitRequestTopic({
          name: "gc-topic",
          partitions: [
            createOffsetCommitRequestPartition({
              partitionIndex: 0,
              committedOffset: 0n,
              committedMetadata: null,
            }),
          ],
        }),
      ],
    }),
  );
  await conv.same(
    IncrementalAlterConfigsApi,
    1,
    incremental(group, [["consumer.session.timeout.ms", SET, "50000"]]),
  );
  const del = await conv.same(
    DeleteGroupsApi,
    2,
    createDeleteGroupsRequest({ groupsNames: [group] }),
  );
  assert.equal(del.kafka.results[0]?.errorCode, ErrorCode.NONE);
  await settled(group, { "consumer.session.timeout.ms": "50000" }, ["consumer.session.timeout.ms"]);
});

test("list config resources: configured groups, topics and the broker, by type", async () => {
  await conv.createTopic("gc-listed", 1);
  await conv.same(
    IncrementalAlterConfigsApi,
    1,
    incremental("gc-listed-group", [["share.auto.offset.reset", SET, "earliest"]]),
  );
  const list = (resourceTypes: number[]) => createListConfigResourcesRequest({ resourceTypes });
  await conv.same(ListConfigResourcesApi, 0, list([]));
  // Names repeat across types ("1" is a broker and a broker logger): compared as a set.
  // Kafka's internal topics are left out: Logbook's group offsets and transaction state
  // are not topics (the allowed difference "internal topics" of allowed-differences.ts).
  const listed = (r: { configResources: { resourceName: string; resourceType: number }[] }) =>
    r.configResources
      .map((c) => `${c.resourceType}:${c.resourceName}`)
      .filter((c) => !c.startsWith("2:__"))
      .sort();
  for (const types of [[GROUP], [2], [4], [16], [GROUP, 2]]) {
    const x = await conv.exchange(ListConfigResourcesApi, 1, list(types));
    assert.ok(x.kafka.kind === "answer" && x.logbook.kind === "answer", JSON.stringify(types));
    assert.equal(x.logbook.body.errorCode, x.kafka.body.errorCode);
    assert.deepEqual(listed(x.logbook.body), listed(x.kafka.body), JSON.stringify(types));
  }
  const groups = await conv.same(ListConfigResourcesApi, 1, list([GROUP]));
  assert.ok(listed(groups.kafka).includes("32:gc-listed-group"));
  // Every type: the same but for Kafka's broker logger (type 8), which Logbook does not
  // serve (brokerLoggerListed in allowed-differences.ts). Compared as sets: names repeat, and
  // Kafka's order of the groups is its hash map's.
  const all = await conv.exchange(ListConfigResourcesApi, 1, list([]));
  assert.ok(all.kafka.kind === "answer" && all.logbook.kind === "answer");
  assert.deepEqual(
    listed(all.logbook.body),
    listed(all.kafka.body).filter((r) => !r.startsWith("8:")),
  );
  for (const bad of [[99], [1], [GROUP, 0]]) {
    await conv.same(ListConfigResourcesApi, 1, list(bad));
  }
});

/** The error and heartbeat interval each broker answers, or how it failed to answer. */
function errorAndInterval<Res extends { errorCode: number; heartbeatIntervalMs: number }>(
  x: Exchange<Res>,
) {
  const of = (s: Side) => {
    const o = x[s];
    return o.kind === "answer" ? [o.body.errorCode, o.body.heartbeatIntervalMs] : o.kind;
  };
  return { kafka: of("kafka"), logbook: of("logbook") };
}

test("a group's own heartbeat intervals are what its members are told", async () => {
  const v = 1;
  const own = { consumer: "gc-hb", share: "gc-hb-share" };
  await settleCoordinator(conv, own.consumer, 0);
  for (const [group, name, value] of [
    [own.consumer, "consumer.heartbeat.interval.ms", "7000"],
    [own.share, "share.heartbeat.interval.ms", "8000"],
  ] as const) {
    await conv.same(IncrementalAlterConfigsApi, v, incremental(group, [[name, SET, value]]));
    await settled(group, { [name]: value });
  }
  const consumerJoin = async (groupId: string) =>
    errorAndInterval(
      await conv.exchange(
        ConsumerGroupHeartbeatApi,
        1,
        createConsumerGroupHeartbeatRequest({
          groupId,
          memberId: `m-${groupId}`,
          rebalanceTimeoutMs: 30_000,
          subscribedTopicNames: ["gc-no-topic"],
          topicPartitions: [],
        }),
      ),
    );
  const shareJoin = async (groupId: string) =>
    errorAndInterval(
      await conv.exchange(
        ShareGroupHeartbeatApi,
        1,
        createShareGroupHeartbeatRequest({
          groupId,
          memberId: `m-${groupId}`,
          subscribedTopicNames: ["gc-no-topic"],
        }),
      ),
    );
  const consumer = await consumerJoin(own.consumer);
  assert.deepEqual(consumer.kafka, [ErrorCode.NONE, 7000]);
  assert.deepEqual(consumer.logbook, consumer.kafka);
  const share = await shareJoin(own.share);
  assert.deepEqual(share.kafka, [ErrorCode.NONE, 8000]);
  assert.deepEqual(share.logbook, share.kafka);
  for (const plain of [await consumerJoin("gc-hb-plain"), await shareJoin("gc-hb-share-plain")]) {
    assert.deepEqual(plain.logbook, plain.kafka, "groups without overrides: the broker's");
  }
});
