/**
 * Config APIs over the wire: DescribeConfigs (v0-v4) for topics and the broker,
 * AlterConfigs (v0-v2) and IncrementalAlterConfigs (v0-v1), and that changes reach
 * the open partition logs.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
  AlterConfigsApi,
  CreateTopicsApi,
  createAlterConfigsRequest,
  createAlterConfigsRequestAlterableConfig,
  createAlterConfigsRequestResource,
  createCreateTopicsRequest,
  createCreateTopicsRequestCreatableTopic,
  createCreateTopicsRequestCreatableTopicConfig,
  createDescribeConfigsRequest,
  createDescribeConfigsRequestResource,
  createIncrementalAlterConfigsRequest,
  createIncrementalAlterConfigsRequestAlterableConfig,
  createIncrementalAlterConfigsRequestResource,
  DescribeConfigsApi,
  ErrorCode,
  IncrementalAlterConfigsApi,
} from "@logbook/protocol";
import { logConfig } from "@logbook/storage";
import { DEFAULT_BROKER_CONFIG } from "../src/config/broker-config.js";
import { TOPIC_CONFIG_DEFS } from "../src/config/schema.js";
import { startTestBroker, type TestBroker } from "./helpers/admin-broker.js";

const TOPIC = 2;
const BROKER = 4;

let b: TestBroker;
before(async () => {
  // A static broker setting differs from Kafka's default: reported as STATIC_BROKER_CONFIG.
  // An inline key is a PASSWORD setting: reported as sensitive, its value left out.
  b = await startTestBroker({
    logDefaults: logConfig({ retentionMs: 3_600_000 }),
    ssl: { ...DEFAULT_BROKER_CONFIG.ssl, keystoreKey: "not-a-real-key" },
  });
  const configs = [
    createCreateTopicsRequestCreatableTopicConfig({ name: "segment.bytes", value: "1048576" }),
    createCreateTopicsRequestCreatableTopicConfig({ name: "max.message.bytes", value: "2000" }),
  ];
  const r = await b.client.send(
    CreateTopicsApi,
    4,
    createCreateTopicsRequest({
      topics: [
        createCreateTopicsRequestCreatableTopic({
          name: "cfg",
          numPartitions: 2,
          replicationFactor: 1,
          configs,
        }),
      ],
    }),
  );
  assert.equal(r.topics[0]?.errorCode, ErrorCode.NONE);
});
after(async () => {
  await b.stop();
});

function describe(
  version: number,
  type: number,
  name: string,
  keys: string[] | null = null,
  synonyms = true,
  docs = true,
) {
  return b.client.send(
    DescribeConfigsApi,
    version,
    createDescribeConfigsRequest({
      resources: [
        createDescribeConfigsRequestResource({
          resourceType: type,
          resourceName: name,
          configurationKeys: keys,
        }),
      ],
      includeSynonyms: synonyms,
      includeDocumentation: docs,
    }),
  );
}

function incremental(
  ops: [string, number, string | null][],
  validateOnly = false,
  name = "cfg",
  type = TOPIC,
) {
  return b.client.send(
    IncrementalAlterConfigsApi,
    1,
    createIncrementalAlterConfigsRequest({
      validateOnly,
      resources: [
        createIncrementalAlterConfigsRequestResource({
          resourceType: type,
          resourceName: name,
          configs: ops.map(([n, configOperation, value]) =>
            createIncrementalAlterConfigsRequestAlterableConfig({
              name: n,
              configOperation,
              value,
            }),
          ),
        }),
      ],
    }),
  );
}

test("DescribeConfigs lists every topic config with value, source and synonyms at every version", async () => {
  for (let v = 0; v <= 4; v++) {
    const r = await describe(v, TOPIC, "cfg");
    const res = r.results[0];
    assert.equal(res?.errorCode, ErrorCode.NONE, `v${v}`);
    assert.deepEqual(
      res?.configs.map((c) => c.name).sort(),
      TOPIC_CONFIG_DEFS.map((d) => d.name).sort(),
    );
    const seg = res?.configs.find((c) => c.name === "segment.bytes");
    const ret = res?.configs.find((c) => c.name === "retention.ms");
    const cmp = res?.configs.find((c) => c.name === "compression.type");
    assert.equal(seg?.value, "1048576");
    assert.equal(ret?.value, "3600000");
    assert.equal(cmp?.value, "producer");
    assert.equal(seg?.readOnly, false);
    assert.equal(seg?.isSensitive, false);
    if (v === 0) {
      assert.equal(seg?.isDefault, false);
      assert.equal(cmp?.isDefault, true);
    } else {
      assert.equal(seg?.configSource, 1, "DYNAMIC_TOPIC_CONFIG");
      assert.equal(ret?.configSource, 4, "STATIC_BROKER_CONFIG");
      assert.equal(cmp?.configSource, 5, "DEFAULT_CONFIG");
      assert.deepEqual(
        seg?.synonyms.map((s) => [s.name, s.value, s.source]),
        [
          ["segment.bytes", "1048576", 1],
          ["log.segment.bytes", "1073741824", 5],
        ],
      );
      assert.deepEqual(
        ret?.synonyms.map((s) => [s.name, s.value, s.source]),
        // No DEFAULT_CONFIG synonym: log.retention.ms has no default of its own in Kafka.
        [["log.retention.ms", "3600000", 4]],
      );
    }
    if (v >= 3) {
      assert.equal(seg?.configType, 3, "INT");
      assert.equal(ret?.configType, 5, "LONG");
      assert.equal(res?.configs.find((c) => c.name === "cleanup.policy")?.configType, 7, "LIST");
      assert.ok((seg?.documentation ?? "").length > 10);
    }
  }
});

test("DescribeConfigs: key filter, no synonyms or docs unless asked, unknown topic, broker resource", async () => {
  const filtered = await describe(
    2,
    TOPIC,
    "cfg",
    ["retention.ms", "flush.messages"],
    false,
    false,
  );
  assert.deepEqual(
    filtered.results[0]?.configs.map((c) => [c.name, c.value, c.synonyms.length]),
    [
      ["flush.messages", "9223372036854775807", 0],
      ["retention.ms", "3600000", 0],
    ],
  );
  const noDocs = await describe(4, TOPIC, "cfg", ["retention.ms"], true, false);
  assert.equal(noDocs.results[0]?.configs[0]?.documentation, null);
  const missing = await describe(1, TOPIC, "nope");
  assert.equal(missing.results[0]?.errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  const wrongBroker = await describe(1, BROKER, "7");
  assert.equal(wrongBroker.results[0]?.errorCode, ErrorCode.INVALID_REQUEST);

  const broker = await describe(4, BROKER, "0");
  const cfgs = broker.results[0]?.configs ?? [];
  const get = (n: string) => cfgs.find((c) => c.name === n);
  assert.equal(broker.results[0]?.errorCode, ErrorCode.NONE);
  assert.equal(get("node.id")?.value, "0");
  assert.equal(get("log.dirs")?.value, b.dir);
  assert.equal(get("num.partitions")?.value, "1");
  assert.equal(get("auto.create.topics.enable")?.value, "true");
  assert.equal(get("message.max.bytes")?.value, "1048588");
  assert.equal(get("log.retention.ms")?.value, "3600000");
  assert.equal(get("log.retention.ms")?.configSource, 4);
  assert.equal(get("log.segment.bytes")?.configSource, 5);
  assert.equal(get("advertised.listeners")?.value, `PLAINTEXT://127.0.0.1:${b.port}`);
  assert.equal(get("listeners")?.value, `PLAINTEXT://127.0.0.1:${b.port}`);
  assert.equal(get("ssl.keystore.key")?.isSensitive, true);
  assert.equal(get("ssl.keystore.key")?.value, null);
  assert.equal(get("ssl.keystore.key")?.configSource, 4);
  assert.equal(get("ssl.keystore.location")?.isSensitive, false);
  assert.ok(cfgs.every((c) => c.readOnly));
});

test("AlterConfigs replaces a topic's overrides and reaches open logs; validate_only; errors", async () => {
  const log = await b.broker.topics.partition("cfg", 0);
  assert.equal(log?.config.segmentBytes, 1048576);
  const alter = (
    version: number,
    configs: [string, string | null][],
    validateOnly = false,
    type = TOPIC,
    name = "cfg",
  ) =>
    b.client.send(
      AlterConfigsApi,
      version,
      createAlterConfigsRequest({
        validateOnly,
        resources: [
          createAlterConfigsRequestResource({
            resourceType: type,
            resourceName: name,
            configs: configs.map(([n, value]) =>
              createAlterConfigsRequestAlterableConfig({ name: n, value }),
            ),
          }),
        ],
      }),
    );
  const dry = await alter(1, [["retention.ms", "1000"]], true);
  assert.equal(dry.responses[0]?.errorCode, ErrorCode.NONE);
  assert.equal(b.broker.topics.get("cfg")?.overrides.get("retention.ms"), undefined);

  for (let v = 0; v <= 2; v++) {
    const r = await alter(v, [
      ["retention.ms", String(1000 + v)],
      ["cleanup.policy", "compact,delete"],
    ]);
    assert.equal(r.responses[0]?.errorCode, ErrorCode.NONE, `v${v}`);
  }
  const info = b.broker.topics.get("cfg");
  assert.deepEqual([...(info?.overrides ?? new Map())].sort(), [
    ["cleanup.policy", "compact,delete"],
    ["retention.ms", "1002"],
  ]);
  assert.equal(info?.maxMessageBytes, 1048588, "max.message.bytes went back to the default");
  assert.equal(log?.config.retentionMs, 1002, "the open log got the new settings");
  assert.equal(log?.config.segmentBytes, 1073741824);
  assert.deepEqual(log?.config.cleanupPolicy, { compact: true, delete: true });

  const bad = await alter(1, [["segment.bytes", "3"]]);
  assert.equal(bad.responses[0]?.errorCode, ErrorCode.INVALID_CONFIG);
  assert.match(bad.responses[0]?.errorMessage ?? "", /segment\.bytes/);
  assert.equal(
    (await alter(1, [["no.such", "1"]])).responses[0]?.errorCode,
    ErrorCode.INVALID_CONFIG,
  );
  assert.equal(
    (await alter(1, [["retention.ms", null]])).responses[0]?.errorCode,
    ErrorCode.INVALID_CONFIG,
  );
  assert.equal(
    (await alter(1, [["retention.ms", "1"]], false, TOPIC, "nope")).responses[0]?.errorCode,
    ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
  );
  assert.equal(
    (await alter(1, [["log.retention.ms", "1"]], false, BROKER, "0")).responses[0]?.errorCode,
    ErrorCode.INVALID_REQUEST,
  );
  assert.equal((await alter(1, [], false, BROKER, "0")).responses[0]?.errorCode, ErrorCode.NONE);
  assert.equal(
    b.broker.topics.get("cfg")?.overrides.get("retention.ms"),
    "1002",
    "failed changes change nothing",
  );
});

test("IncrementalAlterConfigs: SET, DELETE, APPEND, SUBTRACT, validate_only and errors", async () => {
  const overrides = () => Object.fromEntries(b.broker.topics.get("cfg")?.overrides ?? new Map());
  let r = await incremental([
    ["retention.ms", 0, "5000"],
    ["cleanup.policy", 1, null],
    ["max.message.bytes", 0, "4096"],
  ]);
  assert.equal(r.responses[0]?.errorCode, ErrorCode.NONE);
  assert.deepEqual(overrides(), { "retention.ms": "5000", "max.message.bytes": "4096" });
  assert.equal(b.broker.topics.get("cfg")?.maxMessageBytes, 4096);

  r = await incremental([["cleanup.policy", 2, "compact"]]);
  assert.equal(r.responses[0]?.errorCode, ErrorCode.NONE);
  assert.equal(overrides()["cleanup.policy"], "delete,compact", "APPEND starts from the default");
  r = await incremental([["cleanup.policy", 3, "delete"]]);
  assert.equal(overrides()["cleanup.policy"], "compact");
  assert.deepEqual((await b.broker.topics.partition("cfg", 1))?.config.cleanupPolicy, {
    compact: true,
    delete: false,
  });

  r = await incremental([["cleanup.policy", 3, "compact"]]);
  assert.equal(
    r.responses[0]?.errorCode,
    ErrorCode.INVALID_CONFIG,
    "an empty cleanup.policy is refused",
  );
  r = await incremental([["retention.ms", 2, "1"]]);
  assert.equal(r.responses[0]?.errorCode, ErrorCode.INVALID_CONFIG, "APPEND on a non-list config");
  r = await incremental([["retention.ms", 0, null]]);
  assert.equal(r.responses[0]?.errorCode, ErrorCode.INVALID_REQUEST);
  r = await incremental([["retention.ms", 9, "1"]]);
  assert.equal(r.responses[0]?.errorCode, ErrorCode.INVALID_REQUEST);
  r = await incremental([
    ["retention.ms", 0, "1"],
    ["retention.ms", 1, null],
  ]);
  assert.equal(r.responses[0]?.errorCode, ErrorCode.INVALID_REQUEST);
  r = await incremental([["retention.ms", 0, "-7"]]);
  assert.equal(r.responses[0]?.errorCode, ErrorCode.INVALID_CONFIG);
  r = await incremental([["retention.ms", 0, "1"]], true);
  assert.equal(r.responses[0]?.errorCode, ErrorCode.NONE);
  assert.equal(overrides()["retention.ms"], "5000", "validate_only changes nothing");
  r = await incremental([["log.retention.ms", 0, "1"]], false, "0", BROKER);
  assert.equal(r.responses[0]?.errorCode, ErrorCode.INVALID_REQUEST);
  r = await incremental([["retention.ms", 1, null]], false, "nope");
  assert.equal(r.responses[0]?.errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);

  const v0 = await b.client.send(
    IncrementalAlterConfigsApi,
    0,
    createIncrementalAlterConfigsRequest({
      resources: [
        createIncrementalAlterConfigsRequestResource({
          resourceType: TOPIC,
          resourceName: "cfg",
          configs: [
            createIncrementalAlterConfigsRequestAlterableConfig({
              name: "retention.ms",
              configOperation: 1,
              value: null,
            }),
          ],
        }),
      ],
    }),
  );
  assert.equal(v0.responses[0]?.errorCode, ErrorCode.NONE);
  assert.equal(overrides()["retention.ms"], undefined);
  assert.equal(
    (await b.broker.topics.partition("cfg", 0))?.config.retentionMs,
    3_600_000,
    "back to the broker default",
  );
});
