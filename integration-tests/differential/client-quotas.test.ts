/**
 * Client quotas against Kafka 4.4.0: AlterClientQuotas refusals (Kafka's codes and
 * messages, one entry per request since Kafka answers entries in hash order),
 * validate_only, sets and removals; DescribeClientQuotas with exact, default and
 * any-name filters, strict or not, and its filter errors; and a Produce over
 * producer_byte_rate answered with a throttle time on both (the time itself depends on
 * each broker's clock, so only "more than 0" is compared).
 */
import assert from "node:assert/strict";
import { after, before, beforeEach, test } from "node:test";
import {
  AlterClientQuotasApi,
  type AlterClientQuotasResponse,
  createAlterClientQuotasRequest,
  createAlterClientQuotasRequestEntityData,
  createAlterClientQuotasRequestEntryData,
  createAlterClientQuotasRequestOpData,
  createDescribeClientQuotasRequest,
  createDescribeClientQuotasRequestComponentData,
  DescribeClientQuotasApi,
  type DescribeClientQuotasResponse,
  ProduceApi,
} from "@logbook/protocol";
import { produce } from "./data-requests.js";
import { type Conversation, DiffPair } from "./pair.js";
import { batch } from "./setup.js";

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

type Entity = [string, string | null][];
type Component = [string, number, string | null];

function alteration(entity: Entity, ops: [string, number | null][], validateOnly = false) {
  return createAlterClientQuotasRequest({
    validateOnly,
    entries: [
      createAlterClientQuotasRequestEntryData({
        entity: entity.map(([entityType, entityName]) =>
          createAlterClientQuotasRequestEntityData({ entityType, entityName }),
        ),
        ops: ops.map(([key, value]) =>
          createAlterClientQuotasRequestOpData({ key, value: value ?? 0, remove: value === null }),
        ),
      }),
    ],
  });
}

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Entities' components and entries in one order (Kafka's follow its hash maps). */
function normalAlter(r: AlterClientQuotasResponse) {
  return r.entries.map((e) => ({
    ...e,
    entity: [...e.entity].sort((a, b) => byText(a.entityType, b.entityType)),
  }));
}

function normalDescribe(r: DescribeClientQuotasResponse) {
  return {
    ...r,
    entries:
      r.entries === null
        ? null
        : r.entries
            .map((e) => ({
              entity: [...e.entity].sort((a, b) => byText(a.entityType, b.entityType)),
              values: [...e.values].sort((a, b) => byText(a.key, b.key)),
            }))
            .sort((a, b) => byText(JSON.stringify(a.entity), JSON.stringify(b.entity))),
  };
}

async function alterBoth(entity: Entity, ops: [string, number | null][], validateOnly = false) {
  const body = alteration(entity, ops, validateOnly);
  const [kafka, logbook] = await Promise.all(
    (["kafka", "logbook"] as const).map(async (side) =>
      normalAlter((await conv.clients[side].request(AlterClientQuotasApi, 1, body)).body),
    ),
  );
  assert.deepEqual(logbook, kafka, `AlterClientQuotas ${JSON.stringify([entity, ops])}`);
  if (!validateOnly && kafka?.every((e) => e.errorCode === 0)) await kafkaApplied(entity, ops);
  return kafka;
}

/**
 * Waits until Kafka's DescribeClientQuotas shows an alteration: Kafka applies it through
 * its metadata log, a moment after answering. Polling a later describe for its number
 * of entries instead let a removal of some of an entity's keys go unseen (the entity is
 * still there), and the stale answer failed CI.
 */
async function kafkaApplied(entity: Entity, ops: [string, number | null][]): Promise<void> {
  const body = createDescribeClientQuotasRequest({
    components: entity.map(([entityType, name]) =>
      createDescribeClientQuotasRequestComponentData({
        entityType,
        matchType: name === null ? 1 : 0,
        match: name,
      }),
    ),
    strict: true,
  });
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const r = (await conv.clients.kafka.request(DescribeClientQuotasApi, 1, body)).body;
    const values = new Map((r.entries?.[0]?.values ?? []).map((v) => [v.key, v.value]));
    if (
      ops.every(([key, value]) => (value === null ? !values.has(key) : values.get(key) === value))
    )
      return;
    await new Promise((res) => setTimeout(res, 100));
  }
}

/** DescribeClientQuotas on both; Kafka applies changes through its metadata log, so it is polled. */
async function describeBoth(components: Component[], strict: boolean, entries: number | null) {
  const body = createDescribeClientQuotasRequest({
    components: components.map(([entityType, matchType, match]) =>
      createDescribeClientQuotasRequestComponentData({ entityType, matchType, match }),
    ),
    strict,
  });
  const [kafka, logbook] = await Promise.all(
    (["kafka", "logbook"] as const).map(async (side) => {
      const deadline = Date.now() + 30_000;
      for (;;) {
        const r = normalDescribe(
          (await conv.clients[side].request(DescribeClientQuotasApi, 1, body)).body,
        );
        if (entries === null || r.entries?.length === entries || Date.now() > deadline) return r;
        await new Promise((res) => setTimeout(res, 100));
      }
    }),
  );
  assert.deepEqual(logbook, kafka, `DescribeClientQuotas ${JSON.stringify([components, strict])}`);
  return kafka;
}

test("AlterClientQuotas refuses what Kafka refuses, with the same codes and messages", async () => {
  const cases: [Entity, [string, number | null][]][] = [
    [[], [["producer_byte_rate", 1]]],
    [[["group", "g"]], [["producer_byte_rate", 1]]],
    [[["user", ""]], [["producer_byte_rate", 1]]],
    [[["user", "a"]], [["nope", 1]]],
    [[["user", "a"]], [["producer_byte_rate", 0]]],
    [[["user", "a"]], [["producer_byte_rate", -5]]],
    [[["user", "a"]], [["producer_byte_rate", 1.5]]],
    [[["user", "a"]], [["request_percentage", Number.NaN]]],
    [[["ip", "1.2.3.4"]], [["producer_byte_rate", 1]]],
    [
      [
        ["ip", "1.2.3.4"],
        ["user", "a"],
      ],
      [["connection_creation_rate", 1]],
    ],
    [[["ip", "1.2.3.4"]], [["connection_creation_rate", 3e9]]],
    [[["ip", "no-such-host.invalid"]], [["connection_creation_rate", 1]]],
    [
      [["user", "a"]],
      [
        ["producer_byte_rate", 1],
        ["producer_byte_rate", 2],
      ],
    ],
  ];
  for (const [entity, ops] of cases) await alterBoth(entity, ops);
  await describeBoth([], false, null);
});

test("sets, validate_only, removal and every kind of filter answer as Kafka", async () => {
  await alterBoth([["user", "alice"]], [["producer_byte_rate", 1024]], true);
  // A host name that resolves is an ip entity too.
  await alterBoth([["ip", "localhost"]], [["connection_creation_rate", 5]], true);
  await describeBoth([], false, 0);
  await alterBoth(
    [["user", "alice"]],
    [
      ["producer_byte_rate", 1024],
      ["request_percentage", 12.5],
    ],
  );
  await alterBoth([["user", null]], [["consumer_byte_rate", 2048]]);
  await alterBoth(
    [
      ["user", "alice"],
      ["client-id", "app"],
    ],
    [["controller_mutation_rate", 3]],
  );
  await alterBoth(
    [
      ["user", null],
      ["client-id", null],
    ],
    [["producer_byte_rate", 4096]],
  );
  await alterBoth([["client-id", null]], [["producer_byte_rate", 512]]);
  await alterBoth([["ip", null]], [["connection_creation_rate", 10]]);
  await alterBoth([["ip", "10.0.0.1"]], [["connection_creation_rate", 20]]);
  await describeBoth([], false, 7);
  await describeBoth([["user", 0, "alice"]], false, 2);
  await describeBoth([["user", 0, "alice"]], true, 1);
  await describeBoth([["user", 1, null]], false, 2);
  await describeBoth([["user", 1, null]], true, 1);
  await describeBoth([["user", 2, null]], false, 4);
  await describeBoth([["client-id", 2, null]], true, 1);
  await describeBoth(
    [
      ["client-id", 1, null],
      ["user", 1, null],
    ],
    true,
    1,
  );
  await describeBoth([["ip", 2, null]], false, 2);
  await describeBoth([["user", 0, "nobody"]], false, 0);
  await alterBoth(
    [["user", "alice"]],
    [
      ["request_percentage", null],
      ["consumer_byte_rate", null],
    ],
  );
  await describeBoth([["user", 0, "alice"]], true, 1);
  await alterBoth([["user", "alice"]], [["producer_byte_rate", null]]);
  await describeBoth([["user", 0, "alice"]], true, 0);
});

test("DescribeClientQuotas answers bad filters as Kafka", async () => {
  const cases: Component[][] = [
    [["", 0, "x"]],
    [["group", 0, "x"]],
    [
      ["user", 0, "a"],
      ["user", 1, null],
    ],
    [["user", 0, null]],
    [["user", 1, "a"]],
    [["user", 2, "a"]],
    [["user", 7, null]],
    [
      ["ip", 1, null],
      ["user", 1, null],
    ],
  ];
  for (const c of cases) await describeBoth(c, false, null);
});

test("a Produce over producer_byte_rate is answered with a throttle time on both", async () => {
  await conv.createTopic("quota-t");
  // The most specific entity, so the defaults set above do not take precedence.
  const mine: Entity = [
    ["user", "ANONYMOUS"],
    ["client-id", "wire-test"],
  ];
  await alterBoth(mine, [["producer_byte_rate", 1500]]);
  await describeBoth([["user", 0, "ANONYMOUS"]], true, 0);
  await describeBoth(
    [
      ["user", 0, "ANONYMOUS"],
      ["client-id", 0, "wire-test"],
    ],
    true,
    1,
  );
  const big = await batch(1, { prefix: "x".repeat(20_000) });
  const throttles = await Promise.all(
    (["kafka", "logbook"] as const).map(
      async (side) =>
        (await conv.clients[side].request(ProduceApi, 9, produce("quota-t", 0, big))).body
          .throttleTimeMs,
    ),
  );
  assert.ok(
    throttles.every((t) => t > 0),
    `throttle_time_ms kafka ${throttles[0]}, logbook ${throttles[1]}`,
  );
  await alterBoth(mine, [["producer_byte_rate", null]]);
});
