/**
 * JoinGroup, SyncGroup, Heartbeat and LeaveGroup over the wire with our codec, at the
 * versions old and new clients send: two members per group, KIP-394 MEMBER_ID_REQUIRED,
 * a rebalance when the second member arrives and when it leaves, generation checks.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import {
  createDescribeGroupsRequest,
  createHeartbeatRequest,
  createLeaveGroupRequest,
  createLeaveGroupRequestMemberIdentity,
  DescribeGroupsApi,
  ErrorCode,
  HeartbeatApi,
  JoinGroupApi,
  type JoinGroupResponse,
  LeaveGroupApi,
} from "@logbook/protocol";
import type { TestBroker } from "./helpers/admin-broker.js";
import {
  joinRequest,
  joinWithMemberId,
  memberClient,
  startGroupBroker,
  sync,
} from "./helpers/group-wire.js";
import type { WireClient } from "./helpers/wire-client.js";

let b: TestBroker;
const clients: WireClient[] = [];
before(async () => {
  b = await startGroupBroker();
});
after(async () => {
  for (const c of clients) c.close();
  await b.stop();
});

async function client(): Promise<WireClient> {
  const c = await memberClient(b);
  clients.push(c);
  return c;
}

interface Versions {
  join: number;
  sync: number;
  heartbeat: number;
  leave: number;
}

async function join(
  c: WireClient,
  v: number,
  group: string,
  memberId = "",
): Promise<JoinGroupResponse> {
  if (memberId === "" && v >= 4) return (await joinWithMemberId(c, v, group)).joined;
  return c.send(JoinGroupApi, v, joinRequest(group, memberId));
}

function heartbeat(
  c: WireClient,
  v: number,
  group: string,
  generationId: number,
  memberId: string,
) {
  return c.send(
    HeartbeatApi,
    v,
    createHeartbeatRequest({ groupId: group, generationId, memberId }),
  );
}

/** Heartbeats until the coordinator reports the rebalance another connection started. */
async function untilRebalancing(c: WireClient, v: number, group: string, gen: number, id: string) {
  for (;;) {
    const r = await heartbeat(c, v, group, gen, id);
    if (r.errorCode === ErrorCode.REBALANCE_IN_PROGRESS) return;
    assert.equal(r.errorCode, ErrorCode.NONE);
    await sleep(20);
  }
}

function leave(c: WireClient, v: number, group: string, memberId: string) {
  return c.send(
    LeaveGroupApi,
    v,
    v >= 3
      ? createLeaveGroupRequest({
          groupId: group,
          members: [
            createLeaveGroupRequestMemberIdentity({
              memberId,
              groupInstanceId: null,
              reason: "test done",
            }),
          ],
        })
      : createLeaveGroupRequest({ groupId: group, memberId }),
  );
}

async function twoMembers(v: Versions, group: string): Promise<void> {
  const ca = await client();
  const cb = await client();

  // The first member forms generation 1 alone and leads it.
  const a1 = await join(ca, v.join, group);
  assert.equal(a1.errorCode, ErrorCode.NONE);
  const a = a1.memberId;
  assert.notEqual(a, "");
  assert.equal(a1.generationId, 1);
  assert.equal(a1.leader, a);
  assert.equal(a1.protocolName, "range");
  if (v.join >= 7) assert.equal(a1.protocolType, "consumer");
  assert.deepEqual(
    a1.members.map((m) => m.memberId),
    [a],
  );
  const s1 = await sync(ca, v.sync, group, 1, a, [[a, "a-gen1"]]);
  assert.equal(s1.errorCode, ErrorCode.NONE);
  assert.equal(s1.assignment.toString(), "a-gen1");
  if (v.sync >= 5) assert.equal(s1.protocolName, "range");
  assert.equal((await heartbeat(ca, v.heartbeat, group, 1, a)).errorCode, ErrorCode.NONE);

  // A second member starts a rebalance; the first learns it from its heartbeat and rejoins.
  const bJoin = join(cb, v.join, group);
  await untilRebalancing(ca, v.heartbeat, group, 1, a);
  const [a2, b2] = await Promise.all([join(ca, v.join, group, a), bJoin]);
  assert.equal(a2.errorCode, ErrorCode.NONE);
  assert.equal(b2.errorCode, ErrorCode.NONE);
  const bId = b2.memberId;
  assert.notEqual(bId, a);
  assert.equal(a2.generationId, 2);
  assert.equal(b2.generationId, 2);
  assert.equal(a2.leader, a);
  assert.equal(b2.leader, a);
  assert.deepEqual(a2.members.map((m) => m.memberId).sort(), [a, bId].sort());
  assert.equal(b2.members.length, 0, "followers get no member list");

  // The follower's SyncGroup waits for the leader's assignments.
  const bSync = sync(cb, v.sync, group, 2, bId);
  const aSync = await sync(ca, v.sync, group, 2, a, [
    [a, "a-gen2"],
    [bId, "b-gen2"],
  ]);
  assert.equal(aSync.assignment.toString(), "a-gen2");
  assert.equal((await bSync).assignment.toString(), "b-gen2");
  assert.equal((await heartbeat(ca, v.heartbeat, group, 2, a)).errorCode, ErrorCode.NONE);
  assert.equal((await heartbeat(cb, v.heartbeat, group, 2, bId)).errorCode, ErrorCode.NONE);
  assert.equal(
    (await heartbeat(cb, v.heartbeat, group, 1, bId)).errorCode,
    ErrorCode.ILLEGAL_GENERATION,
  );
  assert.equal(
    (await heartbeat(cb, v.heartbeat, group, 2, "no-such-member")).errorCode,
    ErrorCode.UNKNOWN_MEMBER_ID,
  );

  const described = await ca.send(
    DescribeGroupsApi,
    4,
    createDescribeGroupsRequest({ groups: [group] }),
  );
  const g = described.groups[0];
  assert.equal(g?.groupState, "Stable");
  assert.equal(g?.protocolData, "range");
  assert.deepEqual(g?.members.map((m) => m.memberId).sort(), [a, bId].sort());
  assert.equal(g?.members.find((m) => m.memberId === bId)?.memberAssignment.toString(), "b-gen2");
  assert.equal(g?.members[0]?.clientId, "wire-test");
  assert.match(g?.members[0]?.clientHost ?? "", /^\/127\.0\.0\.1$/);

  // The second member leaves: a rebalance, and the first forms generation 3 alone.
  const left = await leave(cb, v.leave, group, bId);
  assert.equal(left.errorCode, ErrorCode.NONE);
  if (v.leave >= 3) {
    assert.deepEqual(
      left.members.map((m) => [m.memberId, m.errorCode]),
      [[bId, ErrorCode.NONE]],
    );
  }
  await untilRebalancing(ca, v.heartbeat, group, 2, a);
  const a3 = await join(ca, v.join, group, a);
  assert.equal(a3.generationId, 3);
  assert.deepEqual(
    a3.members.map((m) => m.memberId),
    [a],
  );
  assert.equal((await sync(ca, v.sync, group, 3, a, [[a, "a-gen3"]])).errorCode, ErrorCode.NONE);
  assert.equal((await leave(ca, v.leave, group, a)).errorCode, ErrorCode.NONE);
  const empty = await ca.send(
    DescribeGroupsApi,
    0,
    createDescribeGroupsRequest({ groups: [group] }),
  );
  assert.equal(empty.groups[0]?.groupState, "Empty");
  assert.equal(empty.groups[0]?.members.length, 0);
}

test("kafka-python's versions: JoinGroup v2, SyncGroup v1, Heartbeat v1, LeaveGroup v1", async () => {
  await twoMembers({ join: 2, sync: 1, heartbeat: 1, leave: 1 }, "g-python");
});

test("v0 everywhere (JoinGroup v0 has no rebalance timeout)", async () => {
  await twoMembers({ join: 0, sync: 0, heartbeat: 0, leave: 0 }, "g-v0");
});

test("kafkajs/librdkafka versions with MEMBER_ID_REQUIRED: JoinGroup v5, SyncGroup v3, Heartbeat v3, LeaveGroup v3", async () => {
  await twoMembers({ join: 5, sync: 3, heartbeat: 3, leave: 3 }, "g-v5");
});

test("newest flexible versions: JoinGroup v9, SyncGroup v5, Heartbeat v4, LeaveGroup v5", async () => {
  await twoMembers({ join: 9, sync: 5, heartbeat: 4, leave: 5 }, "g-v9");
});

test("MEMBER_ID_REQUIRED hands out the id to rejoin with (v4+), older versions join at once", async () => {
  const c = await client();
  const { first, joined } = await joinWithMemberId(c, 4, "g-kip394");
  assert.equal(first.errorCode, ErrorCode.MEMBER_ID_REQUIRED);
  assert.equal(first.generationId, -1);
  assert.notEqual(first.memberId, "");
  assert.equal(joined.errorCode, ErrorCode.NONE);
  assert.equal(joined.memberId, first.memberId);
  const old = await c.send(JoinGroupApi, 3, joinRequest("g-kip394-old", ""));
  assert.equal(old.errorCode, ErrorCode.NONE);
  assert.notEqual(old.memberId, "");
});

test("an empty group id is INVALID_GROUP_ID for the membership APIs", async () => {
  const c = await client();
  const j = await c.send(JoinGroupApi, 5, joinRequest("", ""));
  assert.equal(j.errorCode, ErrorCode.INVALID_GROUP_ID);
  assert.equal((await sync(c, 3, "", 1, "m")).errorCode, ErrorCode.INVALID_GROUP_ID);
  assert.equal((await heartbeat(c, 3, "", 1, "m")).errorCode, ErrorCode.INVALID_GROUP_ID);
  assert.equal((await leave(c, 1, "", "m")).errorCode, ErrorCode.INVALID_GROUP_ID);
  assert.equal((await leave(c, 4, "", "m")).errorCode, ErrorCode.INVALID_GROUP_ID);
});

test("members of an unknown group are unknown", async () => {
  const c = await client();
  assert.equal(
    (await heartbeat(c, 3, "g-nobody", 1, "ghost")).errorCode,
    ErrorCode.UNKNOWN_MEMBER_ID,
  );
  const j = await c.send(JoinGroupApi, 5, joinRequest("g-nobody", "ghost"));
  assert.equal(j.errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
});
