/**
 * Golden tests against kafkajs 2.2.4's request encoders: consumer-group membership APIs.
 * Each request is built by kafkajs and framed by kafkajs (size + header v1 + body), then
 * decoded with our header and request codecs: the fields must equal what kafkajs was given,
 * every byte must be consumed, and re-encoding must reproduce the frame byte for byte.
 */
import { describe, it } from "node:test";
import {
  DescribeGroupsApi,
  HeartbeatApi,
  JoinGroupApi,
  LeaveGroupApi,
  ListGroupsApi,
  SyncGroupApi,
} from "../src/index.js";
import {
  assertFields,
  kjsMemberAssignment,
  kjsMemberMetadata,
  versions,
  viaKafkajs,
} from "./helpers/kafkajs.js";

describe("golden kafkajs requests: JoinGroup", () => {
  const roundRobin = kjsMemberMetadata(["orders", "audit-log"], Buffer.from([1, 2, 3]));
  const range = kjsMemberMetadata(["orders"]);
  for (const v of versions(0, 5)) {
    it(`v${v}`, async () => {
      const body = await viaKafkajs(JoinGroupApi, "joinGroup", v, {
        groupId: "billing",
        sessionTimeout: 30_000,
        rebalanceTimeout: 60_000,
        memberId: v === 0 ? "" : "consumer-1-4f6c",
        groupInstanceId: "instance-1",
        protocolType: "consumer",
        groupProtocols: [
          { name: "RoundRobinAssigner", metadata: roundRobin },
          { name: "range", metadata: range },
        ],
      });
      assertFields(body, {
        groupId: "billing",
        sessionTimeoutMs: 30_000,
        ...(v >= 1 ? { rebalanceTimeoutMs: 60_000 } : {}),
        memberId: v === 0 ? "" : "consumer-1-4f6c",
        ...(v >= 5 ? { groupInstanceId: "instance-1" } : {}),
        protocolType: "consumer",
        protocols: [
          { name: "RoundRobinAssigner", metadata: roundRobin },
          { name: "range", metadata: range },
        ],
      });
    });
  }
});

describe("golden kafkajs requests: Heartbeat", () => {
  for (const v of versions(0, 3)) {
    it(`v${v}`, async () => {
      const body = await viaKafkajs(HeartbeatApi, "heartbeat", v, {
        groupId: "billing",
        groupGenerationId: 12,
        memberId: "consumer-1-4f6c",
        groupInstanceId: "instance-1",
      });
      assertFields(body, {
        groupId: "billing",
        generationId: 12,
        memberId: "consumer-1-4f6c",
        ...(v >= 3 ? { groupInstanceId: "instance-1" } : {}),
      });
    });
  }
  it("v3 without a group instance id", async () => {
    const body = await viaKafkajs(HeartbeatApi, "heartbeat", 3, {
      groupId: "billing",
      groupGenerationId: -1,
      memberId: "",
    });
    assertFields(body, {
      groupId: "billing",
      generationId: -1,
      memberId: "",
      groupInstanceId: null,
    });
  });
});

describe("golden kafkajs requests: LeaveGroup", () => {
  for (const v of versions(0, 2)) {
    it(`v${v}`, async () => {
      const body = await viaKafkajs(LeaveGroupApi, "leaveGroup", v, {
        groupId: "billing",
        memberId: "consumer-1-4f6c",
      });
      assertFields(body, { groupId: "billing", memberId: "consumer-1-4f6c" });
    });
  }
  it("v3", async () => {
    const body = await viaKafkajs(LeaveGroupApi, "leaveGroup", 3, {
      groupId: "billing",
      members: [
        { memberId: "consumer-1-4f6c", groupInstanceId: "instance-1" },
        { memberId: "consumer-2-77aa" },
      ],
    });
    assertFields(body, {
      groupId: "billing",
      members: [
        { memberId: "consumer-1-4f6c", groupInstanceId: "instance-1" },
        { memberId: "consumer-2-77aa", groupInstanceId: null },
      ],
    });
  });
});

describe("golden kafkajs requests: SyncGroup", () => {
  const first = kjsMemberAssignment({ orders: [0, 1, 2], "audit-log": [1] });
  for (const v of versions(0, 3)) {
    it(`v${v}`, async () => {
      const body = await viaKafkajs(SyncGroupApi, "syncGroup", v, {
        groupId: "billing",
        generationId: 12,
        memberId: "consumer-1-4f6c",
        groupInstanceId: "instance-1",
        groupAssignment: [
          { memberId: "consumer-1-4f6c", memberAssignment: first },
          { memberId: "consumer-2-77aa", memberAssignment: Buffer.alloc(0) },
        ],
      });
      assertFields(body, {
        groupId: "billing",
        generationId: 12,
        memberId: "consumer-1-4f6c",
        ...(v >= 3 ? { groupInstanceId: "instance-1" } : {}),
        assignments: [
          { memberId: "consumer-1-4f6c", assignment: first },
          { memberId: "consumer-2-77aa", assignment: Buffer.alloc(0) },
        ],
      });
    });
  }
});

describe("golden kafkajs requests: DescribeGroups", () => {
  for (const v of versions(0, 2)) {
    it(`v${v}`, async () => {
      const body = await viaKafkajs(DescribeGroupsApi, "describeGroups", v, {
        groupIds: ["billing", "shipping"],
      });
      assertFields(body, { groups: ["billing", "shipping"] });
    });
  }
});

describe("golden kafkajs requests: ListGroups", () => {
  for (const v of versions(0, 2)) {
    it(`v${v} (empty body)`, async () => {
      const body = await viaKafkajs(ListGroupsApi, "listGroups", v);
      // No fields exist before v4: the frame is just the header.
      assertFields(body, { statesFilter: [], typesFilter: [] });
    });
  }
});
