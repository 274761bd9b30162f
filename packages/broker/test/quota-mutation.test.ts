/**
 * controller_mutation_rate (quotas/mutation-quota.ts, token-bucket.ts): Kafka's token
 * bucket (burst = quota x windows x window, refilled at the quota), strict quotas
 * checked before and recorded after each topic, permissive ones throttling only; and
 * CreateTopics, CreatePartitions and DeleteTopics over the wire, refused with
 * THROTTLING_QUOTA_EXCEEDED from the versions that know it and throttled below them.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  AlterClientQuotasApi,
  CreatePartitionsApi,
  CreateTopicsApi,
  createAlterClientQuotasRequest,
  createAlterClientQuotasRequestEntityData,
  createAlterClientQuotasRequestEntryData,
  createAlterClientQuotasRequestOpData,
  createCreatePartitionsRequest,
  createCreatePartitionsRequestAssignment,
  createCreatePartitionsRequestTopic,
  createCreateTopicsRequest,
  createCreateTopicsRequestCreatableTopic,
  createDeleteTopicsRequest,
  DeleteTopicsApi,
  ErrorCode,
} from "@logbook/protocol";
import { ControllerMutationQuotas } from "../src/quotas/mutation-quota.js";
import { refillMs, TokenBucket } from "../src/quotas/token-bucket.js";
import { startTestBroker, type TestBroker } from "./helpers/admin-broker.js";
import { WireClient } from "./helpers/wire-client.js";

const KAFKA = { samples: 11, windowMs: 1000 };
const T0 = 1_700_000_000_000;

describe("token bucket", () => {
  it("starts full at quota x samples x window and refills at the quota", () => {
    const b = new TokenBucket(KAFKA);
    assert.equal(b.credit(2, T0), 22);
    b.record(2, 30, T0);
    assert.equal(b.credit(2, T0), -8);
    assert.equal(b.credit(2, T0 + 1500), -5);
    assert.equal(b.credit(2, T0 + 60_000), 22);
  });

  it("the wait is the time to refill to zero, rounded as Kafka", () => {
    assert.equal(refillMs(-8, 2), 4000);
    assert.equal(refillMs(-1, 3), 333);
    assert.equal(refillMs(0, 2), 0);
    assert.equal(refillMs(5, 2), 0);
  });
});

describe("controller mutation quotas", () => {
  const setup = (values: Map<string, ReadonlyMap<string, number>>) => {
    let now = T0;
    const q = new ControllerMutationQuotas(
      (e) => values.get(JSON.stringify(e.map((c) => [c.entityType, c.entityName]))),
      KAFKA,
      () => now,
    );
    return { q, tick: (ms: number) => (now += ms) };
  };
  const alice = JSON.stringify([["user", "alice"]]);
  const anyUser = JSON.stringify([["user", null]]);

  it("strict: accepted while credits are left, the one emptying the bucket too; then refused", () => {
    const { q, tick } = setup(new Map([[alice, new Map([["controller_mutation_rate", 2]])]]));
    const r = q.forRequest("alice", "app", true);
    assert.equal(r.record(10), true);
    assert.equal(r.record(10), true);
    assert.equal(r.record(10), true, "2 credits left: accepted, the bucket goes to -8");
    assert.equal(r.throttleTimeMs(), 0, "nothing refused yet: no throttle");
    assert.equal(r.record(1), false);
    assert.equal(r.throttleTimeMs(), 4000);
    tick(1000);
    assert.equal(r.throttleTimeMs(), 3000, "the time the request took is deducted");
    const next = q.forRequest("alice", "other", true);
    assert.equal(next.record(1), false, "the bucket is the user's, shared by its client ids");
    assert.equal(next.throttleTimeMs(), 3000);
    tick(3000);
    assert.equal(q.forRequest("alice", "app", true).record(1), true);
  });

  it("permissive: always accepted, throttled once the credits are below zero", () => {
    const { q } = setup(new Map([[alice, new Map([["controller_mutation_rate", 2]])]]));
    const r = q.forRequest("alice", "app", false);
    assert.equal(r.record(20), true);
    assert.equal(r.throttleTimeMs(), 0);
    assert.equal(r.record(6), true);
    assert.equal(r.throttleTimeMs(), 2000);
  });

  it("no quota for the client: nothing is refused or throttled", () => {
    const { q } = setup(new Map([[alice, new Map([["controller_mutation_rate", 1]])]]));
    const r = q.forRequest("bob", "app", true);
    for (let i = 0; i < 5; i++) assert.equal(r.record(1000), true);
    assert.equal(r.throttleTimeMs(), 0);
  });

  it("a default user quota limits each user on its own bucket", () => {
    const { q } = setup(new Map([[anyUser, new Map([["controller_mutation_rate", 1]])]]));
    assert.equal(q.forRequest("a", "", true).record(20), true);
    assert.equal(q.forRequest("a", "", true).record(1), false);
    assert.equal(q.forRequest("b", "", true).record(1), true);
  });
});

function setQuota(b: TestBroker, rate: number | null) {
  return b.client.send(
    AlterClientQuotasApi,
    1,
    createAlterClientQuotasRequest({
      validateOnly: false,
      entries: [
        createAlterClientQuotasRequestEntryData({
          entity: [
            createAlterClientQuotasRequestEntityData({ entityType: "user", entityName: null }),
          ],
          ops: [
            createAlterClientQuotasRequestOpData({
              key: "controller_mutation_rate",
              value: rate ?? 0,
              remove: rate === null,
            }),
          ],
        }),
      ],
    }),
  );
}

function createTopics(
  b: TestBroker,
  version: number,
  topics: [string, number][],
  validateOnly = false,
) {
  return b.client.send(
    CreateTopicsApi,
    version,
    createCreateTopicsRequest({
      topics: topics.map(([name, numPartitions]) =>
        createCreateTopicsRequestCreatableTopic({ name, numPartitions, replicationFactor: 1 }),
      ),
      timeoutMs: 5000,
      validateOnly,
    }),
  );
}

/** A broker whose mutation burst is one window: quota 10 allows 10 partitions at once. */
async function withBroker(run: (b: TestBroker) => Promise<void>) {
  const b = await startTestBroker({ controllerQuotaWindowNum: 1 });
  try {
    await setQuota(b, 10);
    await run(b);
  } finally {
    await b.stop();
  }
}

describe("mutation quotas on the wire", () => {
  it("CreateTopics v6+: topics after the one that exhausts the quota are refused, with a throttle", () =>
    withBroker(async (b) => {
      const r = await createTopics(b, 7, [
        ["a", 8],
        ["b", 8],
        ["c", 1],
        ["c2", 1],
      ]);
      assert.deepEqual(
        r.topics.map((t) => [t.name, t.errorCode, t.errorMessage]),
        [
          ["a", ErrorCode.NONE, null],
          ["b", ErrorCode.NONE, null],
          ["c", ErrorCode.THROTTLING_QUOTA_EXCEEDED, null],
          ["c2", ErrorCode.THROTTLING_QUOTA_EXCEEDED, null],
        ],
      );
      // Credits at -6 with 10 per second: at most 600 ms (less the time since).
      assert.ok(r.throttleTimeMs > 0 && r.throttleTimeMs <= 600, `throttle ${r.throttleTimeMs}`);
    }));

  it("CreateTopics below v6 creates everything and throttles; invalid topics count nothing", () =>
    withBroker(async (b) => {
      const r = await createTopics(b, 5, [
        ["bad name!", 50],
        ["a", 8],
        ["b", 8],
        ["c", 1],
      ]);
      assert.deepEqual(
        r.topics.map((t) => t.errorCode),
        [ErrorCode.INVALID_TOPIC_EXCEPTION, ErrorCode.NONE, ErrorCode.NONE, ErrorCode.NONE],
      );
      assert.ok(r.throttleTimeMs > 0 && r.throttleTimeMs <= 700, `throttle ${r.throttleTimeMs}`);
    }));

  it("validate_only counts against the quota, as in Kafka", () =>
    withBroker(async (b) => {
      const dry = await createTopics(b, 7, [["a", 11]], true);
      assert.equal(dry.topics[0]?.errorCode, ErrorCode.NONE);
      assert.equal(dry.throttleTimeMs, 0);
      const r = await createTopics(b, 7, [["a", 1]], true);
      assert.equal(r.topics[0]?.errorCode, ErrorCode.THROTTLING_QUOTA_EXCEEDED);
      assert.ok(r.throttleTimeMs > 0);
    }));

  it("CreatePartitions v3 and DeleteTopics v5 refuse once exhausted; older versions do not", () =>
    withBroker(async (b) => {
      await setQuota(b, null);
      await createTopics(b, 7, [
        ["p", 1],
        ["d1", 4],
        ["d2", 4],
        ["d3", 4],
      ]);
      await setQuota(b, 10);
      const grow = (version: number, count: number) =>
        b.client.send(
          CreatePartitionsApi,
          version,
          createCreatePartitionsRequest({
            topics: [createCreatePartitionsRequestTopic({ name: "p", count, assignments: null })],
            timeoutMs: 5000,
            validateOnly: false,
          }),
        );
      const first = await grow(3, 30);
      assert.equal(first.results[0]?.errorCode, ErrorCode.NONE, "29 added: -19 credits");
      assert.equal(first.throttleTimeMs, 0);
      const refused = await grow(3, 31);
      assert.equal(refused.results[0]?.errorCode, ErrorCode.THROTTLING_QUOTA_EXCEEDED);
      assert.ok(refused.throttleTimeMs > 0 && refused.throttleTimeMs <= 1900);
      // As Kafka's controller: the quota is checked before the brokers an assignment names.
      // (On another connection: this one is muted until the credits are back.)
      const other = await WireClient.connect(b.port);
      const misplaced = await other.send(
        CreatePartitionsApi,
        3,
        createCreatePartitionsRequest({
          topics: [
            createCreatePartitionsRequestTopic({
              name: "p",
              count: 31,
              assignments: [createCreatePartitionsRequestAssignment({ brokerIds: [99] })],
            }),
          ],
          timeoutMs: 5000,
          validateOnly: false,
        }),
      );
      other.close();
      assert.equal(misplaced.results[0]?.errorCode, ErrorCode.THROTTLING_QUOTA_EXCEEDED);
      const permissive = await grow(2, 31);
      assert.equal(permissive.results[0]?.errorCode, ErrorCode.NONE);

      await setQuota(b, null);
      await setQuota(b, 1);
      // The bucket keeps its credits under the new quota (burst 1): whatever is left, the
      // second topic at the latest finds it below zero.
      const del = (version: number, names: string[]) =>
        b.client.send(
          DeleteTopicsApi,
          version,
          createDeleteTopicsRequest({ topicNames: names, timeoutMs: 5000 }),
        );
      const d = await del(5, ["d1", "d2"]);
      assert.ok(d.responses.some((t) => t.errorCode === ErrorCode.THROTTLING_QUOTA_EXCEEDED));
      const old = await del(4, ["d2", "d3"]);
      assert.deepEqual(
        old.responses.map((t) => t.errorCode),
        [ErrorCode.NONE, ErrorCode.NONE],
      );
      assert.ok(old.throttleTimeMs > 0);
    }));
});
