/**
 * Client quotas over the wire on a real broker: AlterClientQuotas sets and removes
 * quotas with Kafka's checks and messages (validate_only writes nothing), the
 * DescribeClientQuotas filters (exact, default, any; strict), quotas surviving a
 * restart (ClientQuotaRecord in the metadata log), and a Produce over its quota
 * answered with throttle_time_ms while the connection is muted for that long.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  AlterClientQuotasApi,
  buildBatch,
  CreateTopicsApi,
  createAlterClientQuotasRequest,
  createAlterClientQuotasRequestEntityData,
  createAlterClientQuotasRequestEntryData,
  createAlterClientQuotasRequestOpData,
  createCreateTopicsRequest,
  createCreateTopicsRequestCreatableTopic,
  createDescribeClientQuotasRequest,
  createDescribeClientQuotasRequestComponentData,
  createMetadataRequest,
  DescribeClientQuotasApi,
  ErrorCode,
  FetchApi,
  MetadataApi,
  ProduceApi,
} from "@logbook/protocol";
import { startTestBroker, type TestBroker } from "./helpers/admin-broker.js";
import { records } from "./helpers/data-broker.js";
import { fetchRequest, onlyProduceResult, produceRequest } from "./helpers/data-requests.js";
import { WireClient } from "./helpers/wire-client.js";

type Entity = [string, string | null][];

function entry(entity: Entity, ops: [string, number | null][]) {
  return createAlterClientQuotasRequestEntryData({
    entity: entity.map(([entityType, entityName]) =>
      createAlterClientQuotasRequestEntityData({ entityType, entityName }),
    ),
    ops: ops.map(([key, value]) =>
      createAlterClientQuotasRequestOpData({ key, value: value ?? 0, remove: value === null }),
    ),
  });
}

async function alter(b: TestBroker, entries: ReturnType<typeof entry>[], validateOnly = false) {
  const r = await b.client.send(
    AlterClientQuotasApi,
    1,
    createAlterClientQuotasRequest({ entries, validateOnly }),
  );
  return r.entries.map((e) => [e.errorCode, e.errorMessage]);
}

async function describeQuotas(
  b: TestBroker,
  components: [string, number, string | null][],
  strict = false,
) {
  const r = await b.client.send(
    DescribeClientQuotasApi,
    1,
    createDescribeClientQuotasRequest({
      components: components.map(([entityType, matchType, match]) =>
        createDescribeClientQuotasRequestComponentData({ entityType, matchType, match }),
      ),
      strict,
    }),
  );
  return {
    error: [r.errorCode, r.errorMessage],
    entries: (r.entries ?? [])
      .map((e) => ({
        entity: e.entity.map((c) => `${c.entityType}=${c.entityName ?? "<default>"}`).join(","),
        values: Object.fromEntries(e.values.map((v) => [v.key, v.value])),
      }))
      .sort((x, y) => (x.entity < y.entity ? -1 : 1)),
  };
}

describe("client quotas on the wire", () => {
  let b: TestBroker;
  before(async () => {
    // Two 1 s samples: a burst is measured over 1 s, so throttles stay a few seconds.
    b = await startTestBroker({ quotaWindowNum: 2 });
  });
  after(() => b.stop());

  it("refuses what Kafka refuses, with its messages, per entry", async () => {
    const bad = await alter(b, [
      entry([], [["producer_byte_rate", 1]]),
      entry([["group", "g"]], [["producer_byte_rate", 1]]),
      entry([["user", ""]], [["producer_byte_rate", 1]]),
      entry([["user", "a"]], [["nope", 1]]),
      entry([["user", "a"]], [["producer_byte_rate", 0]]),
      entry([["user", "a"]], [["producer_byte_rate", 1.5]]),
      entry([["user", "a"]], [["producer_byte_rate", Number.POSITIVE_INFINITY]]),
      entry([["ip", "1.2.3.4"]], [["producer_byte_rate", 1]]),
      entry(
        [
          ["ip", "1.2.3.4"],
          ["user", "a"],
        ],
        [["connection_creation_rate", 1]],
      ),
      entry([["ip", "1.2.3.4"]], [["connection_creation_rate", 3e9]]),
      entry(
        [["user", "a"]],
        [
          ["producer_byte_rate", 1],
          ["producer_byte_rate", 2],
        ],
      ),
    ]);
    const invalid = ErrorCode.INVALID_REQUEST;
    assert.deepEqual(bad, [
      [invalid, "Invalid empty client quota entity"],
      [invalid, "Unhandled client quota entity type: group"],
      [invalid, "Empty user not supported"],
      [invalid, "Invalid configuration key nope"],
      [invalid, "Quota producer_byte_rate must be greater than 0"],
      [invalid, "producer_byte_rate cannot be a fractional value."],
      [invalid, "Quota producer_byte_rate must be a finite number"],
      [invalid, "Invalid configuration key producer_byte_rate"],
      [
        invalid,
        "Invalid quota entity combination, IP entity shouldnot be combined with User or ClientId",
      ],
      [invalid, "Proposed value for connection_creation_rate is too large for an INT."],
      [invalid, "Ignoring duplicate entity ClientQuotaEntity(entries={user=a})"],
    ]);
    assert.deepEqual((await describeQuotas(b, [])).entries, [], "nothing was written");
  });

  it("validate_only checks without writing; set, describe with filters, remove", async () => {
    const ok = [ErrorCode.NONE, null];
    assert.deepEqual(
      await alter(b, [entry([["user", "alice"]], [["producer_byte_rate", 1024]])], true),
      [ok],
    );
    assert.deepEqual((await describeQuotas(b, [])).entries, []);
    assert.deepEqual(
      await alter(b, [
        entry(
          [["user", "alice"]],
          [
            ["producer_byte_rate", 1024],
            ["request_percentage", 12.5],
          ],
        ),
        entry([["user", null]], [["consumer_byte_rate", 2048]]),
        entry(
          [
            ["user", "alice"],
            ["client-id", "app"],
          ],
          [["controller_mutation_rate", 3]],
        ),
        entry([["client-id", null]], [["producer_byte_rate", 512]]),
        entry([["ip", null]], [["connection_creation_rate", 10]]),
      ]),
      [ok, ok, ok, ok, ok],
    );
    const all = await describeQuotas(b, []);
    assert.deepEqual(all.error, [ErrorCode.NONE, ""]);
    assert.deepEqual(
      all.entries.map((e) => e.entity),
      [
        "client-id=<default>",
        "client-id=app,user=alice",
        "ip=<default>",
        "user=<default>",
        "user=alice",
      ],
    );
    assert.deepEqual(all.entries[4]?.values, {
      producer_byte_rate: 1024,
      request_percentage: 12.5,
    });
    // exact: any entity with user alice; strict: only the entity that is user alice alone.
    assert.deepEqual(
      (await describeQuotas(b, [["user", 0, "alice"]])).entries.map((e) => e.entity),
      ["client-id=app,user=alice", "user=alice"],
    );
    assert.deepEqual(
      (await describeQuotas(b, [["user", 0, "alice"]], true)).entries.map((e) => e.entity),
      ["user=alice"],
    );
    // default: the default user; specified: any user entity, the default one too (as Kafka).
    assert.deepEqual(
      (await describeQuotas(b, [["user", 1, null]])).entries.map((e) => e.entity),
      ["user=<default>"],
    );
    assert.deepEqual(
      (await describeQuotas(b, [["user", 2, null]], true)).entries.map((e) => e.entity),
      ["user=<default>", "user=alice"],
    );
    assert.deepEqual(
      (await describeQuotas(b, [["client-id", 2, null]])).entries.map((e) => e.entity),
      ["client-id=<default>", "client-id=app,user=alice"],
    );
    assert.deepEqual(await alter(b, [entry([["user", "alice"]], [["request_percentage", null]])]), [
      ok,
    ]);
    assert.deepEqual((await describeQuotas(b, [["user", 0, "alice"]], true)).entries[0]?.values, {
      producer_byte_rate: 1024,
    });
  });

  it("answers bad filters with Kafka's errors", async () => {
    const invalid = ErrorCode.INVALID_REQUEST;
    const cases: [[string, number, string | null][], unknown[]][] = [
      [[["", 0, "x"]], [invalid, "Invalid empty entity type."]],
      [[["group", 0, "x"]], [ErrorCode.UNSUPPORTED_VERSION, "Unsupported entity type group"]],
      [
        [
          ["user", 0, "a"],
          ["user", 1, null],
        ],
        [invalid, "Entity type user cannot appear more than once in the filter."],
      ],
      [
        [["user", 0, null]],
        [invalid, "Request specified MATCH_TYPE_EXACT, but set match string to null."],
      ],
      [
        [["user", 1, "a"]],
        [invalid, "Request specified MATCH_TYPE_DEFAULT, but also specified a match string."],
      ],
      [
        [["user", 2, "a"]],
        [invalid, "Request specified MATCH_TYPE_SPECIFIED, but also specified a match string."],
      ],
      [[["user", 7, null]], [invalid, "Unknown match type 7"]],
      [
        [
          ["ip", 1, null],
          ["user", 1, null],
        ],
        [
          invalid,
          "Invalid entity filter component combination. IP filter component should not be used with user or clientId filter component.",
        ],
      ],
    ];
    for (const [components, error] of cases)
      assert.deepEqual(
        (await describeQuotas(b, components)).error,
        error,
        JSON.stringify(components),
      );
  });

  it("quotas survive a restart", async () => {
    const before = await describeQuotas(b, []);
    await b.restart();
    assert.deepEqual(await describeQuotas(b, []), before);
  });

  it("a Produce over its quota is answered with throttle_time_ms and mutes the connection", async () => {
    await b.client.send(
      CreateTopicsApi,
      7,
      createCreateTopicsRequest({
        topics: [
          createCreateTopicsRequestCreatableTopic({
            name: "q",
            numPartitions: 1,
            replicationFactor: 1,
          }),
        ],
      }),
    );
    // The wire client's id is "wire-test"; ANONYMOUS is its user.
    await alter(b, [entry([["client-id", "wire-test"]], [["producer_byte_rate", 1000]])]);
    const batch = await buildBatch(records(1, "x".repeat(3_000)));
    const first = await b.client.send(ProduceApi, 9, produceRequest("q", 0, batch));
    assert.equal(onlyProduceResult(first).errorCode, ErrorCode.NONE);
    // ~3 kB against 1000 B/s over the 1 s minimum span: (3000 - 1000) / 1000 x 1 s, about 2 s.
    assert.ok(first.throttleTimeMs >= 1_000, `throttle ${first.throttleTimeMs}`);
    // The next request waits until the mute lapses (at least a good part of it).
    const started = Date.now();
    await alter(b, [entry([["client-id", "wire-test"]], [["producer_byte_rate", null]])]).catch(
      () => undefined,
    );
    assert.ok(Date.now() - started >= first.throttleTimeMs / 2, "the connection was muted");
  });

  it("a Fetch over consumer_byte_rate is answered with throttle_time_ms", async () => {
    // Topic q holds the 3 kB record produced above.
    await alter(b, [entry([["client-id", "wire-test"]], [["consumer_byte_rate", 1000]])]);
    const f = await b.client.send(
      FetchApi,
      12,
      fetchRequest([{ topic: "q", partition: 0, offset: 0n }]),
    );
    assert.ok(f.throttleTimeMs > 0, `throttle ${f.throttleTimeMs}`);
    await alter(b, [entry([["client-id", "wire-test"]], [["consumer_byte_rate", null]])]);
  });

  it("request_percentage throttles a client whose requests take more handler time", async () => {
    // 0.001 % of one second is 10 µs of handler time per second: a few requests exceed it.
    // The quota is on another client id: set on this connection's own, the AlterClientQuotas
    // that sets it is counted against it too and mutes this connection for minutes.
    await alter(b, [entry([["client-id", "busy"]], [["request_percentage", 0.001]])]);
    const busy = await WireClient.connect(b.port, "127.0.0.1", "busy");
    try {
      let throttle = 0;
      for (let i = 0; i < 20 && throttle === 0; i++)
        throttle = (await busy.send(MetadataApi, 12, createMetadataRequest({ topics: null })))
          .throttleTimeMs;
      assert.ok(throttle > 0, "throttled on handler time");
      // This connection is not muted by the other client's quota.
      const r = await b.client.send(MetadataApi, 12, createMetadataRequest({ topics: null }));
      assert.equal(r.throttleTimeMs, 0);
    } finally {
      // The throttled connection stays muted, which on a loaded machine (slower handlers
      // against a 10 µs/s quota) can run to many minutes: it is closed, not waited out.
      busy.close();
    }
  });
});
