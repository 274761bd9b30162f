/**
 * KIP-848 regular-expression subscriptions against Kafka: an invalid expression's error,
 * a member subscribed by expression getting the matching topics (internal ones never
 * match), a topic created later being picked up, and ConsumerGroupDescribe's view of
 * the member. Kafka resolves expressions in the background (and re-resolves at most
 * every few seconds), so each side is heartbeated until its assignment settles.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
  ConsumerGroupDescribeApi,
  type ConsumerGroupDescribeResponse,
  ConsumerGroupHeartbeatApi,
  type ConsumerGroupHeartbeatRequest,
  type ConsumerGroupHeartbeatResponse,
  createConsumerGroupDescribeRequest,
  createConsumerGroupHeartbeatRequest,
  ErrorCode,
} from "@logbook/protocol";
import { type Conversation, DiffPair, SIDES, type Side } from "./pair.js";
import { settleCoordinator } from "./setup.js";

let pair: DiffPair;
let conv: Conversation;
const GROUP = "diff-cg-regex";

before(async () => {
  // As in consumer-groups.test.ts: Kafka computes target assignments at once.
  pair = await DiffPair.start({
    kafkaConfig: {
      "group.consumer.min.assignment.interval.ms": "0",
      "group.consumer.assignment.interval.ms": "0",
      "group.consumer.assignor.offload.enable": "false",
    },
  });
  conv = await pair.conversation();
  await conv.createTopic("rx-a1", 2);
  await conv.createTopic("rx-a2", 2);
  await conv.createTopic("rx-b", 2);
  await settleCoordinator(conv, GROUP, 0);
});
after(async () => {
  conv?.close();
  await pair?.stop();
});

function join(init: Partial<ConsumerGroupHeartbeatRequest>): ConsumerGroupHeartbeatRequest {
  return createConsumerGroupHeartbeatRequest({
    groupId: GROUP,
    memberEpoch: 0,
    rebalanceTimeoutMs: 30_000,
    subscribedTopicNames: null,
    topicPartitions: [],
    ...init,
  });
}

test("an invalid expression: the same error and message on both", async () => {
  for (const regex of ["rx-(", "(?<=x)y", "a{2,1}"]) {
    const r = await conv.same(
      ConsumerGroupHeartbeatApi,
      1,
      join({ memberId: "rx-bad", subscribedTopicRegex: regex }),
    );
    assert.equal(r.kafka.errorCode, ErrorCode.INVALID_REGULAR_EXPRESSION, regex);
    assert.equal(r.logbook.errorMessage, r.kafka.errorMessage, regex);
  }
});

/** A member's state on one side: its epoch and what it was last given. */
interface Held {
  epoch: number;
  owned: ConsumerGroupHeartbeatRequest["topicPartitions"];
}

/** Joins on both sides by expression; each side's answer must be a success. */
async function joinBoth(
  groupId: string,
  memberId: string,
  regex: string,
): Promise<Record<Side, Held>> {
  const x = await conv.exchange(
    ConsumerGroupHeartbeatApi,
    1,
    join({ groupId, memberId, subscribedTopicRegex: regex }),
  );
  const held = {} as Record<Side, Held>;
  for (const s of SIDES) {
    const o = x[s];
    assert.equal(o.kind, "answer");
    const r = (o as { body: ConsumerGroupHeartbeatResponse }).body;
    assert.equal(r.errorCode, ErrorCode.NONE, `${s}: ${r.errorMessage}`);
    held[s] = { epoch: r.memberEpoch, owned: r.assignment?.topicPartitions ?? [] };
  }
  return held;
}

const count = (owned: Held["owned"]) => (owned ?? []).reduce((k, t) => k + t.partitions.length, 0);

/** One side's member: heartbeats until `want` partitions are assigned (or time runs out). */
async function untilAssigned(
  side: Side,
  groupId: string,
  memberId: string,
  held: Held,
  want: number,
): Promise<Held> {
  let { epoch, owned } = held;
  for (let i = 0; i < 120 && count(owned) !== want; i++) {
    await new Promise((res) => setTimeout(res, 250));
    const x = await conv.exchange(ConsumerGroupHeartbeatApi, 1, (s) =>
      s === side
        ? createConsumerGroupHeartbeatRequest({
            groupId,
            memberId,
            memberEpoch: epoch,
            topicPartitions: owned,
          })
        : // The other side gets a harmless request (an unknown group).
          createConsumerGroupHeartbeatRequest({
            groupId: "rx-idle",
            memberId: "x",
            memberEpoch: 1,
          }),
    );
    const o = x[side];
    assert.equal(o.kind, "answer");
    const r = (o as { body: ConsumerGroupHeartbeatResponse }).body;
    assert.equal(r.errorCode, ErrorCode.NONE, `${side}: ${r.errorMessage}`);
    epoch = r.memberEpoch;
    if (r.assignment !== null) owned = r.assignment.topicPartitions;
  }
  assert.equal(count(owned), want, `${side}: ${memberId}'s partitions`);
  return { epoch, owned };
}

async function describeMember(memberId: string, groupId = GROUP) {
  const r = await conv.exchange(
    ConsumerGroupDescribeApi,
    1,
    createConsumerGroupDescribeRequest({ groupIds: [groupId] }),
  );
  const view = (s: Side) => {
    const o = r[s];
    assert.equal(o.kind, "answer");
    const g = (o as { body: ConsumerGroupDescribeResponse }).body.groups[0];
    const m = g?.members.find((x) => x.memberId === memberId);
    assert.ok(m !== undefined, `${s}: ${memberId} described`);
    const names = (a: { topicName: string; partitions: number[] }[]) =>
      a.map((t) => `${t.topicName}:${[...t.partitions].sort().join(",")}`).sort();
    return {
      state: g?.groupState,
      subscribedTopicNames: m.subscribedTopicNames,
      subscribedTopicRegex: m.subscribedTopicRegex,
      assignment: names(m.assignment.topicPartitions),
      target: names(m.targetAssignment.topicPartitions),
    };
  };
  assert.deepEqual(view("logbook"), view("kafka"));
  return view("kafka");
}

test("a member subscribed by expression gets the matching topics; later ones join", async () => {
  const held = await joinBoth(GROUP, "rx-m1", "rx-a.*");
  for (const s of SIDES) held[s] = await untilAssigned(s, GROUP, "rx-m1", held[s], 4);
  const d = await describeMember("rx-m1");
  assert.equal(d.subscribedTopicRegex, "rx-a.*");
  assert.deepEqual(d.assignment, ["rx-a1:0,1", "rx-a2:0,1"]);

  await conv.createTopic("rx-a3", 2);
  for (const s of SIDES) held[s] = await untilAssigned(s, GROUP, "rx-m1", held[s], 6);
  const after = await describeMember("rx-m1");
  assert.deepEqual(after.assignment, ["rx-a1:0,1", "rx-a2:0,1", "rx-a3:0,1"]);
});

test("Kafka's expressions match its internal topics; Logbook has none to match", async () => {
  // Kafka 4.4 resolves against every topic, __consumer_offsets (50 partitions) included.
  // Logbook keeps offsets in a log of its own, not a topic (see the internal-topics
  // entry of allowed-differences.ts), so only the user topic matches there.
  const groupId = "diff-cg-regex-internal";
  await settleCoordinator(conv, groupId, 0);
  const held = await joinBoth(groupId, "rx-i", "__consumer_offsets|rx-b");
  await untilAssigned("kafka", groupId, "rx-i", held.kafka, 52);
  await untilAssigned("logbook", groupId, "rx-i", held.logbook, 2);
});

test("names and an expression together subscribe to both; then the expression alone", async () => {
  const groupId = "diff-cg-regex-both";
  await settleCoordinator(conv, groupId, 0);
  const x = await conv.exchange(
    ConsumerGroupHeartbeatApi,
    1,
    join({
      groupId,
      memberId: "rx-n",
      subscribedTopicNames: ["rx-b"],
      subscribedTopicRegex: "rx-a1",
    }),
  );
  const held = {} as Record<Side, Held>;
  for (const s of SIDES) {
    const o = x[s];
    assert.equal(o.kind, "answer");
    const r = (o as { body: ConsumerGroupHeartbeatResponse }).body;
    assert.equal(r.errorCode, ErrorCode.NONE, `${s}: ${r.errorMessage}`);
    held[s] = { epoch: r.memberEpoch, owned: r.assignment?.topicPartitions ?? [] };
  }
  for (const s of SIDES) held[s] = await untilAssigned(s, groupId, "rx-n", held[s], 4);
  assert.deepEqual((await describeMember("rx-n", groupId)).assignment, ["rx-a1:0,1", "rx-b:0,1"]);

  const y = await conv.exchange(ConsumerGroupHeartbeatApi, 1, (s) =>
    createConsumerGroupHeartbeatRequest({
      groupId,
      memberId: "rx-n",
      memberEpoch: held[s].epoch,
      subscribedTopicNames: [],
      topicPartitions: held[s].owned,
    }),
  );
  for (const s of SIDES) {
    const o = y[s];
    assert.equal(o.kind, "answer");
    const r = (o as { body: ConsumerGroupHeartbeatResponse }).body;
    assert.equal(r.errorCode, ErrorCode.NONE, `${s}: ${r.errorMessage}`);
    held[s] = { epoch: r.memberEpoch, owned: r.assignment?.topicPartitions ?? held[s].owned };
  }
  for (const s of SIDES) held[s] = await untilAssigned(s, groupId, "rx-n", held[s], 2);
  // rx-b is being revoked: still the member's until it says it let go.
  const revoking = await describeMember("rx-n", groupId);
  assert.deepEqual(revoking.assignment, ["rx-a1:0,1", "rx-b:0,1"]);
  assert.deepEqual(revoking.target, ["rx-a1:0,1"]);
  assert.deepEqual(revoking.subscribedTopicNames, []);
  const ack = await conv.exchange(ConsumerGroupHeartbeatApi, 1, (s) =>
    createConsumerGroupHeartbeatRequest({
      groupId,
      memberId: "rx-n",
      memberEpoch: held[s].epoch,
      topicPartitions: held[s].owned,
    }),
  );
  for (const s of SIDES) assert.equal(ack[s].kind, "answer");
  const done = await describeMember("rx-n", groupId);
  assert.deepEqual(done.assignment, ["rx-a1:0,1"]);
  assert.equal(done.state, "Stable");
});
