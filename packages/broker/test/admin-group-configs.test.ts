/**
 * Group configs (ConfigResource GROUP = 32) over the wire: DescribeConfigs lists every
 * group config with its source and synonyms, IncrementalAlterConfigs and AlterConfigs
 * set, delete and check them (Kafka 4.4's messages), the values survive a restart,
 * broker.groupConfigs.of(groupId) hands the coordinators typed values, and
 * ListConfigResources lists the configured groups.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
  AlterConfigsApi,
  createAlterConfigsRequest,
  createAlterConfigsRequestAlterableConfig,
  createAlterConfigsRequestResource,
  createDescribeConfigsRequest,
  createDescribeConfigsRequestResource,
  createIncrementalAlterConfigsRequest,
  createIncrementalAlterConfigsRequestAlterableConfig,
  createIncrementalAlterConfigsRequestResource,
  createListConfigResourcesRequest,
  DescribeConfigsApi,
  ErrorCode,
  IncrementalAlterConfigsApi,
  ListConfigResourcesApi,
} from "@logbook/protocol";
import { GROUP_CONFIG_DEFS } from "../src/config/group-config-defs.js";
import { brokerConfig } from "../src/config.js";
import { startTestBroker, type TestBroker } from "./helpers/admin-broker.js";

const GROUP = 32;
const SET = 0;
const DELETE = 1;
const APPEND = 2;
const SUBTRACT = 3;

let b: TestBroker;
before(async () => {
  // A static share-group setting: the group default follows it.
  b = await startTestBroker({
    shareGroups: { ...brokerConfig().shareGroups, deliveryCountLimit: 7 },
  });
});
after(async () => {
  await b.stop();
});

async function describe(group: string, keys: string[] | null = null, version = 4) {
  const r = await b.client.send(
    DescribeConfigsApi,
    version,
    createDescribeConfigsRequest({
      resources: [
        createDescribeConfigsRequestResource({
          resourceType: GROUP,
          resourceName: group,
          configurationKeys: keys,
        }),
      ],
      includeSynonyms: true,
      includeDocumentation: true,
    }),
  );
  const res = r.results[0];
  assert.ok(res);
  return res;
}

async function incremental(
  group: string,
  ops: [string, number, string | null][],
  validateOnly = false,
) {
  const r = await b.client.send(
    IncrementalAlterConfigsApi,
    1,
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
    }),
  );
  const res = r.responses[0];
  assert.ok(res);
  return { code: res.errorCode, message: res.errorMessage };
}

async function alter(group: string, configs: Record<string, string | null>) {
  const r = await b.client.send(
    AlterConfigsApi,
    2,
    createAlterConfigsRequest({
      validateOnly: false,
      resources: [
        createAlterConfigsRequestResource({
          resourceType: GROUP,
          resourceName: group,
          configs: Object.entries(configs).map(([name, value]) =>
            createAlterConfigsRequestAlterableConfig({ name, value }),
          ),
        }),
      ],
    }),
  );
  const res = r.responses[0];
  assert.ok(res);
  return { code: res.errorCode, message: res.errorMessage };
}

const triple = (s: { name: string; value: string | null; source: number }) => [
  s.name,
  s.value,
  s.source,
];

test("DescribeConfigs on a group nobody created lists every group config at its default", async () => {
  const res = await describe("never-seen");
  assert.equal(res.errorCode, ErrorCode.NONE);
  assert.deepEqual(res.configs.map((c) => c.name).sort(), [...GROUP_CONFIG_DEFS.keys()].sort());
  const session = res.configs.find((c) => c.name === "consumer.session.timeout.ms");
  assert.equal(session?.value, "45000");
  assert.equal(session?.configSource, 5, "DEFAULT_CONFIG");
  assert.equal(session?.configType, 3, "INT");
  assert.equal(session?.readOnly, false);
  assert.deepEqual(session?.synonyms.map(triple), [
    ["group.consumer.session.timeout.ms", "45000", 5],
  ]);
  const reset = res.configs.find((c) => c.name === "share.auto.offset.reset");
  assert.equal(reset?.value, "latest");
  assert.deepEqual(reset?.synonyms.map(triple), [["share.auto.offset.reset", "latest", 5]]);
  // The broker's static value is the group default, still reported as DEFAULT_CONFIG (as Kafka).
  const limit = res.configs.find((c) => c.name === "share.delivery.count.limit");
  assert.equal(limit?.value, "7");
  assert.deepEqual(limit?.synonyms.map(triple), [["group.share.delivery.count.limit", "7", 5]]);
  assert.equal(b.broker.groupConfigs.of("never-seen").shareDeliveryCountLimit, 7);
  const tags = res.configs.find((c) => c.name === "streams.rack.aware.assignment.tags");
  assert.equal(tags?.configType, 7, "LIST");
  assert.equal(tags?.value, "");
});

test("the empty group name is refused, with Kafka's words for each API", async () => {
  const d = await describe("");
  assert.equal(d.errorCode, ErrorCode.INVALID_REQUEST);
  assert.equal(d.errorMessage, "Group name must not be empty");
  assert.deepEqual(await incremental("", [["consumer.session.timeout.ms", SET, "50000"]]), {
    code: ErrorCode.INVALID_REQUEST,
    message: "Default group resources are not allowed.",
  });
  assert.deepEqual(await alter("", { "consumer.session.timeout.ms": "50000" }), {
    code: ErrorCode.INVALID_REQUEST,
    message: "Default group resources are not allowed.",
  });
});

test("IncrementalAlterConfigs SET and DELETE change one group's overrides only", async () => {
  const seen: [string, string][] = [];
  const off = b.broker.groupConfigs.onChange((g, v) => seen.push([g, v.shareAutoOffsetReset.kind]));
  try {
    assert.deepEqual(await incremental("shared", [["share.auto.offset.reset", SET, "earliest"]]), {
      code: ErrorCode.NONE,
      message: null,
    });
    const res = await describe("shared", [
      "share.auto.offset.reset",
      "consumer.session.timeout.ms",
    ]);
    const reset = res.configs.find((c) => c.name === "share.auto.offset.reset");
    assert.equal(reset?.value, "earliest");
    assert.equal(reset?.configSource, 8, "GROUP_CONFIG");
    assert.deepEqual(reset?.synonyms.map(triple), [
      ["share.auto.offset.reset", "earliest", 8],
      ["share.auto.offset.reset", "latest", 5],
    ]);
    assert.equal(res.configs.length, 2);
    assert.deepEqual(b.broker.groupConfigs.of("shared").shareAutoOffsetReset, { kind: "earliest" });
    assert.deepEqual(b.broker.groupConfigs.of("other").shareAutoOffsetReset, { kind: "latest" });
    assert.deepEqual(seen, [["shared", "earliest"]]);

    // validate_only changes nothing.
    await incremental("shared", [["consumer.session.timeout.ms", SET, "50000"]], true);
    assert.equal(b.broker.groupConfigs.of("shared").consumerSessionTimeoutMs, 45_000);

    // DELETE returns to the default; deleting a name that is not a group config is no error.
    assert.deepEqual(
      await incremental("shared", [
        ["share.auto.offset.reset", DELETE, null],
        ["no.such.config", DELETE, null],
      ]),
      { code: ErrorCode.NONE, message: null },
    );
    assert.equal(b.broker.groupConfigs.overrides("shared").size, 0);
    const back = await describe("shared", ["share.auto.offset.reset"]);
    assert.equal(back.configs[0]?.configSource, 5);
    assert.deepEqual(seen, [
      ["shared", "earliest"],
      ["shared", "latest"],
    ]);
  } finally {
    off();
  }
});

test("a config named twice is refused; SET after DELETE of another config applies in order", async () => {
  assert.equal(
    (
      await incremental("order", [
        ["consumer.session.timeout.ms", SET, "50000"],
        ["consumer.session.timeout.ms", DELETE, null],
      ])
    ).code,
    ErrorCode.INVALID_REQUEST,
  );
  await incremental("order", [["share.isolation.level", SET, "read_committed"]]);
  assert.deepEqual(
    await incremental("order", [
      ["share.isolation.level", DELETE, null],
      ["share.auto.offset.reset", SET, "by_duration:PT1H30M"],
    ]),
    { code: ErrorCode.NONE, message: null },
  );
  const v = b.broker.groupConfigs.of("order");
  assert.equal(v.shareIsolationLevel, "read_uncommitted");
  assert.deepEqual(v.shareAutoOffsetReset, { kind: "by_duration", durationMs: 5_400_000 });
  assert.deepEqual(
    [...b.broker.groupConfigs.overrides("order").keys()],
    ["share.auto.offset.reset"],
  );
});

test("values are checked against their kinds and the broker's bounds, with Kafka's messages", async () => {
  const cases: [string, string, number, string][] = [
    [
      "consumer.session.timeout.ms",
      "1000",
      ErrorCode.INVALID_CONFIG,
      "consumer.session.timeout.ms must be in the range 45000 to 60000 inclusive.",
    ],
    [
      "consumer.session.timeout.ms",
      "0",
      ErrorCode.INVALID_CONFIG,
      "Invalid value 0 for configuration consumer.session.timeout.ms: Value must be at least 1",
    ],
    [
      "consumer.heartbeat.interval.ms",
      "abc",
      ErrorCode.INVALID_CONFIG,
      "Invalid value abc for configuration consumer.heartbeat.interval.ms: Not a number of type INT",
    ],
    [
      "share.record.lock.duration.ms",
      "999",
      ErrorCode.INVALID_CONFIG,
      "Invalid value 999 for configuration share.record.lock.duration.ms: Value must be at least 1000",
    ],
    [
      "share.delivery.count.limit",
      "11",
      ErrorCode.INVALID_CONFIG,
      "share.delivery.count.limit must be in the range 2 to 10 inclusive.",
    ],
    [
      "streams.num.standby.replicas",
      "3",
      ErrorCode.INVALID_CONFIG,
      "streams.num.standby.replicas must be less than or equal to 2",
    ],
    [
      "streams.assignor.name",
      "range",
      ErrorCode.INVALID_CONFIG,
      "streams.assignor.name 'range' is not a registered task assignor. Registered assignors are: [sticky].",
    ],
    [
      "share.isolation.level",
      "READ_COMMITTED",
      ErrorCode.INVALID_CONFIG,
      "Invalid value READ_COMMITTED for configuration share.isolation.level: String must be one of: read_committed, read_uncommitted",
    ],
    [
      "share.auto.offset.reset",
      "by_duration:-PT1H",
      ErrorCode.INVALID_CONFIG,
      "Invalid value by_duration:-PT1H for configuration share.auto.offset.reset: Invalid value `by_duration:-PT1H` for configuration share.auto.offset.reset. The value must be either 'earliest', 'latest' or of the format 'by_duration:<PnDTnHnMn.nS>'.",
    ],
    ["retention.ms", "1", ErrorCode.INVALID_CONFIG, "Unknown group config name: retention.ms"],
  ];
  for (const [name, value, code, message] of cases) {
    assert.deepEqual(await incremental("checked", [[name, SET, value]]), { code, message }, name);
  }
  // Unknown names are reported before bad values, whatever the order.
  assert.deepEqual(
    await incremental("checked", [
      ["consumer.session.timeout.ms", SET, "1"],
      ["no.such", SET, "1"],
    ]),
    { code: ErrorCode.INVALID_CONFIG, message: "Unknown group config name: no.such" },
  );
  assert.deepEqual(await incremental("checked", [["share.session.timeout.ms", SET, null]]), {
    code: ErrorCode.INVALID_REQUEST,
    message: "Null value not supported for : share.session.timeout.ms",
  });
  for (const [op, verb] of [
    [APPEND, "APPEND"],
    [SUBTRACT, "SUBTRACT"],
  ] as const) {
    assert.deepEqual(
      await incremental("checked", [["streams.rack.aware.assignment.tags", op, "a"]]),
      {
        code: ErrorCode.INVALID_CONFIG,
        message: `Can't ${verb} to key streams.rack.aware.assignment.tags because its type is not LIST.`,
      },
    );
  }
  assert.equal(b.broker.groupConfigs.overrides("checked").size, 0);
});

test("AlterConfigs replaces all of a group's overrides", async () => {
  await incremental("legacy", [["share.isolation.level", SET, "read_committed"]]);
  assert.deepEqual(await alter("legacy", { "consumer.heartbeat.interval.ms": "6000" }), {
    code: ErrorCode.NONE,
    message: null,
  });
  assert.deepEqual(Object.fromEntries(b.broker.groupConfigs.overrides("legacy")), {
    "consumer.heartbeat.interval.ms": "6000",
  });
  assert.deepEqual(await alter("legacy", { "consumer.heartbeat.interval.ms": null }), {
    code: ErrorCode.INVALID_REQUEST,
    message: "Null value not supported for : consumer.heartbeat.interval.ms",
  });
  assert.deepEqual(await alter("legacy", { "no.such": "1" }), {
    code: ErrorCode.INVALID_CONFIG,
    message: "Unknown group config name: no.such",
  });
  assert.equal(b.broker.groupConfigs.of("legacy").consumerHeartbeatIntervalMs, 6000);
  assert.deepEqual(await alter("legacy", {}), { code: ErrorCode.NONE, message: null });
  assert.equal(b.broker.groupConfigs.overrides("legacy").size, 0);
});

test("group configs survive a restart; removed ones stay removed", async () => {
  await incremental("durable", [
    ["share.auto.offset.reset", SET, "earliest"],
    ["consumer.session.timeout.ms", SET, "50000"],
  ]);
  await incremental("durable-gone", [["share.isolation.level", SET, "read_committed"]]);
  await incremental("durable-gone", [["share.isolation.level", DELETE, null]]);
  await b.restart();
  const v = b.broker.groupConfigs.of("durable");
  assert.deepEqual(v.shareAutoOffsetReset, { kind: "earliest" });
  assert.equal(v.consumerSessionTimeoutMs, 50_000);
  assert.equal(b.broker.groupConfigs.overrides("durable-gone").size, 0);
  assert.ok(b.broker.groupConfigs.configured().includes("durable"));
  assert.ok(!b.broker.groupConfigs.configured().includes("durable-gone"));
  const res = await describe("durable", ["consumer.session.timeout.ms"]);
  assert.equal(res.configs[0]?.value, "50000");
  assert.equal(res.configs[0]?.configSource, 8);
});

test("ListConfigResources lists configured groups, topics and the broker by type", async () => {
  await incremental("listed-b", [["share.isolation.level", SET, "read_committed"]]);
  await incremental("listed-a", [["share.isolation.level", SET, "read_committed"]]);
  await incremental("listed-gone", [["share.isolation.level", SET, "read_committed"]]);
  await incremental("listed-gone", [["share.isolation.level", DELETE, null]]);
  const list = async (version: number, resourceTypes: number[]) => {
    const r = await b.client.send(
      ListConfigResourcesApi,
      version,
      createListConfigResourcesRequest({ resourceTypes }),
    );
    return {
      code: r.errorCode,
      listed: r.configResources.map((c) => `${c.resourceType}:${c.resourceName}`),
    };
  };
  const groups = await list(1, [GROUP]);
  assert.equal(groups.code, ErrorCode.NONE);
  assert.ok(groups.listed.includes("32:listed-a") && groups.listed.includes("32:listed-b"));
  assert.ok(!groups.listed.includes("32:listed-gone"));
  assert.deepEqual(
    groups.listed.filter((g) => g.startsWith("32:listed")),
    ["32:listed-a", "32:listed-b"],
  );
  assert.deepEqual(await list(1, [4]), { code: ErrorCode.NONE, listed: ["4:0"] });
  const all = await list(1, []);
  assert.ok(all.listed.includes("4:0") && all.listed.includes("32:listed-a"));
  assert.deepEqual(await list(1, [16, 8]), { code: ErrorCode.NONE, listed: [] });
  // v0 (ListClientMetricsResources): there are no client-metrics resources.
  assert.deepEqual(await list(0, []), { code: ErrorCode.NONE, listed: [] });
  assert.deepEqual(await list(1, [GROUP, 99]), { code: ErrorCode.UNSUPPORTED_VERSION, listed: [] });
});
