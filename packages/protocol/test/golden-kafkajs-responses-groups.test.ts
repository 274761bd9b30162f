/**
 * Golden tests against kafkajs 2.2.4's response decoders: offset commit/fetch, coordinator
 * lookup and consumer-group membership APIs.
 * Each response is built with our `create`, framed and encoded with our encoders, read back
 * the way kafkajs's connection does and decoded by kafkajs (`decode`, then `parse`), which
 * must see the same values and read every byte of the body.
 */
import { describe, it } from "node:test";
import {
  createDescribeGroupsResponse,
  createDescribeGroupsResponseDescribedGroup,
  createDescribeGroupsResponseDescribedGroupMember,
  createFindCoordinatorResponse,
  createHeartbeatResponse,
  createJoinGroupResponse,
  createJoinGroupResponseMember,
  createLeaveGroupResponse,
  createLeaveGroupResponseMemberResponse,
  createListGroupsResponse,
  createListGroupsResponseListedGroup,
  createOffsetCommitResponse,
  createOffsetCommitResponsePartition,
  createOffsetCommitResponseTopic,
  createOffsetFetchResponse,
  createOffsetFetchResponsePartition,
  createOffsetFetchResponseTopic,
  createSyncGroupResponse,
  DescribeGroupsApi,
  FindCoordinatorApi,
  HeartbeatApi,
  JoinGroupApi,
  LeaveGroupApi,
  ListGroupsApi,
  OffsetCommitApi,
  OffsetFetchApi,
  SyncGroupApi,
} from "../src/index.js";
import {
  assertFields,
  kjsMemberAssignment,
  kjsMemberMetadata,
  throttle,
  toKafkajs,
  versions,
} from "./helpers/kafkajs.js";

const leaderMetadata = kjsMemberMetadata(["orders", "audit-log"], Buffer.from([9, 9]));
const followerMetadata = kjsMemberMetadata(["orders"]);
const assignment = kjsMemberAssignment({ orders: [0, 1, 2], "audit-log": [1] });

describe("golden kafkajs responses: OffsetCommit", () => {
  for (const v of versions(0, 5)) {
    it(`v${v}`, async () => {
      const value = createOffsetCommitResponse({
        throttleTimeMs: 15,
        topics: [
          createOffsetCommitResponseTopic({
            name: "orders",
            partitions: [
              createOffsetCommitResponsePartition({ partitionIndex: 0 }),
              createOffsetCommitResponsePartition({ partitionIndex: 3 }),
            ],
          }),
        ],
      });
      const seen = await toKafkajs(OffsetCommitApi, "offsetCommit", v, value);
      assertFields(seen, {
        ...(v >= 3 ? throttle(15, 4, v) : {}),
        responses: [
          {
            topic: "orders",
            partitions: [
              { partition: 0, errorCode: 0 },
              { partition: 3, errorCode: 0 },
            ],
          },
        ],
      });
    });
  }
});

describe("golden kafkajs responses: OffsetFetch", () => {
  for (const v of versions(1, 4)) {
    it(`v${v}`, async () => {
      const value = createOffsetFetchResponse({
        throttleTimeMs: 5,
        errorCode: 0,
        topics: [
          createOffsetFetchResponseTopic({
            name: "orders",
            partitions: [
              createOffsetFetchResponsePartition({
                partitionIndex: 0,
                committedOffset: 1001n,
                metadata: "m1",
              }),
              createOffsetFetchResponsePartition({
                partitionIndex: 3,
                committedOffset: -1n,
                metadata: null,
              }),
            ],
          }),
        ],
      });
      const seen = await toKafkajs(OffsetFetchApi, "offsetFetch", v, value);
      assertFields(seen, {
        ...(v >= 3 ? throttle(5, 4, v) : {}),
        ...(v >= 2 ? { errorCode: 0 } : {}),
        responses: [
          {
            topic: "orders",
            partitions: [
              { partition: 0, offset: "1001", metadata: "m1", errorCode: 0 },
              { partition: 3, offset: "-1", metadata: null, errorCode: 0 },
            ],
          },
        ],
      });
    });
  }
});

describe("golden kafkajs responses: FindCoordinator", () => {
  for (const v of versions(0, 2)) {
    it(`v${v}`, async () => {
      const value = createFindCoordinatorResponse({
        throttleTimeMs: 20,
        errorCode: 0,
        errorMessage: v === 2 ? "NONE" : null,
        nodeId: 3,
        host: "broker-3.local",
        port: 19092,
      });
      const seen = await toKafkajs(FindCoordinatorApi, "findCoordinator", v, value);
      assertFields(seen, {
        ...(v >= 1 ? { ...throttle(20, 2, v), errorMessage: v === 2 ? "NONE" : null } : {}),
        errorCode: 0,
        coordinator: { nodeId: 3, host: "broker-3.local", port: 19092 },
      });
    });
  }
});

describe("golden kafkajs responses: JoinGroup", () => {
  for (const v of versions(0, 5)) {
    it(`v${v}`, async () => {
      const value = createJoinGroupResponse({
        throttleTimeMs: 30,
        generationId: 12,
        protocolName: "RoundRobinAssigner",
        leader: "consumer-1-4f6c",
        memberId: "consumer-1-4f6c",
        members: [
          createJoinGroupResponseMember({
            memberId: "consumer-1-4f6c",
            groupInstanceId: "instance-1",
            metadata: leaderMetadata,
          }),
          createJoinGroupResponseMember({
            memberId: "consumer-2-77aa",
            groupInstanceId: null,
            metadata: followerMetadata,
          }),
        ],
      });
      const seen = await toKafkajs(JoinGroupApi, "joinGroup", v, value);
      assertFields(seen, {
        ...(v >= 2 ? throttle(30, 3, v) : {}),
        errorCode: 0,
        generationId: 12,
        groupProtocol: "RoundRobinAssigner",
        leaderId: "consumer-1-4f6c",
        memberId: "consumer-1-4f6c",
        members: [
          {
            memberId: "consumer-1-4f6c",
            ...(v >= 5 ? { groupInstanceId: "instance-1" } : {}),
            memberMetadata: leaderMetadata,
          },
          {
            memberId: "consumer-2-77aa",
            ...(v >= 5 ? { groupInstanceId: null } : {}),
            memberMetadata: followerMetadata,
          },
        ],
      });
    });
  }
});

describe("golden kafkajs responses: Heartbeat", () => {
  for (const v of versions(0, 3)) {
    it(`v${v}`, async () => {
      const seen = await toKafkajs(
        HeartbeatApi,
        "heartbeat",
        v,
        createHeartbeatResponse({ throttleTimeMs: 10, errorCode: 0 }),
      );
      assertFields(seen, { ...(v >= 1 ? throttle(10, 2, v) : {}), errorCode: 0 });
    });
  }
});

describe("golden kafkajs responses: LeaveGroup", () => {
  for (const v of versions(0, 3)) {
    it(`v${v}`, async () => {
      const value = createLeaveGroupResponse({
        throttleTimeMs: 8,
        members: [
          createLeaveGroupResponseMemberResponse({
            memberId: "consumer-1-4f6c",
            groupInstanceId: "instance-1",
          }),
          createLeaveGroupResponseMemberResponse({
            memberId: "consumer-2-77aa",
            groupInstanceId: null,
          }),
        ],
      });
      const seen = await toKafkajs(LeaveGroupApi, "leaveGroup", v, value);
      assertFields(seen, {
        ...(v >= 1 ? throttle(8, 2, v) : {}),
        errorCode: 0,
        ...(v >= 3
          ? {
              members: [
                { memberId: "consumer-1-4f6c", groupInstanceId: "instance-1", errorCode: 0 },
                { memberId: "consumer-2-77aa", groupInstanceId: null, errorCode: 0 },
              ],
            }
          : {}),
      });
    });
  }
});

describe("golden kafkajs responses: SyncGroup", () => {
  for (const v of versions(0, 3)) {
    it(`v${v}`, async () => {
      const value = createSyncGroupResponse({ throttleTimeMs: 3, assignment });
      const seen = await toKafkajs(SyncGroupApi, "syncGroup", v, value);
      assertFields(seen, {
        ...(v >= 1 ? throttle(3, 2, v) : {}),
        errorCode: 0,
        memberAssignment: assignment,
      });
    });
  }
});

describe("golden kafkajs responses: DescribeGroups", () => {
  for (const v of versions(0, 2)) {
    it(`v${v}`, async () => {
      const value = createDescribeGroupsResponse({
        throttleTimeMs: 6,
        groups: [
          createDescribeGroupsResponseDescribedGroup({
            groupId: "billing",
            groupState: "Stable",
            protocolType: "consumer",
            protocolData: "RoundRobinAssigner",
            members: [
              createDescribeGroupsResponseDescribedGroupMember({
                memberId: "consumer-1-4f6c",
                clientId: "golden-kafkajs",
                clientHost: "/10.0.0.7",
                memberMetadata: leaderMetadata,
                memberAssignment: assignment,
              }),
            ],
          }),
          createDescribeGroupsResponseDescribedGroup({
            groupId: "shipping",
            groupState: "Empty",
            protocolType: "consumer",
            protocolData: "",
          }),
        ],
      });
      const seen = await toKafkajs(DescribeGroupsApi, "describeGroups", v, value);
      assertFields(seen, {
        ...(v >= 1 ? throttle(6, 2, v) : {}),
        groups: [
          {
            errorCode: 0,
            groupId: "billing",
            state: "Stable",
            protocolType: "consumer",
            protocol: "RoundRobinAssigner",
            members: [
              {
                memberId: "consumer-1-4f6c",
                clientId: "golden-kafkajs",
                clientHost: "/10.0.0.7",
                memberMetadata: leaderMetadata,
                memberAssignment: assignment,
              },
            ],
          },
          {
            errorCode: 0,
            groupId: "shipping",
            state: "Empty",
            protocolType: "consumer",
            protocol: "",
            members: [],
          },
        ],
      });
    });
  }
});

describe("golden kafkajs responses: ListGroups", () => {
  for (const v of versions(0, 2)) {
    it(`v${v}`, async () => {
      const value = createListGroupsResponse({
        throttleTimeMs: 4,
        groups: [
          createListGroupsResponseListedGroup({ groupId: "billing", protocolType: "consumer" }),
          createListGroupsResponseListedGroup({ groupId: "connect-sink", protocolType: "connect" }),
        ],
      });
      const seen = await toKafkajs(ListGroupsApi, "listGroups", v, value);
      assertFields(seen, {
        ...(v >= 1 ? throttle(4, 2, v) : {}),
        errorCode: 0,
        groups: [
          { groupId: "billing", protocolType: "consumer" },
          { groupId: "connect-sink", protocolType: "connect" },
        ],
      });
    });
  }
});
