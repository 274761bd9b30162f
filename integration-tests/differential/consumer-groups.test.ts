/**
 * KIP-848 consumer groups against Kafka: ConsumerGroupHeartbeat's validation errors,
 * joins, revocation before assignment, member epochs and fencing, static members, the
 * classic APIs meeting a consumer group, and ConsumerGroupDescribe. Members choose their
 * own ids (v1), so ids compare as they are; topic ids differ per broker (allowed).
 * Which partitions a server-side assignor picks may differ, so assignments are compared
 * by size where the choice is the assignor's.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
  ConsumerGroupDescribeApi,
  ConsumerGroupHeartbeatApi,
  type ConsumerGroupHeartbeatRequest,
  type ConsumerGroupHeartbeatResponse,
  createConsumerGroupDescribeRequest,
  createConsumerGroupHeartbeatRequest,
  createConsumerGroupHeartbeatRequestTopicPartitions,
  createDescribeGroupsRequest,
  createHeartbeatRequest,
  createJoinGroupRequest,
  createJoinGroupRequestProtocol,
  createListGroupsRequest,
  createOffsetCommitRequest,
  createOffsetCommitRequestPartition,
  createOffsetCommitRequestTopic,
  createOffsetFetchRequest,
  createOffsetFetchRequestGroup,
  createOffsetFetchRequestTopics,
  createSyncGroupRequest,
  createSyncGroupRequestAssignment,
  DescribeGroupsApi,
  ErrorCode,
  encodeConsumerProtocolAssignment,
  encodeConsumerProtocolSubscription,
  HeartbeatApi,
  JoinGroupApi,
  ListGroupsApi,
  OffsetCommitApi,
  OffsetFetchApi,
  SyncGroupApi,
  type SyncGroupResponse,
  sizeConsumerProtocolAssignment,
  sizeConsumerProtocolSubscription,
  Writer,
} from "@logbook/protocol";
import { type Conversation, DiffPair, SIDES, type Side } from "./pair.js";
import { settleCoordinator, topicIds } from "./setup.js";

let pair: DiffPair;
let conv: Conversation;
let ids: Record<Side, Buffer>;
/** member-a's epoch on each broker once the two-member group is stable. */
let memberEpoch: Record<Side, { epoch: number }>;
const GROUP = "diff-cg";

before(async () => {
  // Kafka 4.4 batches target assignment runs (KIP-1263); Logbook computes the target
  // at once, which is Kafka with a zero interval.
  pair = await DiffPair.start({
    kafkaConfig: {
      "group.consumer.min.assignment.interval.ms": "0",
      "group.consumer.assignment.interval.ms": "0",
      "group.consumer.assignor.offload.enable": "false",
    },
  });
  conv = await pair.conversation();
  await conv.createTopic("cgt", 4);
  ids = await topicIds(conv, "cgt");
  await settleCoordinator(conv, GROUP, 0);
});
after(async () => {
  conv?.close();
  await pair?.stop();
});

function hb(init: Partial<ConsumerGroupHeartbeatRequest>): ConsumerGroupHeartbeatRequest {
  return createConsumerGroupHeartbeatRequest({
    groupId: GROUP,
    memberEpoch: 0,
    rebalanceTimeoutMs: 30_000,
    subscribedTopicNames: ["cgt"],
    topicPartitions: [],
    ...init,
  });
}

type PerSide<T> = T | Record<Side, T>;
const onSide = <T>(v: PerSide<T>, s: Side): T =>
  typeof v === "object" && v !== null && "kafka" in v ? v[s] : (v as T);

/** A follow-up heartbeat reporting `partitions` of cgt as owned (null: unchanged). */
function beat(memberId: string, epoch: PerSide<number>, partitions: number[] | null, extra = {}) {
  return (s: Side) =>
    createConsumerGroupHeartbeatRequest({
      groupId: GROUP,
      memberId,
      memberEpoch: onSide(epoch, s),
      topicPartitions:
        partitions === null
          ? null
          : [createConsumerGroupHeartbeatRequestTopicPartitions({ topicId: ids[s], partitions })],
      ...extra,
    });
}

const owned = (r: ConsumerGroupHeartbeatResponse) =>
  r.assignment?.topicPartitions.flatMap((t) => t.partitions).sort() ?? null;

/** Sends to both; the answers agree on error, member, epoch and how many partitions. */
async function sameShape(
  body: ConsumerGroupHeartbeatRequest | ((s: Side) => ConsumerGroupHeartbeatRequest),
) {
  const x = await conv.exchange(ConsumerGroupHeartbeatApi, 1, body);
  const shape = (s: Side) => {
    const o = x[s];
    assert.equal(o.kind, "answer", `${s}: ${o.kind}`);
    const r = (o as { body: ConsumerGroupHeartbeatResponse }).body;
    return {
      errorCode: r.errorCode,
      memberId: r.memberId,
      // Kafka may bump the group epoch more often (it refreshes topic metadata on its own
      // schedule), so epochs are compared by sign; requests use each broker's own epochs.
      memberEpoch: Math.sign(r.memberEpoch),
      heartbeatIntervalMs: r.heartbeatIntervalMs,
      assigned: owned(r)?.length ?? null,
    };
  };
  assert.deepEqual(shape("logbook"), shape("kafka"));
  return Object.fromEntries(
    SIDES.map((s) => [s, (x[s] as { body: ConsumerGroupHeartbeatResponse }).body]),
  ) as Record<Side, ConsumerGroupHeartbeatResponse>;
}

test("invalid heartbeats: the same error on both", async () => {
  const cases: Partial<ConsumerGroupHeartbeatRequest>[] = [
    { groupId: "", memberId: "x" },
    { memberId: "" },
    { memberId: "x", memberEpoch: -3 },
    { memberId: "x", rebalanceTimeoutMs: -1 },
    { memberId: "x", subscribedTopicNames: null },
    { memberId: "x", topicPartitions: null },
    { memberId: "x", serverAssignor: "no-such-assignor" },
    { memberId: "x", memberEpoch: -2 },
  ];
  for (const c of cases) {
    for (const v of [0, 1]) {
      if (v === 0 && c.memberId === "") continue;
      const r = await conv.same(ConsumerGroupHeartbeatApi, v, hb(c));
      assert.notEqual(r.kafka.errorCode, ErrorCode.NONE, JSON.stringify(c));
    }
  }
  await conv.same(
    ConsumerGroupHeartbeatApi,
    1,
    hb({ groupId: "nope", memberId: "x", memberEpoch: 3 }),
  );
});

const epochOf = (x: Record<Side, ConsumerGroupHeartbeatResponse>, add = 0) => ({
  kafka: x.kafka.memberEpoch + add,
  logbook: x.logbook.memberEpoch + add,
});

test("fencing: a newer epoch, an unknown member, a leave", async () => {
  const g = { groupId: "cg-solo" };
  const a = await sameShape(hb({ ...g, memberId: "solo-a" }));
  assert.equal(owned(a.kafka)?.length, 4);
  const e = epochOf(a);
  await sameShape(beat("solo-a", e, [0, 1, 2, 3], g));
  await sameShape(beat("solo-a", e, null, g));
  await sameShape(beat("solo-a", epochOf(a, 5), null, g));
  await sameShape(beat("nobody", e, null, g));
  await sameShape((s) => ({ ...beat("solo-a", e, null, g)(s), memberEpoch: -1 }));
  await sameShape(beat("solo-a", e, null, g));
});

test("static members: an instance id in use, a -2 leave, the replacement", async () => {
  const g = { groupId: "cg-static" };
  const first = await sameShape(hb({ ...g, memberId: "static-1", instanceId: "inst" }));
  await sameShape(hb({ ...g, memberId: "static-2", instanceId: "inst" }));
  await sameShape((s) => ({
    ...beat("static-1", epochOf(first), null, { ...g, instanceId: "inst" })(s),
    memberEpoch: -2,
  }));
  const back = await sameShape(hb({ ...g, memberId: "static-2", instanceId: "inst" }));
  assert.equal(owned(back.kafka)?.length, 4, "the replacement takes the partitions back");
  for (const s of SIDES)
    assert.equal(back[s].memberEpoch, first[s].memberEpoch, `${s}: no rebalance`);
  await sameShape(beat("static-1", epochOf(first), null, { ...g, instanceId: "inst" }));
});

test("two members reach two partitions each, never sharing one, on both", async () => {
  const g = { groupId: GROUP };
  const state = {
    a: { kafka: { epoch: 0, owned: [] as number[] }, logbook: { epoch: 0, owned: [] as number[] } },
    b: { kafka: { epoch: 0, owned: [] as number[] }, logbook: { epoch: 0, owned: [] as number[] } },
  };
  const take = (who: "a" | "b", x: Record<Side, ConsumerGroupHeartbeatResponse>) => {
    for (const s of SIDES) {
      assert.equal(x[s].errorCode, ErrorCode.NONE, `${s} ${who}`);
      state[who][s].epoch = x[s].memberEpoch;
      const got = owned(x[s]);
      if (got !== null) state[who][s].owned = got;
      const both = [...state.a[s].owned, ...state.b[s].owned];
      assert.equal(new Set(both).size, both.length, `${s}: a partition owned twice`);
    }
  };
  take("a", await sameShape(hb({ ...g, memberId: "member-a" })));
  await new Promise((r) => setTimeout(r, 200));
  const b = await conv.exchange(ConsumerGroupHeartbeatApi, 1, hb({ ...g, memberId: "member-b" }));
  take("b", {
    kafka: (b.kafka as { body: ConsumerGroupHeartbeatResponse }).body,
    logbook: (b.logbook as { body: ConsumerGroupHeartbeatResponse }).body,
  });
  for (let round = 0; round < 20; round++) {
    for (const who of ["a", "b"] as const) {
      const x = await conv.exchange(ConsumerGroupHeartbeatApi, 1, (s) =>
        beat(`member-${who}`, state[who][s].epoch, state[who][s].owned, g)(s),
      );
      take(who, {
        kafka: (x.kafka as { body: ConsumerGroupHeartbeatResponse }).body,
        logbook: (x.logbook as { body: ConsumerGroupHeartbeatResponse }).body,
      });
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  for (const s of SIDES) {
    assert.equal(state.a[s].owned.length, 2, `${s}: a`);
    assert.equal(state.b[s].owned.length, 2, `${s}: b`);
    assert.equal(state.a[s].epoch, state.b[s].epoch, `${s}: one epoch once stable`);
  }
  memberEpoch = state.a;
});

test("classic APIs meeting the consumer group", async () => {
  const join = createJoinGroupRequest({
    groupId: GROUP,
    sessionTimeoutMs: 10_000,
    rebalanceTimeoutMs: 5_000,
    memberId: "",
    protocolType: "consumer",
    protocols: [createJoinGroupRequestProtocol({ name: "range", metadata: Buffer.alloc(0) })],
  });
  // A classic member may join the consumer group (KIP-848 online migration); a first
  // join without a member id is sent back for one, and nothing is added yet.
  const first = await conv.sameLearning(
    JoinGroupApi,
    5,
    join,
    "classic-into-cg",
    (r) => r.memberId,
  );
  assert.equal(first.kafka.errorCode, ErrorCode.MEMBER_ID_REQUIRED);
  for (const v of [0, 5])
    await conv.same(DescribeGroupsApi, v, createDescribeGroupsRequest({ groups: [GROUP] }));
  await conv.same(ListGroupsApi, 5, createListGroupsRequest({ typesFilter: ["consumer"] }));
  const commit = (memberId: string, epoch: number) =>
    createOffsetCommitRequest({
      groupId: GROUP,
      generationIdOrMemberEpoch: epoch,
      memberId,
      topics: [
        createOffsetCommitRequestTopic({
          name: "cgt",
          partitions: [
            createOffsetCommitRequestPartition({ partitionIndex: 0, committedOffset: 1n }),
          ],
        }),
      ],
    });
  const epoch = (s: Side) => memberEpoch[s].epoch;
  await conv.same(OffsetCommitApi, 9, (s) => commit("member-a", epoch(s)));
  await conv.same(OffsetCommitApi, 9, (s) => commit("member-a", epoch(s) - 1));
  await conv.same(OffsetCommitApi, 9, (s) => commit("nobody", epoch(s)));
  await conv.same(OffsetCommitApi, 8, (s) => commit("member-a", epoch(s)));
  const fetch = (memberId: string | null, memberEpoch: number) =>
    createOffsetFetchRequest({
      groups: [
        createOffsetFetchRequestGroup({
          groupId: GROUP,
          memberId,
          memberEpoch,
          topics: [createOffsetFetchRequestTopics({ name: "cgt", partitionIndexes: [0] })],
        }),
      ],
    });
  await conv.same(OffsetFetchApi, 9, (s) => fetch("member-a", epoch(s)));
  await conv.same(OffsetFetchApi, 9, (s) => fetch("member-a", epoch(s) + 1));
  await conv.same(OffsetFetchApi, 9, (s) => fetch("nobody", epoch(s)));
  await conv.same(OffsetFetchApi, 9, fetch(null, -1));
  // A classic group with a member is not a consumer group for a consumer-protocol
  // heartbeat (this member's subscription is empty, so Kafka does not upgrade it either).
  for (const protocolType of ["other", "consumer"]) {
    const groupId = `diff-classic-${protocolType}`;
    await settleCoordinator(conv, groupId, 0);
    const classic = (memberId: string) =>
      createJoinGroupRequest({ ...join, groupId, memberId, protocolType });
    const first = await conv.sameLearning(JoinGroupApi, 9, classic(""), groupId, (r) => r.memberId);
    await conv.same(JoinGroupApi, 9, (s) => classic(first.learned[s]));
    const r = await conv.same(ConsumerGroupHeartbeatApi, 1, hb({ groupId, memberId: "c" }));
    assert.equal(r.kafka.errorCode, ErrorCode.GROUP_ID_NOT_FOUND);
  }
});

test("ConsumerGroupDescribe: the group, an unknown one, an empty id", async () => {
  for (const v of [0, 1]) {
    const x = await conv.exchange(
      ConsumerGroupDescribeApi,
      v,
      createConsumerGroupDescribeRequest({ groupIds: [GROUP, "unknown-cg", ""] }),
    );
    const shape = (s: Side) => {
      const o = x[s];
      assert.equal(o.kind, "answer");
      const groups = (o as { body: { groups: unknown[] } }).body.groups as {
        errorCode: number;
        groupId: string;
        groupState: string;
        groupEpoch: number;
        assignmentEpoch: number;
        assignorName: string;
        members: {
          memberId: string;
          memberEpoch: number;
          instanceId: string | null;
          memberType: number;
        }[];
      }[];
      // Epochs by their relations (Kafka may bump more often, see above).
      return groups.map((g) => ({
        errorCode: g.errorCode,
        groupId: g.groupId,
        groupState: g.groupState,
        epochsAgree: g.groupEpoch === g.assignmentEpoch,
        hasEpoch: g.groupEpoch > 0,
        assignorName: g.assignorName,
        members: g.members
          .map(
            (m) =>
              `${m.memberId}/${m.instanceId}/${m.memberEpoch === g.groupEpoch}/${m.memberType}`,
          )
          .sort(),
      }));
    };
    assert.deepEqual(shape("logbook"), shape("kafka"));
  }
});

/** The classic consumer's subscription of cgt (v1: no partitions owned). */
const classicSubscription = (() => {
  const v = {
    topics: ["cgt"],
    userData: null,
    ownedPartitions: [],
    generationId: -1,
    rackId: null,
  };
  const w = Writer.alloc(2 + sizeConsumerProtocolSubscription(v, 1));
  w.int16(1);
  encodeConsumerProtocolSubscription(w, v, 1);
  return w.result();
})();

function classicAssignment(partitions: number[]): Buffer {
  const v = { assignedPartitions: [{ topic: "cgt", partitions }], userData: null };
  const w = Writer.alloc(2 + sizeConsumerProtocolAssignment(v, 0));
  w.int16(0);
  encodeConsumerProtocolAssignment(w, v, 0);
  return w.result();
}

/** How many partitions a SyncGroup answer hands out (the assignor picks which). */
function assignedCount(r: SyncGroupResponse): number {
  // ConsumerProtocolAssignment: version, topic count, then per topic name + partitions.
  if (r.assignment.length < 6) return 0;
  let at = 2;
  const topics = r.assignment.readInt32BE(at);
  at += 4;
  let n = 0;
  for (let i = 0; i < topics; i++) {
    at += 2 + r.assignment.readInt16BE(at);
    const count = r.assignment.readInt32BE(at);
    at += 4 + 4 * count;
    n += count;
  }
  return n;
}

test("online migration: upgrade by a consumer-protocol member, a classic member inside, downgrade", async () => {
  const groupId = "diff-migrate";
  await settleCoordinator(conv, groupId, 0);
  const classicJoin = (memberId: string) =>
    createJoinGroupRequest({
      groupId,
      sessionTimeoutMs: 10_000,
      rebalanceTimeoutMs: 5_000,
      memberId,
      protocolType: "consumer",
      protocols: [createJoinGroupRequestProtocol({ name: "range", metadata: classicSubscription })],
    });
  const first = await conv.sameLearning(
    JoinGroupApi,
    9,
    classicJoin(""),
    "classic",
    (r) => r.memberId,
  );
  const id = first.learned;
  const joined = await conv.same(JoinGroupApi, 9, (s) => classicJoin(id[s]));
  assert.equal(joined.kafka.errorCode, ErrorCode.NONE);
  const generation = joined.kafka.generationId;
  const sync = (s: Side, gen: number, assignments: boolean) =>
    createSyncGroupRequest({
      groupId,
      generationId: gen,
      memberId: id[s],
      protocolType: "consumer",
      protocolName: "range",
      assignments: assignments
        ? [
            createSyncGroupRequestAssignment({
              memberId: id[s],
              assignment: classicAssignment([0, 1, 2, 3]),
            }),
          ]
        : [],
    });
  await conv.same(SyncGroupApi, 5, (s) => sync(s, generation, true));
  const classicBeat = (gen: number) => (s: Side) =>
    createHeartbeatRequest({ groupId, generationId: gen, memberId: id[s] });

  // Upgrade: the classic member keeps its four partitions, the new member waits.
  const up = await conv.same(
    ConsumerGroupHeartbeatApi,
    1,
    hb({ groupId, memberId: "migrating-cm" }),
  );
  assert.equal(up.kafka.errorCode, ErrorCode.NONE);
  assert.equal(up.kafka.memberEpoch, generation + 1);
  await conv.same(ListGroupsApi, 5, createListGroupsRequest({ typesFilter: ["consumer"] }));
  const told = await conv.same(HeartbeatApi, 4, classicBeat(generation));
  assert.equal(told.kafka.errorCode, ErrorCode.REBALANCE_IN_PROGRESS);

  // The classic member rejoins inside the consumer group (eager: it let go of everything).
  const rejoined = await conv.same(JoinGroupApi, 9, (s) => classicJoin(id[s]));
  assert.equal(rejoined.kafka.generationId, generation + 1);
  const synced = await conv.exchange(SyncGroupApi, 5, (s) => sync(s, generation + 1, false));
  for (const side of SIDES) {
    const o = synced[side] as { body: SyncGroupResponse };
    assert.equal(o.body.errorCode, ErrorCode.NONE, side);
    assert.equal(assignedCount(o.body), 2, `${side}: the classic member's half`);
  }
  await conv.same(HeartbeatApi, 4, classicBeat(generation + 1));
  await conv.same(DescribeGroupsApi, 5, createDescribeGroupsRequest({ groups: [groupId] }));
  const described = await conv.exchange(
    ConsumerGroupDescribeApi,
    1,
    createConsumerGroupDescribeRequest({ groupIds: [groupId] }),
  );
  const types = (s: Side) =>
    (
      described[s] as { body: { groups: { members: { memberType: number }[] }[] } }
    ).body.groups[0]?.members
      .map((m) => m.memberType)
      .sort();
  assert.deepEqual(types("logbook"), types("kafka"));
  assert.deepEqual(types("kafka"), [0, 1], "a classic and a consumer-protocol member");

  // Downgrade: the consumer-protocol member leaves; the classic member is alone, classic.
  await conv.same(
    ConsumerGroupHeartbeatApi,
    1,
    hb({ groupId, memberId: "migrating-cm", memberEpoch: -1, topicPartitions: null }),
  );
  const listed = await conv.same(ListGroupsApi, 5, createListGroupsRequest({}));
  const g = listed.kafka.groups.find((x) => x.groupId === groupId);
  assert.equal(g?.groupType, "classic");
  await conv.same(DescribeGroupsApi, 5, createDescribeGroupsRequest({ groups: [groupId] }));
  await conv.same(HeartbeatApi, 4, classicBeat(generation + 1));
});
