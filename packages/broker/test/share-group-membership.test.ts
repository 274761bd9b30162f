/**
 * Share-group membership over the wire with our codec on a real broker:
 * ShareGroupHeartbeat joins and assignments, ShareGroupDescribe, ListGroups with the
 * "share" type, DeleteGroups of an empty share group, the group id namespace shared
 * with classic groups, persistence across a restart, the group.share.* settings, and
 * the ShareMembership answers the share-partition side reads.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
  AlterShareGroupOffsetsApi,
  createAlterShareGroupOffsetsRequest,
  createAlterShareGroupOffsetsRequestPartition,
  createAlterShareGroupOffsetsRequestTopic,
  createDeleteGroupsRequest,
  createDescribeShareGroupOffsetsRequest,
  createDescribeShareGroupOffsetsRequestGroup,
  createDescribeShareGroupOffsetsRequestTopic,
  createListGroupsRequest,
  createOffsetCommitRequest,
  createOffsetCommitRequestPartition,
  createOffsetCommitRequestTopic,
  createShareGroupDescribeRequest,
  createShareGroupHeartbeatRequest,
  DeleteGroupsApi,
  DescribeShareGroupOffsetsApi,
  ErrorCode,
  ListGroupsApi,
  OffsetCommitApi,
  ShareGroupDescribeApi,
  ShareGroupHeartbeatApi,
  type ShareGroupHeartbeatRequest,
} from "@logbook/protocol";
import { brokerConfig } from "../src/index.js";
import type { TestBroker } from "./helpers/admin-broker.js";
import { createTopic, startGroupBroker } from "./helpers/group-wire.js";

let b: TestBroker;
before(async () => {
  b = await startGroupBroker({
    shareGroups: { ...brokerConfig().shareGroups, heartbeatIntervalMs: 7000, maxSize: 2 },
  });
  await b.broker.shareGroups.ready;
  await createTopic(b, "work", 3);
});
after(async () => {
  await b?.stop();
});

const hb = (over: Partial<ShareGroupHeartbeatRequest>) =>
  b.client.send(
    ShareGroupHeartbeatApi,
    1,
    createShareGroupHeartbeatRequest({
      groupId: "sg",
      memberId: "m1",
      memberEpoch: 0,
      subscribedTopicNames: ["work"],
      ...over,
    }),
  );

test("members join, get the partitions between them and keep them across a restart", async () => {
  const one = await hb({});
  assert.equal(one.errorCode, ErrorCode.NONE);
  assert.equal(one.memberEpoch, 1);
  assert.equal(one.heartbeatIntervalMs, 7000, "group.share.heartbeat.interval.ms");
  assert.deepEqual(one.assignment?.topicPartitions[0]?.partitions, [0, 1, 2]);
  const work = b.broker.topics.get("work");
  assert.ok(work?.id.equals(one.assignment?.topicPartitions[0]?.topicId ?? Buffer.alloc(0)));
  const two = await hb({ memberId: "m2" });
  assert.equal(two.memberEpoch, 2);
  const again = await hb({ memberEpoch: 1, subscribedTopicNames: null });
  assert.equal(again.memberEpoch, 2);
  const held = [again, two].map((r) => r.assignment?.topicPartitions[0]?.partitions ?? []);
  assert.deepEqual(held.flat().sort(), [0, 1, 2]);
  const full = await hb({ memberId: "m3" });
  assert.equal(full.errorCode, ErrorCode.GROUP_MAX_SIZE_REACHED, "group.share.max.size");

  assert.equal(b.broker.shareGroups.checkMember("sg", "m1"), ErrorCode.NONE);
  assert.equal(b.broker.shareGroups.checkMember("sg", "m3"), ErrorCode.UNKNOWN_MEMBER_ID);
  assert.equal(b.broker.shareGroups.checkMember("none", "m1"), ErrorCode.GROUP_ID_NOT_FOUND);
  assert.deepEqual(b.broker.shareGroups.shareGroupIds(), ["sg"]);
  const before = b.broker.shareGroups.assignment("sg", "m2");
  assert.deepEqual(before, new Map([["work", two.assignment?.topicPartitions[0]?.partitions]]));

  await b.restart();
  await b.broker.shareGroups.ready;
  assert.deepEqual(b.broker.shareGroups.assignment("sg", "m2"), before);
  const d = await b.client.send(
    ShareGroupDescribeApi,
    1,
    createShareGroupDescribeRequest({ groupIds: ["sg"] }),
  );
  const g = d.groups[0];
  assert.equal(g?.errorCode, ErrorCode.NONE);
  assert.equal(g?.groupState, "Stable");
  assert.equal(g?.groupEpoch, 2);
  assert.equal(g?.assignorName, "simple");
  assert.deepEqual(g?.members.map((m) => m.memberId).sort(), ["m1", "m2"]);
  const resumed = await hb({ memberId: "m2", memberEpoch: 2, subscribedTopicNames: null });
  assert.equal(resumed.errorCode, ErrorCode.NONE);
  assert.equal(resumed.memberEpoch, 2);
});

test("ListGroups lists share groups by type and state; DeleteGroups takes only empty ones", async () => {
  const listed = async (typesFilter: string[]) =>
    (await b.client.send(ListGroupsApi, 5, createListGroupsRequest({ typesFilter }))).groups;
  assert.deepEqual(
    (await listed(["Share"])).map((g) => [g.groupId, g.groupType, g.protocolType, g.groupState]),
    [["sg", "share", "share", "Stable"]],
  );
  assert.equal(
    (await listed(["classic"])).some((g) => g.groupId === "sg"),
    false,
  );
  const del = (names: string[]) =>
    b.client.send(DeleteGroupsApi, 2, createDeleteGroupsRequest({ groupsNames: names }));
  assert.equal((await del(["sg"])).results[0]?.errorCode, ErrorCode.NON_EMPTY_GROUP);
  for (const [memberId, memberEpoch] of [
    ["m1", 2],
    ["m2", 2],
  ] as const) {
    const r = await hb({ memberId, memberEpoch: -1, subscribedTopicNames: null });
    assert.equal(r.errorCode, ErrorCode.NONE, `${memberId} leaves (${memberEpoch})`);
  }
  assert.deepEqual(
    (await listed([])).filter((g) => g.groupId === "sg").map((g) => g.groupState),
    ["Empty"],
  );
  assert.deepEqual(
    (await del(["sg", "unknown"])).results.map((r) => r.errorCode),
    [ErrorCode.NONE, ErrorCode.GROUP_ID_NOT_FOUND],
  );
  assert.equal(b.broker.shareGroups.isShareGroup("sg"), false);
});

test("a classic group's id answers GROUP_ID_NOT_FOUND to share-group requests", async () => {
  await b.client.send(
    OffsetCommitApi,
    8,
    createOffsetCommitRequest({
      groupId: "classic",
      generationIdOrMemberEpoch: -1,
      memberId: "",
      topics: [
        createOffsetCommitRequestTopic({
          name: "work",
          partitions: [
            createOffsetCommitRequestPartition({ partitionIndex: 0, committedOffset: 1n }),
          ],
        }),
      ],
    }),
  );
  assert.equal((await hb({ groupId: "classic" })).errorCode, ErrorCode.GROUP_ID_NOT_FOUND);
  const d = await b.client.send(
    ShareGroupDescribeApi,
    1,
    createShareGroupDescribeRequest({ groupIds: ["classic"] }),
  );
  assert.equal(d.groups[0]?.errorCode, ErrorCode.GROUP_ID_NOT_FOUND);
});

test("DeleteGroups of a share group drops its share-partition state too (a new group of that id starts afresh)", async () => {
  const describe = async () =>
    (
      await b.client.send(
        DescribeShareGroupOffsetsApi,
        0,
        createDescribeShareGroupOffsetsRequest({
          groups: [
            createDescribeShareGroupOffsetsRequestGroup({
              groupId: "sgdel",
              topics: [
                createDescribeShareGroupOffsetsRequestTopic({
                  topicName: "work",
                  partitions: [0],
                }),
              ],
            }),
          ],
        }),
      )
    ).groups.flatMap((g) => g.topics.flatMap((t) => t.partitions.map((p) => p.startOffset)));
  assert.equal((await hb({ groupId: "sgdel", subscribedTopicNames: ["work"] })).errorCode, 0);
  assert.equal((await hb({ groupId: "sgdel", memberEpoch: -1 })).errorCode, 0);
  const altered = await b.client.send(
    AlterShareGroupOffsetsApi,
    0,
    createAlterShareGroupOffsetsRequest({
      groupId: "sgdel",
      topics: [
        createAlterShareGroupOffsetsRequestTopic({
          topicName: "work",
          partitions: [
            createAlterShareGroupOffsetsRequestPartition({ partitionIndex: 0, startOffset: 0n }),
          ],
        }),
      ],
    }),
  );
  assert.equal(altered.errorCode, ErrorCode.NONE);
  assert.deepEqual(await describe(), [0n], "state kept for the group");
  const del = await b.client.send(
    DeleteGroupsApi,
    2,
    createDeleteGroupsRequest({ groupsNames: ["sgdel"] }),
  );
  assert.deepEqual(
    del.results.map((r) => [r.groupId, r.errorCode]),
    [["sgdel", ErrorCode.NONE]],
  );
  assert.deepEqual(await describe(), [-1n], "no state after the delete");
});
