/**
 * Group administration over the wire with our codec: FindCoordinator (v0, single key,
 * batched v4+), ListGroups (state and type filters), DescribeGroups, DeleteGroups,
 * OffsetDelete, the advertised ranges, and the answers while the coordinator loads.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
  ApiVersionsApi,
  createApiVersionsRequest,
  createDeleteGroupsRequest,
  createDescribeGroupsRequest,
  createFindCoordinatorRequest,
  createListGroupsRequest,
  createOffsetCommitRequest,
  createOffsetCommitRequestPartition,
  createOffsetCommitRequestTopic,
  createOffsetDeleteRequest,
  createOffsetDeleteRequestPartition,
  createOffsetDeleteRequestTopic,
  createOffsetFetchRequest,
  createOffsetFetchRequestTopic,
  DeleteGroupsApi,
  DescribeGroupsApi,
  ErrorCode,
  FindCoordinatorApi,
  ListGroupsApi,
  OffsetCommitApi,
  OffsetDeleteApi,
  OffsetFetchApi,
} from "@logbook/protocol";
import type { TestBroker } from "./helpers/admin-broker.js";
import {
  createTopic,
  joinWithMemberId,
  memberClient,
  startGroupBroker,
  sync,
} from "./helpers/group-wire.js";
import type { WireClient } from "./helpers/wire-client.js";

let b: TestBroker;
let member: WireClient;
let memberId = "";
before(async () => {
  b = await startGroupBroker();
  await createTopic(b, "events", 2);
  await createTopic(b, "other", 1);
  // "g-active" has one Stable member; "g-idle" only committed offsets (Empty).
  member = await memberClient(b);
  const { joined } = await joinWithMemberId(member, 5, "g-active", {
    protocols: [{ name: "range", metadata: subscription(["events"]) }],
  });
  memberId = joined.memberId;
  const s = await sync(member, 3, "g-active", joined.generationId, memberId, [[memberId, "asg"]]);
  assert.equal(s.errorCode, ErrorCode.NONE);
  await commit("g-active", "events", 0, 1n, joined.generationId, memberId);
  await commit("g-idle", "events", 0, 5n);
  await commit("g-idle", "events", 1, 6n);
  await commit("g-idle", "other", 0, 7n);
});
after(async () => {
  member.close();
  await b.stop();
});

/** A ConsumerProtocolSubscription v0: version, topics, null user data. */
function subscription(topics: string[]): Buffer {
  const parts = [Buffer.from([0, 0]), int32(topics.length)];
  for (const t of topics) {
    const name = Buffer.from(t);
    parts.push(Buffer.from([name.length >> 8, name.length & 0xff]), name);
  }
  parts.push(int32(-1));
  return Buffer.concat(parts);
}

function int32(n: number): Buffer {
  const out = Buffer.alloc(4);
  out.writeInt32BE(n);
  return out;
}

async function commit(
  groupId: string,
  topic: string,
  partition: number,
  offset: bigint,
  generationIdOrMemberEpoch = -1,
  memberId = "",
): Promise<void> {
  const r = await b.client.send(
    OffsetCommitApi,
    8,
    createOffsetCommitRequest({
      groupId,
      generationIdOrMemberEpoch,
      memberId,
      topics: [
        createOffsetCommitRequestTopic({
          name: topic,
          partitions: [
            createOffsetCommitRequestPartition({
              partitionIndex: partition,
              committedOffset: offset,
              committedMetadata: "",
            }),
          ],
        }),
      ],
    }),
  );
  assert.equal(r.topics[0]?.partitions[0]?.errorCode, ErrorCode.NONE);
}

test("ApiVersions advertises every group API over its full range, from version 0", async () => {
  const r = await b.client.send(
    ApiVersionsApi,
    3,
    createApiVersionsRequest({
      clientSoftwareName: "wire-test",
      clientSoftwareVersion: "1.0",
    }),
  );
  const range = (key: number) => {
    const k = r.apiKeys.find((a) => a.apiKey === key);
    return k === undefined ? null : [k.minVersion, k.maxVersion];
  };
  assert.deepEqual(range(8), [0, 9]);
  assert.deepEqual(range(9), [0, 9]);
  assert.deepEqual(range(10), [0, 6]);
  assert.deepEqual(range(11), [0, 9]);
  assert.deepEqual(range(12), [0, 4]);
  assert.deepEqual(range(13), [0, 5]);
  assert.deepEqual(range(14), [0, 5]);
  assert.deepEqual(range(15), [0, 5]);
  assert.deepEqual(range(16), [0, 5]);
  assert.deepEqual(range(42), [0, 2]);
  assert.deepEqual(range(47), [0, 0]);
});

test("FindCoordinator v0 and v1-v3 answer this node, for groups and transactions", async () => {
  const { host, port } = b.broker.advertised;
  for (const v of [0, 1, 2, 3]) {
    const r = await b.client.send(
      FindCoordinatorApi,
      v,
      createFindCoordinatorRequest({ key: "g-x" }),
    );
    assert.equal(r.errorCode, ErrorCode.NONE, `v${v}`);
    assert.deepEqual([r.nodeId, r.host, r.port], [b.broker.config.nodeId, host, port]);
  }
  const txn = await b.client.send(
    FindCoordinatorApi,
    1,
    createFindCoordinatorRequest({ key: "txn-1", keyType: 1 }),
  );
  assert.equal(txn.errorCode, ErrorCode.NONE);
  assert.deepEqual([txn.nodeId, txn.host, txn.port], [b.broker.config.nodeId, host, port]);
  const empty = await b.client.send(
    FindCoordinatorApi,
    0,
    createFindCoordinatorRequest({ key: "" }),
  );
  assert.equal(empty.errorCode, ErrorCode.NONE, "Kafka answers any key; group APIs refuse ''");
});

test("FindCoordinator v4+ batches keys, one result per key in order", async () => {
  const { host, port } = b.broker.advertised;
  for (const v of [4, 6]) {
    const groups = await b.client.send(
      FindCoordinatorApi,
      v,
      createFindCoordinatorRequest({ keyType: 0, coordinatorKeys: ["g-1", "g-2", "g-3"] }),
    );
    assert.deepEqual(
      groups.coordinators.map((c) => [c.key, c.nodeId, c.host, c.port, c.errorCode]),
      ["g-1", "g-2", "g-3"].map((k) => [k, b.broker.config.nodeId, host, port, ErrorCode.NONE]),
    );
  }
  const txns = await b.client.send(
    FindCoordinatorApi,
    4,
    createFindCoordinatorRequest({ keyType: 1, coordinatorKeys: ["t-1", "t-2"] }),
  );
  assert.deepEqual(
    txns.coordinators.map((c) => [c.key, c.errorCode]),
    [
      ["t-1", ErrorCode.NONE],
      ["t-2", ErrorCode.NONE],
    ],
  );
  const share = await b.client.send(
    FindCoordinatorApi,
    6,
    createFindCoordinatorRequest({ keyType: 2, coordinatorKeys: ["s-1"] }),
  );
  assert.equal(share.coordinators[0]?.errorCode, ErrorCode.INVALID_REQUEST);
});

test("ListGroups lists every group; v4 filters by state, v5 by type", async () => {
  const all = await b.client.send(ListGroupsApi, 0, createListGroupsRequest());
  assert.equal(all.errorCode, ErrorCode.NONE);
  const ids = all.groups.map((g) => g.groupId).sort();
  assert.ok(ids.includes("g-active") && ids.includes("g-idle"), ids.join(","));
  assert.equal(all.groups.find((g) => g.groupId === "g-active")?.protocolType, "consumer");

  const stable = await b.client.send(
    ListGroupsApi,
    4,
    createListGroupsRequest({ statesFilter: ["Stable"] }),
  );
  assert.deepEqual(
    stable.groups.map((g) => [g.groupId, g.groupState]),
    [["g-active", "Stable"]],
  );
  const empty = await b.client.send(
    ListGroupsApi,
    4,
    createListGroupsRequest({ statesFilter: ["empty"] }),
  );
  assert.ok(empty.groups.some((g) => g.groupId === "g-idle" && g.groupState === "Empty"));
  assert.ok(!empty.groups.some((g) => g.groupId === "g-active"));

  const classic = await b.client.send(
    ListGroupsApi,
    5,
    createListGroupsRequest({ typesFilter: ["classic"] }),
  );
  assert.ok(classic.groups.every((g) => g.groupType === "classic"));
  assert.ok(classic.groups.some((g) => g.groupId === "g-active"));
  const consumer = await b.client.send(
    ListGroupsApi,
    5,
    createListGroupsRequest({ typesFilter: ["consumer"] }),
  );
  assert.deepEqual(consumer.groups, []);
});

test("DescribeGroups: a stable group with its member, an empty one, an unknown one", async () => {
  for (const v of [0, 3, 4, 5]) {
    const r = await b.client.send(
      DescribeGroupsApi,
      v,
      createDescribeGroupsRequest({
        groups: ["g-active", "g-idle", "g-unknown"],
        includeAuthorizedOperations: true,
      }),
    );
    const [active, idle, unknown] = r.groups;
    assert.equal(active?.errorCode, ErrorCode.NONE);
    assert.equal(active?.groupState, "Stable");
    assert.equal(active?.protocolType, "consumer");
    assert.equal(active?.protocolData, "range");
    assert.deepEqual(
      active?.members.map((m) => [m.memberId, m.memberAssignment.toString()]),
      [[memberId, "asg"]],
    );
    assert.deepEqual(active?.members[0]?.memberMetadata, subscription(["events"]));
    assert.equal(idle?.groupState, "Empty");
    assert.equal(idle?.members.length, 0);
    assert.deepEqual(
      [unknown?.groupId, unknown?.errorCode, unknown?.groupState],
      ["g-unknown", ErrorCode.NONE, "Dead"],
    );
    // Asked for, without an authorizer: every group operation (READ, DELETE, DESCRIBE,
    // DESCRIBE_CONFIGS, ALTER_CONFIGS), as Kafka answers.
    if (v >= 3) assert.equal(active?.authorizedOperations, 3400);
  }
});

test("OffsetDelete: subscribed topics are refused, others deleted, unknown partitions flagged", async () => {
  const partition = (partitionIndex: number) =>
    createOffsetDeleteRequestPartition({ partitionIndex });
  const active = await b.client.send(
    OffsetDeleteApi,
    0,
    createOffsetDeleteRequest({
      groupId: "g-active",
      topics: [
        createOffsetDeleteRequestTopic({
          name: "events",
          partitions: [partition(0)],
        }),
      ],
    }),
  );
  assert.equal(active.errorCode, ErrorCode.NONE);
  assert.equal(active.topics[0]?.partitions[0]?.errorCode, ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC);

  const idle = await b.client.send(
    OffsetDeleteApi,
    0,
    createOffsetDeleteRequest({
      groupId: "g-idle",
      topics: [
        createOffsetDeleteRequestTopic({
          name: "events",
          partitions: [partition(1), partition(5)],
        }),
        createOffsetDeleteRequestTopic({
          name: "nope",
          partitions: [partition(0)],
        }),
      ],
    }),
  );
  assert.equal(idle.errorCode, ErrorCode.NONE);
  assert.deepEqual(
    idle.topics.flatMap((t) => t.partitions.map((p) => [t.name, p.partitionIndex, p.errorCode])),
    [
      ["events", 1, ErrorCode.NONE],
      ["events", 5, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
      ["nope", 0, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
    ],
  );
  const f = await b.client.send(
    OffsetFetchApi,
    5,
    createOffsetFetchRequest({
      groupId: "g-idle",
      topics: [
        createOffsetFetchRequestTopic({
          name: "events",
          partitionIndexes: [0, 1],
        }),
      ],
    }),
  );
  assert.deepEqual(
    f.topics[0]?.partitions.map((p) => [p.partitionIndex, p.committedOffset]),
    [
      [0, 5n],
      [1, -1n],
    ],
  );

  const missing = await b.client.send(
    OffsetDeleteApi,
    0,
    createOffsetDeleteRequest({
      groupId: "g-missing",
      topics: [
        createOffsetDeleteRequestTopic({
          name: "events",
          partitions: [partition(0)],
        }),
      ],
    }),
  );
  assert.equal(missing.errorCode, ErrorCode.GROUP_ID_NOT_FOUND);
  assert.deepEqual(missing.topics, []);
});

test("DeleteGroups: active groups are refused, empty ones deleted with their offsets", async () => {
  for (const v of [0, 2]) {
    const groupId = `g-del-${v}`;
    await commit(groupId, "other", 0, 3n);
    const r = await b.client.send(
      DeleteGroupsApi,
      v,
      createDeleteGroupsRequest({ groupsNames: [groupId, "g-active", "g-never"] }),
    );
    assert.deepEqual(
      r.results.map((x) => [x.groupId, x.errorCode]),
      [
        [groupId, ErrorCode.NONE],
        ["g-active", ErrorCode.NON_EMPTY_GROUP],
        ["g-never", ErrorCode.GROUP_ID_NOT_FOUND],
      ],
    );
    const f = await b.client.send(
      OffsetFetchApi,
      5,
      createOffsetFetchRequest({
        groupId,
        topics: [createOffsetFetchRequestTopic({ name: "other", partitionIndexes: [0] })],
      }),
    );
    assert.equal(f.topics[0]?.partitions[0]?.committedOffset, -1n);
  }
});
