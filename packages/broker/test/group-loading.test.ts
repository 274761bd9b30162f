/**
 * What group requests get while the coordinator replays __consumer_offsets
 * (COORDINATOR_LOAD_IN_PROGRESS, which clients retry) and after a failed load
 * (COORDINATOR_NOT_AVAILABLE), in every version layout that carries the error
 * differently. Handlers run on encoded and decoded frames, as on the wire.
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import type { GroupCoordinatorApi } from "@logbook/group-coordinator";
import {
  type ApiCodec,
  ConsumerGroupDescribeApi,
  ConsumerGroupHeartbeatApi,
  createConsumerGroupDescribeRequest,
  createConsumerGroupHeartbeatRequest,
  createFindCoordinatorRequest,
  createJoinGroupRequest,
  createLeaveGroupRequest,
  createListGroupsRequest,
  createOffsetCommitRequest,
  createOffsetCommitRequestPartition,
  createOffsetCommitRequestTopic,
  createOffsetFetchRequest,
  createOffsetFetchRequestGroup,
  createOffsetFetchRequestTopic,
  decodeRequestFrame,
  decodeResponseFrame,
  ErrorCode,
  encodeRequestFrame,
  encodeResponseFrame,
  FindCoordinatorApi,
  JoinGroupApi,
  LeaveGroupApi,
  ListGroupsApi,
  OffsetCommitApi,
  OffsetFetchApi,
} from "@logbook/protocol";
import { MemoryEngine, realClock, silentLogger } from "@logbook/storage";
import { BrokerGroups } from "../src/groups/index.js";
import { NO_RESPONSE } from "../src/handler.js";
import { plaintextSession } from "../src/server/client-session.js";
import { TestTopics } from "./helpers/data-broker.js";
import { type TestServices, testServices } from "./helpers/test-services.js";

const storage = new MemoryEngine({ clock: realClock() });
const topics = new TestTopics(storage);
topics.add("t", 2);

function servicesWith(groups: BrokerGroups): TestServices {
  return testServices({ storage, topics, groups });
}

async function call<Req, Res>(
  broker: TestServices,
  api: ApiCodec<Req, Res>,
  version: number,
  request: Req,
): Promise<Res> {
  const handler = broker.registry.get(api.apiKey);
  if (handler === undefined) throw new Error(`no handler for ${api.name}`);
  const frame = encodeRequestFrame(api, version, { correlationId: 1, clientId: "t" }, request);
  const decoded = decodeRequestFrame(api, frame.subarray(4));
  const res = await handler.handle(decoded.body, {
    header: decoded.header,
    version,
    broker,
    peer: "127.0.0.1:1",
    session: plaintextSession("127.0.0.1:1"),
  });
  if (res === NO_RESPONSE) throw new Error("no response");
  const out = encodeResponseFrame(handler.api, version, 1, res);
  return decodeResponseFrame(api, version, out.subarray(4)).body;
}

async function expectGroupErrors(broker: TestServices, code: number): Promise<void> {
  for (const v of [0, 6, 9]) {
    const j = await call(broker, JoinGroupApi, v, createJoinGroupRequest({ groupId: "g" }));
    assert.equal(j.errorCode, code, `JoinGroup v${v}`);
  }
  assert.equal(
    (await call(broker, LeaveGroupApi, 3, createLeaveGroupRequest({ groupId: "g" }))).errorCode,
    code,
  );
  const commit = await call(
    broker,
    OffsetCommitApi,
    2,
    createOffsetCommitRequest({
      groupId: "g",
      topics: [
        createOffsetCommitRequestTopic({
          name: "t",
          partitions: [0, 7].map((partitionIndex) =>
            createOffsetCommitRequestPartition({
              partitionIndex,
              committedMetadata: "",
            }),
          ),
        }),
      ],
    }),
  );
  assert.deepEqual(
    commit.topics[0]?.partitions.map((p) => p.errorCode),
    [code, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
  );
  const wanted = [createOffsetFetchRequestTopic({ name: "t", partitionIndexes: [0, 1] })];
  // v1: no top-level error, so every partition carries it.
  const f1 = await call(
    broker,
    OffsetFetchApi,
    1,
    createOffsetFetchRequest({ groupId: "g", topics: wanted }),
  );
  assert.deepEqual(
    f1.topics[0]?.partitions.map((p) => [p.partitionIndex, p.committedOffset, p.errorCode]),
    [
      [0, -1n, code],
      [1, -1n, code],
    ],
  );
  const f2 = await call(
    broker,
    OffsetFetchApi,
    2,
    createOffsetFetchRequest({ groupId: "g", topics: wanted }),
  );
  assert.equal(f2.errorCode, code);
  assert.deepEqual(f2.topics, []);
  const f8 = await call(
    broker,
    OffsetFetchApi,
    8,
    createOffsetFetchRequest({
      groups: [createOffsetFetchRequestGroup({ groupId: "g", topics: null })],
    }),
  );
  assert.deepEqual(
    f8.groups.map((g) => [g.groupId, g.errorCode]),
    [["g", code]],
  );
  assert.equal((await call(broker, ListGroupsApi, 3, createListGroupsRequest())).errorCode, code);
  for (const v of [0, 1]) {
    const hb = await call(
      broker,
      ConsumerGroupHeartbeatApi,
      v,
      createConsumerGroupHeartbeatRequest({ groupId: "g", memberId: "m", memberEpoch: 1 }),
    );
    assert.equal(hb.errorCode, code, `ConsumerGroupHeartbeat v${v}`);
    const described = await call(
      broker,
      ConsumerGroupDescribeApi,
      v,
      createConsumerGroupDescribeRequest({ groupIds: ["g", "h"] }),
    );
    assert.deepEqual(
      described.groups.map((g) => [g.groupId, g.errorCode]),
      [
        ["g", code],
        ["h", code],
      ],
    );
  }
}

test("while the coordinator loads, group requests get COORDINATOR_LOAD_IN_PROGRESS and FindCoordinator this node", async () => {
  let finish: (c: GroupCoordinatorApi) => void = () => {};
  const load = new Promise<GroupCoordinatorApi>((resolve) => {
    finish = resolve;
  });
  const groups = BrokerGroups.fromLoad(load, topics, silentLogger);
  const broker = servicesWith(groups);
  await expectGroupErrors(broker, ErrorCode.COORDINATOR_LOAD_IN_PROGRESS);
  const fc = await call(broker, FindCoordinatorApi, 0, createFindCoordinatorRequest({ key: "g" }));
  assert.deepEqual([fc.errorCode, fc.port], [ErrorCode.NONE, 9092]);

  // Once loaded, requests reach the coordinator.
  const listed: string[] = [];
  finish({
    listGroups: async () => {
      listed.push("called");
      return { errorCode: ErrorCode.NONE, groups: [] };
    },
    close: async () => {},
  } as unknown as GroupCoordinatorApi);
  await groups.ready;
  assert.equal(
    (await call(broker, ListGroupsApi, 3, createListGroupsRequest())).errorCode,
    ErrorCode.NONE,
  );
  assert.deepEqual(listed, ["called"]);
  await groups.close();
  assert.equal(
    (await call(broker, ListGroupsApi, 3, createListGroupsRequest())).errorCode,
    ErrorCode.COORDINATOR_NOT_AVAILABLE,
    "after close",
  );
  await broker.close();
});

test("a failed load answers COORDINATOR_NOT_AVAILABLE, FindCoordinator included", async () => {
  const groups = BrokerGroups.fromLoad(
    Promise.reject(new Error("disk on fire")),
    topics,
    silentLogger,
  );
  await assert.rejects(groups.ready, /disk on fire/);
  const broker = servicesWith(groups);
  await expectGroupErrors(broker, ErrorCode.COORDINATOR_NOT_AVAILABLE);
  for (const v of [0, 3]) {
    const fc = await call(
      broker,
      FindCoordinatorApi,
      v,
      createFindCoordinatorRequest({ key: "g" }),
    );
    assert.equal(fc.errorCode, ErrorCode.COORDINATOR_NOT_AVAILABLE);
  }
  const batched = await call(
    broker,
    FindCoordinatorApi,
    4,
    createFindCoordinatorRequest({ coordinatorKeys: ["a", "b"] }),
  );
  assert.deepEqual(
    batched.coordinators.map((c) => c.errorCode),
    [ErrorCode.COORDINATOR_NOT_AVAILABLE, ErrorCode.COORDINATOR_NOT_AVAILABLE],
  );
  await groups.close();
  await broker.close();
});
