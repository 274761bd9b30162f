/**
 * controller_mutation_rate against Kafka 4.4.0: the same quotas set with
 * AlterClientQuotas on both (one client id each, burst 11 x 1 partition), then
 * CreateTopics v7, validate_only, CreatePartitions v3 and DeleteTopics v5 refusing
 * topics with THROTTLING_QUOTA_EXCEEDED at the same place with the same message, and
 * the permissive versions (CreatePartitions v2, DeleteTopics v4) accepting and
 * throttling. Kafka sends no message with that error (errorMessage null).
 * Throttle times depend on each broker's clock: only "more than 0" is compared.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
  AlterClientQuotasApi,
  type ApiCodec,
  CreatePartitionsApi,
  CreateTopicsApi,
  createAlterClientQuotasRequest,
  createAlterClientQuotasRequestEntityData,
  createAlterClientQuotasRequestEntryData,
  createAlterClientQuotasRequestOpData,
  createCreatePartitionsRequest,
  createCreatePartitionsRequestTopic,
  createCreateTopicsRequest,
  createCreateTopicsRequestCreatableTopic,
  createDeleteTopicsRequest,
  DeleteTopicsApi,
  decodeResponseFrame,
} from "@logbook/protocol";
import { type Conversation, DiffPair, SIDES, type Side } from "./pair.js";

let pair: DiffPair;
let conv: Conversation;

/** One client id per scenario: each has its own bucket. */
const CLIENTS = ["mq-probe", "mq-strict", "mq-dry", "mq-grow", "mq-del"];

before(async () => {
  pair = await DiffPair.start();
  conv = await pair.conversation();
  const body = createAlterClientQuotasRequest({
    validateOnly: false,
    entries: CLIENTS.map((id) =>
      createAlterClientQuotasRequestEntryData({
        entity: [
          createAlterClientQuotasRequestEntityData({ entityType: "client-id", entityName: id }),
        ],
        ops: [
          createAlterClientQuotasRequestOpData({
            key: "controller_mutation_rate",
            value: 1,
            remove: false,
          }),
        ],
      }),
    ),
  });
  for (const side of SIDES) await conv.clients[side].request(AlterClientQuotasApi, 1, body);
  // Kafka applies quotas through its metadata log: probe until they bite (12 partitions
  // against a burst of 11 is throttled for 1 s). All were written in one batch.
  for (const side of SIDES) {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const r = await send(side, "mq-probe", CreateTopicsApi, 5, topics([["mq-probe", 12]], true));
      if (r.throttleTimeMs > 0) break;
      assert.ok(Date.now() < deadline, `${side}: the quota never applied`);
      await new Promise((res) => setTimeout(res, 200));
    }
  }
});
after(async () => {
  conv?.close();
  await pair?.stop();
});

/** One request to one side only, with a client id of its own. */
async function send<Req, Res>(
  side: Side,
  clientId: string,
  api: ApiCodec<Req, Res>,
  version: number,
  body: Req,
): Promise<Res> {
  const client = conv.clients[side];
  const { frame, correlationId } = client.frame(api, version, body, clientId);
  client.write(frame);
  const resp = decodeResponseFrame(api, version, await client.nextFrame());
  assert.equal(resp.header.correlationId, correlationId);
  return resp.body;
}

/** Sends to both at once and returns both answers. */
async function both<Req, Res>(
  clientId: string,
  api: ApiCodec<Req, Res>,
  version: number,
  body: Req,
): Promise<Record<Side, Res>> {
  const x = await conv.exchange(api, version, body, { clientId });
  for (const side of SIDES) assert.equal(x[side].kind, "answer", `${side} ${api.name}`);
  const k = x.kafka as { body: Res };
  const l = x.logbook as { body: Res };
  return { kafka: k.body, logbook: l.body };
}

function topics(list: [string, number][], validateOnly = false) {
  return createCreateTopicsRequest({
    topics: list.map(([name, numPartitions]) =>
      createCreateTopicsRequestCreatableTopic({ name, numPartitions, replicationFactor: 1 }),
    ),
    timeoutMs: 30_000,
    validateOnly,
  });
}

type Results = { name: string | null; errorCode: number; errorMessage: string | null }[];

function sameResults(what: string, r: Record<Side, Results>, throttles: Record<Side, number>) {
  // By name: Kafka answers DeleteTopics in hash order.
  const brief = (x: Results) =>
    x
      .map((t) => [t.name ?? "", t.errorCode, t.errorMessage] as const)
      .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  assert.deepEqual(brief(r.logbook), brief(r.kafka), what);
  assert.equal(throttles.logbook > 0, throttles.kafka > 0, `${what}: throttled on both or neither`);
}

test("CreateTopics v7: the topic that empties the bucket passes, the ones after are refused", async () => {
  const r = await both(
    "mq-strict",
    CreateTopicsApi,
    7,
    topics([
      ["mq-a", 8],
      ["mq-b", 8],
      ["mq-c", 1],
    ]),
  );
  sameResults(
    "CreateTopics v7",
    { kafka: r.kafka.topics, logbook: r.logbook.topics },
    { kafka: r.kafka.throttleTimeMs, logbook: r.logbook.throttleTimeMs },
  );
  assert.equal(r.kafka.topics[2]?.errorCode, 89, "THROTTLING_QUOTA_EXCEEDED on Kafka");
});

test("validate_only counts against the quota on both", async () => {
  const first = await both("mq-dry", CreateTopicsApi, 7, topics([["mq-d", 12]], true));
  const second = await both("mq-dry", CreateTopicsApi, 7, topics([["mq-d", 1]], true));
  for (const [what, r] of [
    ["first", first],
    ["second", second],
  ] as const)
    sameResults(
      `validate_only ${what}`,
      { kafka: r.kafka.topics, logbook: r.logbook.topics },
      { kafka: r.kafka.throttleTimeMs, logbook: r.logbook.throttleTimeMs },
    );
});

test("CreatePartitions v3 refuses once exhausted; v2 accepts and throttles", async () => {
  await conv.createTopic("mq-p", 1);
  const grow = (version: number, count: number) =>
    both(
      "mq-grow",
      CreatePartitionsApi,
      version,
      createCreatePartitionsRequest({
        topics: [createCreatePartitionsRequestTopic({ name: "mq-p", count, assignments: null })],
        timeoutMs: 30_000,
        validateOnly: false,
      }),
    );
  for (const [version, count] of [
    [3, 13],
    [3, 14],
    [2, 14],
  ] as const) {
    const r = await grow(version, count);
    sameResults(
      `CreatePartitions v${version} to ${count}`,
      { kafka: r.kafka.results, logbook: r.logbook.results },
      { kafka: r.kafka.throttleTimeMs, logbook: r.logbook.throttleTimeMs },
    );
  }
});

test("DeleteTopics v5 refuses once exhausted; v4 accepts and throttles", async () => {
  await conv.createTopic("mq-x1", 12);
  await conv.createTopic("mq-x2", 1);
  await conv.createTopic("mq-x3", 1);
  const del = (version: number, names: string[]) =>
    both(
      "mq-del",
      DeleteTopicsApi,
      version,
      createDeleteTopicsRequest({ topicNames: names, timeoutMs: 30_000 }),
    );
  // One topic per request: Kafka deletes the topics of one request in hash order.
  for (const name of ["mq-x1", "mq-x2"]) {
    const strict = await del(5, [name]);
    sameResults(
      `DeleteTopics v5 ${name}`,
      { kafka: strict.kafka.responses, logbook: strict.logbook.responses },
      { kafka: strict.kafka.throttleTimeMs, logbook: strict.logbook.throttleTimeMs },
    );
  }
  const permissive = await del(4, ["mq-x2", "mq-x3"]);
  sameResults(
    "DeleteTopics v4",
    { kafka: permissive.kafka.responses, logbook: permissive.logbook.responses },
    { kafka: permissive.kafka.throttleTimeMs, logbook: permissive.logbook.throttleTimeMs },
  );
});
