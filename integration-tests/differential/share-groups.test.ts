/**
 * Share-group membership against Kafka 4.4.0 (KIP-932): ShareGroupHeartbeat's request
 * checks and error codes, joining, a second member, heartbeats, fencing, leaving, and
 * ShareGroupDescribe of the group. Member ids are chosen by the client in v1, so both
 * brokers see the same ones; topic ids differ (allowed-differences.ts).
 *
 * Where the two differ by design the test compares what a client relies on instead of
 * the raw answers: Kafka hands out a partition only once its share-partition state is
 * initialised in __share_group_state (asynchronously, each step bumping the group
 * epoch), so its first answers carry no partitions and its epochs run ahead; Logbook
 * assigns at once. Once both have settled, the members' partitions must match.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
  createDeleteGroupsRequest,
  createListGroupsRequest,
  createOffsetCommitRequest,
  createOffsetCommitRequestPartition,
  createOffsetCommitRequestTopic,
  createShareGroupDescribeRequest,
  createShareGroupHeartbeatRequest,
  DeleteGroupsApi,
  ErrorCode,
  ListGroupsApi,
  OffsetCommitApi,
  ShareGroupDescribeApi,
  type ShareGroupDescribeResponse,
  ShareGroupHeartbeatApi,
  type ShareGroupHeartbeatRequest,
  type ShareGroupHeartbeatResponse,
} from "@logbook/protocol";
import { type Conversation, DiffPair, SIDES, type Side } from "./pair.js";
import { settleCoordinator } from "./setup.js";

let pair: DiffPair;
let conv: Conversation;
const GROUP = "diff-share-group";
const TOPIC = "shr";

before(async () => {
  // Kafka 4.4 batches share-group assignments (group.share.assignment.interval.ms) on
  // a background thread; off, it assigns in the heartbeat, as Logbook does.
  pair = await DiffPair.start({
    kafkaConfig: {
      "group.share.assignor.offload.enable": "false",
      "group.share.assignment.interval.ms": "0",
    },
  });
  conv = await pair.conversation();
  await conv.createTopic(TOPIC, 2);
  await settleCoordinator(conv, GROUP, 0);
});
after(async () => {
  conv?.close();
  await pair?.stop();
});

function heartbeat(over: Partial<ShareGroupHeartbeatRequest>): ShareGroupHeartbeatRequest {
  return createShareGroupHeartbeatRequest({
    groupId: GROUP,
    memberId: "member-one",
    memberEpoch: 0,
    subscribedTopicNames: [TOPIC],
    ...over,
  });
}

/** What a client acts on in a heartbeat answer (not the epoch's value, not the partitions). */
function outline(r: ShareGroupHeartbeatResponse) {
  return {
    errorCode: r.errorCode,
    memberId: r.memberId,
    heartbeatIntervalMs: r.heartbeatIntervalMs,
    member: r.memberEpoch > 0,
  };
}

/** Each member's partitions and the group's state, without epochs or topic ids. */
function described(r: ShareGroupDescribeResponse) {
  return r.groups.map((g) => ({
    groupId: g.groupId,
    errorCode: g.errorCode,
    groupState: g.groupState,
    assignorName: g.assignorName,
    members: g.members
      .map((m) => ({
        memberId: m.memberId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        subscribedTopicNames: m.subscribedTopicNames,
        partitions: m.assignment.topicPartitions.flatMap((t) =>
          t.partitions.map((p) => `${t.topicName}-${p}`),
        ),
      }))
      .sort((a, b) => a.memberId.localeCompare(b.memberId)),
  }));
}

test("ShareGroupHeartbeat: Kafka's request checks (INVALID_REQUEST)", async () => {
  for (const bad of [
    { memberId: "" },
    { groupId: "" },
    { rackId: "" },
    { subscribedTopicNames: null },
    { subscribedTopicNames: [] },
    { memberEpoch: -2 },
  ]) {
    const r = await conv.same(ShareGroupHeartbeatApi, 1, heartbeat(bad));
    assert.equal(r.kafka.errorCode, ErrorCode.INVALID_REQUEST, JSON.stringify(bad));
  }
});

test("ShareGroupHeartbeat: an unknown group (heartbeat and leave) is GROUP_ID_NOT_FOUND", async () => {
  for (const memberEpoch of [3, -1]) {
    const r = await conv.same(
      ShareGroupHeartbeatApi,
      1,
      heartbeat({ groupId: "nope", memberEpoch }),
    );
    assert.equal(r.kafka.errorCode, ErrorCode.GROUP_ID_NOT_FOUND);
  }
});

test("ShareGroupHeartbeat and ShareGroupDescribe: two members share out the partitions", async () => {
  const epochs: Record<Side, Record<string, number>> = { kafka: {}, logbook: {} };
  for (const memberId of ["member-one", "member-two"]) {
    const x = await conv.exchange(ShareGroupHeartbeatApi, 1, heartbeat({ memberId }));
    const [k, l] = SIDES.map((s) => {
      const o = x[s];
      assert.equal(o.kind, "answer", `${s} answers the join`);
      if (o.kind !== "answer") throw new Error("unreachable");
      epochs[s][memberId] = o.body.memberEpoch;
      return outline(o.body);
    });
    assert.deepEqual(l, k, `${memberId} joins alike`);
  }
  // Heartbeat both members on each broker until their partitions stop changing.
  const settled = await Promise.all(
    SIDES.map(async (side) => {
      const deadline = Date.now() + 60_000;
      for (;;) {
        for (const memberId of ["member-one", "member-two"]) {
          const r = await conv.clients[side].request(
            ShareGroupHeartbeatApi,
            1,
            heartbeat({
              memberId,
              memberEpoch: epochs[side][memberId],
              subscribedTopicNames: null,
            }),
          );
          assert.equal(r.body.errorCode, ErrorCode.NONE, `${side} heartbeat of ${memberId}`);
          epochs[side][memberId] = r.body.memberEpoch;
        }
        const d = await conv.clients[side].request(
          ShareGroupDescribeApi,
          1,
          createShareGroupDescribeRequest({ groupIds: [GROUP] }),
        );
        const view = described(d.body);
        const held = view[0]?.members.map((m) => m.partitions.length) ?? [];
        if (held.every((n) => n === 1) || Date.now() > deadline) return view;
        await new Promise((r) => setTimeout(r, 200));
      }
    }),
  );
  const [kafka, logbook] = settled;
  assert.deepEqual(
    kafka?.[0]?.members.flatMap((m) => m.partitions).sort(),
    ["shr-0", "shr-1"],
    "Kafka gave each member one partition",
  );
  // Which member gets which partition is the assignor's choice: compare the sets.
  const shape = (v: ReturnType<typeof described> | undefined) =>
    v?.map((g) => ({
      ...g,
      members: g.members.map((m) => ({ ...m, partitions: m.partitions.length })),
    }));
  assert.deepEqual(shape(logbook), shape(kafka));
  assert.deepEqual(logbook?.[0]?.members.flatMap((m) => m.partitions).sort(), ["shr-0", "shr-1"]);
});

test("ShareGroupHeartbeat: fencing, unknown members, leaving; ShareGroupDescribe after", async () => {
  const epoch = async (side: Side) => {
    const d = await conv.clients[side].request(
      ShareGroupDescribeApi,
      1,
      createShareGroupDescribeRequest({ groupIds: [GROUP] }),
    );
    return d.body.groups[0]?.members.find((m) => m.memberId === "member-one")?.memberEpoch ?? 0;
  };
  const current = { kafka: await epoch("kafka"), logbook: await epoch("logbook") };
  const ahead = await conv.same(ShareGroupHeartbeatApi, 1, (s) =>
    heartbeat({ memberEpoch: current[s] + 5, subscribedTopicNames: null }),
  );
  assert.equal(ahead.kafka.errorCode, ErrorCode.FENCED_MEMBER_EPOCH);
  const stranger = await conv.same(
    ShareGroupHeartbeatApi,
    1,
    heartbeat({ memberId: "member-x", memberEpoch: 1, subscribedTopicNames: null }),
  );
  assert.equal(stranger.kafka.errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
  const leave = await conv.same(
    ShareGroupHeartbeatApi,
    1,
    heartbeat({ memberId: "member-two", memberEpoch: -1, subscribedTopicNames: null }),
  );
  assert.equal(leave.kafka.memberEpoch, -1);
  const gone = await conv.same(
    ShareGroupHeartbeatApi,
    1,
    heartbeat({ memberId: "member-two", memberEpoch: -1, subscribedTopicNames: null }),
  );
  assert.equal(gone.kafka.errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
  const d = await conv.exchange(
    ShareGroupDescribeApi,
    1,
    createShareGroupDescribeRequest({ groupIds: [GROUP, "nope"] }),
  );
  assert.ok(d.kafka.kind === "answer" && d.logbook.kind === "answer");
  const [k, l] = [described(d.kafka.body), described(d.logbook.body)];
  assert.deepEqual(
    l.map((g) => ({ ...g, members: g.members.map((m) => m.memberId) })),
    k.map((g) => ({ ...g, members: g.members.map((m) => m.memberId) })),
  );
  assert.equal(k[1]?.errorCode, ErrorCode.GROUP_ID_NOT_FOUND);
});

test('ListGroups v5 lists the share group with type "share"', async () => {
  const r = await conv.exchange(
    ListGroupsApi,
    5,
    createListGroupsRequest({ typesFilter: ["share"] }),
  );
  assert.ok(r.kafka.kind === "answer" && r.logbook.kind === "answer");
  const pick = (groups: typeof r.kafka.body.groups) =>
    groups.filter((g) => g.groupId === GROUP).map((g) => ({ ...g }));
  assert.deepEqual(pick(r.logbook.body.groups), pick(r.kafka.body.groups));
  assert.equal(pick(r.kafka.body.groups)[0]?.groupType, "share");
});

test("a classic group's id is not a share group's; DeleteGroups deletes an empty share group", async () => {
  const classic = "diff-classic-for-share";
  await conv.same(
    OffsetCommitApi,
    8,
    createOffsetCommitRequest({
      groupId: classic,
      generationIdOrMemberEpoch: -1,
      memberId: "",
      topics: [
        createOffsetCommitRequestTopic({
          name: TOPIC,
          partitions: [
            createOffsetCommitRequestPartition({ partitionIndex: 0, committedOffset: 0n }),
          ],
        }),
      ],
    }),
  );
  const hb = await conv.same(ShareGroupHeartbeatApi, 1, heartbeat({ groupId: classic }));
  assert.equal(hb.kafka.errorCode, ErrorCode.GROUP_ID_NOT_FOUND);
  const d = await conv.same(
    ShareGroupDescribeApi,
    1,
    createShareGroupDescribeRequest({ groupIds: [classic] }),
  );
  assert.equal(d.kafka.groups[0]?.errorCode, ErrorCode.GROUP_ID_NOT_FOUND);
  const members = await conv.same(
    DeleteGroupsApi,
    2,
    createDeleteGroupsRequest({ groupsNames: [GROUP] }),
  );
  assert.equal(members.kafka.results[0]?.errorCode, ErrorCode.NON_EMPTY_GROUP);
  await conv.same(
    ShareGroupHeartbeatApi,
    1,
    heartbeat({ memberEpoch: -1, subscribedTopicNames: null }),
  );
  const del = await conv.same(
    DeleteGroupsApi,
    2,
    createDeleteGroupsRequest({ groupsNames: [GROUP] }),
  );
  assert.equal(del.kafka.results[0]?.errorCode, ErrorCode.NONE);
  const after = await conv.same(
    ShareGroupDescribeApi,
    1,
    createShareGroupDescribeRequest({ groupIds: [GROUP] }),
  );
  assert.equal(after.kafka.groups[0]?.errorCode, ErrorCode.GROUP_ID_NOT_FOUND);
});
