/**
 * Classic consumer groups against Kafka: two members joining (MEMBER_ID_REQUIRED,
 * rebalance, sync), and the error paths (unknown member, illegal generation,
 * rebalance in progress, a bogus coordinator key, invalid session timeouts,
 * deleting a group with members, deleting offsets of a subscribed topic). Member ids
 * are chosen by each broker, so they are compared through aliases.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
  createConsumerProtocolAssignment,
  createConsumerProtocolAssignmentTopicPartition,
  createConsumerProtocolSubscription,
  createDeleteGroupsRequest,
  createDescribeGroupsRequest,
  createFindCoordinatorRequest,
  createHeartbeatRequest,
  createJoinGroupRequest,
  createJoinGroupRequestProtocol,
  createLeaveGroupRequest,
  createLeaveGroupRequestMemberIdentity,
  createListGroupsRequest,
  createOffsetCommitRequest,
  createOffsetCommitRequestPartition,
  createOffsetCommitRequestTopic,
  createOffsetDeleteRequest,
  createOffsetDeleteRequestPartition,
  createOffsetDeleteRequestTopic,
  createOffsetFetchRequest,
  createOffsetFetchRequestTopic,
  createSyncGroupRequest,
  createSyncGroupRequestAssignment,
  DeleteGroupsApi,
  DescribeGroupsApi,
  ErrorCode,
  encodeConsumerProtocolAssignment,
  encodeConsumerProtocolSubscription,
  FindCoordinatorApi,
  HeartbeatApi,
  JoinGroupApi,
  LeaveGroupApi,
  ListGroupsApi,
  OffsetCommitApi,
  OffsetDeleteApi,
  OffsetFetchApi,
  SyncGroupApi,
  Writer,
} from "@logbook/protocol";
import { type Conversation, DiffPair, type Side } from "./pair.js";
import { settleCoordinator } from "./setup.js";

let pair: DiffPair;
let conv: Conversation;
let other: Conversation;
const GROUP = "diff-group";

before(async () => {
  pair = await DiffPair.start();
  conv = await pair.conversation();
  other = await pair.conversation();
  await conv.createTopic("grp", 2);
  await settleCoordinator(conv, GROUP, 0);
});
after(async () => {
  conv?.close();
  other?.close();
  await pair?.stop();
});

/** Consumer protocol bytes: a version prefix, then the v0 body. */
function versioned(size: number, encode: (w: Writer) => void): Buffer {
  const w = Writer.alloc(2 + size);
  w.int16(0);
  encode(w);
  return w.result();
}

const subscription = (() => {
  const s = createConsumerProtocolSubscription({ topics: ["grp"] });
  const probe = Writer.alloc(1024);
  encodeConsumerProtocolSubscription(probe, s, 0);
  return versioned(probe.result().length, (w) => encodeConsumerProtocolSubscription(w, s, 0));
})();

const assignment = (partitions: number[]) => {
  const a = createConsumerProtocolAssignment({
    assignedPartitions: [
      createConsumerProtocolAssignmentTopicPartition({ topic: "grp", partitions }),
    ],
  });
  const probe = Writer.alloc(1024);
  encodeConsumerProtocolAssignment(probe, a, 0);
  return versioned(probe.result().length, (w) => encodeConsumerProtocolAssignment(w, a, 0));
};

function join(memberId: string, opts: { session?: number; group?: string } = {}) {
  return createJoinGroupRequest({
    groupId: opts.group ?? GROUP,
    sessionTimeoutMs: opts.session ?? 10_000,
    rebalanceTimeoutMs: 5_000,
    memberId,
    protocolType: "consumer",
    protocols: [createJoinGroupRequestProtocol({ name: "range", metadata: subscription })],
  });
}

type Ids = Record<Side, string>;
let a: Ids;
let b: Ids;
let generation = -1;

test("a coordinator for bogus keys, and invalid session timeouts", async () => {
  for (const v of [0, 3])
    await conv.same(FindCoordinatorApi, v, createFindCoordinatorRequest({ key: "" }));
  await conv.same(FindCoordinatorApi, 3, createFindCoordinatorRequest({ key: "g", keyType: 7 }));
  await conv.same(
    FindCoordinatorApi,
    4,
    createFindCoordinatorRequest({ coordinatorKeys: ["", "ok-group"] }),
  );
  for (const session of [1, 100_000_000]) {
    const r = await conv.same(JoinGroupApi, 5, join("", { session, group: "bad-session" }));
    assert.equal(r.kafka.errorCode, ErrorCode.INVALID_SESSION_TIMEOUT);
  }
  await conv.same(JoinGroupApi, 5, join("", { group: "" }));
});

test("a first member joins: MEMBER_ID_REQUIRED, then generation 1 as leader, then sync", async () => {
  const first = await conv.sameLearning(JoinGroupApi, 9, join(""), "member a", (r) => r.memberId);
  assert.equal(first.kafka.errorCode, ErrorCode.MEMBER_ID_REQUIRED);
  a = first.learned;
  other.alias("member a", a);
  const joined = await conv.same(JoinGroupApi, 9, (s) => join(a[s]));
  assert.equal(joined.kafka.errorCode, ErrorCode.NONE);
  generation = joined.kafka.generationId;
  const sync = (s: Side, gen: number, memberId: string) =>
    createSyncGroupRequest({
      groupId: GROUP,
      generationId: gen,
      memberId,
      protocolType: "consumer",
      protocolName: "range",
      assignments: [
        createSyncGroupRequestAssignment({
          memberId: a[s],
          assignment: assignment([0, 1]),
        }),
      ],
    });
  await conv.same(SyncGroupApi, 5, (s) => sync(s, generation + 1, a[s])); // illegal generation
  await conv.same(SyncGroupApi, 5, (s) => sync(s, generation, "nobody")); // unknown member
  await conv.same(SyncGroupApi, 5, (s) => sync(s, generation, a[s]));
  for (const v of [0, 4]) {
    await conv.same(HeartbeatApi, v, (s) =>
      createHeartbeatRequest({ groupId: GROUP, generationId: generation, memberId: a[s] }),
    );
    await conv.same(HeartbeatApi, v, (s) =>
      createHeartbeatRequest({ groupId: GROUP, generationId: 99, memberId: a[s] }),
    );
    await conv.same(
      HeartbeatApi,
      v,
      createHeartbeatRequest({ groupId: GROUP, generationId: generation, memberId: "nobody" }),
    );
  }
});

test("offsets: commit with a wrong generation or member, then the right one, fetch, delete while subscribed", async () => {
  const commit = (gen: number, memberId: string) =>
    createOffsetCommitRequest({
      groupId: GROUP,
      generationIdOrMemberEpoch: gen,
      memberId,
      topics: [
        createOffsetCommitRequestTopic({
          name: "grp",
          partitions: [
            createOffsetCommitRequestPartition({
              partitionIndex: 0,
              committedOffset: 3n,
              committedMetadata: "m",
            }),
          ],
        }),
      ],
    });
  for (const v of [2, 9]) {
    await conv.same(OffsetCommitApi, v, (s) => commit(generation + 5, a[s]));
    await conv.same(OffsetCommitApi, v, commit(generation, "nobody"));
    await conv.same(OffsetCommitApi, v, (s) => commit(generation, a[s]));
    await conv.same(OffsetCommitApi, v, commit(-1, "")); // a simple (admin) commit to an active group
  }
  for (const v of [1, 5, 8]) {
    await conv.same(
      OffsetFetchApi,
      v,
      createOffsetFetchRequest({
        groupId: GROUP,
        topics: [
          createOffsetFetchRequestTopic({
            name: "grp",
            partitionIndexes: [0, 1, 7],
          }),
        ],
      }),
    );
  }
  const del = await conv.same(
    OffsetDeleteApi,
    0,
    createOffsetDeleteRequest({
      groupId: GROUP,
      topics: [
        createOffsetDeleteRequestTopic({
          name: "grp",
          partitions: [createOffsetDeleteRequestPartition({ partitionIndex: 0 })],
        }),
      ],
    }),
  );
  assert.equal(del.kafka.topics[0]?.partitions[0]?.errorCode, ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC);
  const nonEmpty = await conv.same(
    DeleteGroupsApi,
    2,
    createDeleteGroupsRequest({ groupsNames: [GROUP, "dg-unknown"] }),
  );
  assert.equal(
    nonEmpty.kafka.results.find((r) => r.groupId === GROUP)?.errorCode,
    ErrorCode.NON_EMPTY_GROUP,
  );
});

test("a second member: the first sees REBALANCE_IN_PROGRESS, rejoins, both get generation 2", async () => {
  const first = await other.sameLearning(JoinGroupApi, 9, join(""), "member b", (r) => r.memberId);
  b = first.learned;
  conv.alias("member b", b);
  // b's join waits for the rebalance to end: send it on the other connection.
  const bJoin = other.exchange(JoinGroupApi, 9, (s) => join(b[s]));
  // Heartbeat until each broker has seen b's join (NONE before, on a loaded machine).
  const hb = await conv.settle(
    HeartbeatApi,
    4,
    (s) => createHeartbeatRequest({ groupId: GROUP, generationId: generation, memberId: a[s] }),
    (r) => r.errorCode === ErrorCode.NONE,
  );
  assert.equal(hb.kafka.errorCode, ErrorCode.REBALANCE_IN_PROGRESS);
  await conv.same(DescribeGroupsApi, 5, createDescribeGroupsRequest({ groups: [GROUP] }));
  const aJoin = await conv.same(JoinGroupApi, 9, (s) => join(a[s]));
  const bJoined = await bJoin;
  assert.deepEqual(bJoined.differences, []);
  assert.equal(aJoin.kafka.generationId, generation + 1);
  generation = aJoin.kafka.generationId;
  await conv.same(ListGroupsApi, 5, createListGroupsRequest({}));
});

test("members leave (one known, one unknown), the group empties and can be deleted", async () => {
  for (const v of [3, 5]) {
    await conv.same(LeaveGroupApi, v, (s) =>
      createLeaveGroupRequest({
        groupId: GROUP,
        members: [
          createLeaveGroupRequestMemberIdentity({ memberId: v === 3 ? b[s] : a[s] }),
          createLeaveGroupRequestMemberIdentity({ memberId: "nobody" }),
        ],
      }),
    );
  }
  await conv.same(LeaveGroupApi, 0, (s) =>
    createLeaveGroupRequest({ groupId: GROUP, memberId: a[s] }),
  );
  await conv.same(
    DescribeGroupsApi,
    0,
    createDescribeGroupsRequest({ groups: [GROUP, "dg-none"] }),
  );
  await conv.same(ListGroupsApi, 5, createListGroupsRequest({ statesFilter: ["Empty"] }));
  const del = await conv.same(
    DeleteGroupsApi,
    2,
    createDeleteGroupsRequest({ groupsNames: [GROUP] }),
  );
  assert.equal(del.kafka.results[0]?.errorCode, ErrorCode.NONE);
});
