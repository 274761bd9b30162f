/**
 * Metadata, DescribeTopicPartitions, DescribeCluster and FindCoordinator over a shared
 * engine: the live brokers of the membership (a fake here; the PostgreSQL one is tested
 * in packages/storage), partition leaders spread by rendezvous hashing at the
 * generation's epoch, the controller the lowest live id, the group coordinator the
 * leader of the group's __consumer_offsets partition, requests' current leader epoch
 * checked against the generation. This broker is node 0 at
 * 127.0.0.1:9092 (testServices).
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
  createDescribeClusterRequest,
  createDescribeTopicPartitionsRequest,
  createFindCoordinatorRequest,
  createListOffsetsRequest,
  createListOffsetsRequestPartition,
  createListOffsetsRequestTopic,
  createMetadataRequest,
  DescribeClusterApi,
  DescribeTopicPartitionsApi,
  ErrorCode,
  FetchApi,
  FindCoordinatorApi,
  ListOffsetsApi,
  MetadataApi,
  type MetadataResponse,
} from "@logbook/protocol";
import type { LiveBroker } from "@logbook/storage";
import { rendezvousOwner } from "../src/cluster/rendezvous.js";
import { partitionKey } from "../src/groups/partition-keys.js";
import { type DataTestBroker, dataTestBroker } from "./helpers/data-broker.js";
import { fetchedPartitions, fetchRequest } from "./helpers/data-requests.js";

function node(nodeId: number, listener = "PLAINTEXT", rack: string | null = null): LiveBroker {
  return {
    nodeId,
    rack,
    endpoints: [
      { listener, host: `broker-${nodeId}`, port: 9092 + nodeId, securityProtocol: "PLAINTEXT" },
    ],
  };
}

/** The fake membership: the test sets who is live and the generation. */
const members = { brokers: [] as LiveBroker[], generation: 0, live: () => members.brokers };
const PARTITIONS = 30;
let b: DataTestBroker;

before(async () => {
  b = await dataTestBroker("memory:", undefined, { cluster: members });
  b.topics.add("spread", PARTITIONS);
});
after(() => b.close());

async function leaders(): Promise<{ response: MetadataResponse; leaders: number[] }> {
  const response = await b.call(MetadataApi, 12, createMetadataRequest({ topics: null }));
  const topic = response.topics.find((t) => t.name === "spread");
  assert.ok(topic);
  const sorted = [...topic.partitions].sort((x, y) => x.partitionIndex - y.partitionIndex);
  return { response, leaders: sorted.map((p) => p.leaderId) };
}

test("Metadata lists every live broker and spreads the leaders at the generation's epoch", async () => {
  members.brokers = [node(0), node(1), node(2, "PLAINTEXT", "rack-2")];
  members.generation = 7;
  const { response, leaders: led } = await leaders();
  assert.deepEqual(
    response.brokers.map((x) => [x.nodeId, x.host, x.port, x.rack]),
    [
      [0, "127.0.0.1", 9092, null],
      [1, "broker-1", 9093, null],
      [2, "broker-2", 9094, "rack-2"],
    ],
  );
  assert.equal(response.controllerId, 0);
  assert.deepEqual(new Set(led), new Set([0, 1, 2]), "every live broker leads some partition");
  for (let p = 0; p < PARTITIONS; p++)
    assert.equal(led[p], rendezvousOwner(partitionKey("spread", p), [0, 1, 2]));
  const topic = response.topics.find((t) => t.name === "spread");
  for (const p of topic?.partitions ?? []) {
    assert.equal(p.errorCode, ErrorCode.NONE);
    assert.equal(p.leaderEpoch, 7);
    assert.deepEqual(p.replicaNodes, [p.leaderId]);
    assert.deepEqual(p.isrNodes, [p.leaderId]);
  }
  const described = await b.call(
    DescribeTopicPartitionsApi,
    0,
    createDescribeTopicPartitionsRequest({ topics: [{ name: "spread" }] }),
  );
  const partitions = described.topics[0]?.partitions ?? [];
  assert.deepEqual(
    partitions.map((p) => [p.leaderId, p.leaderEpoch]),
    led.map((l) => [l, 7]),
    "DescribeTopicPartitions agrees with Metadata",
  );
});

test("a broker leaving moves only its partitions, and the epoch rises with the generation", async () => {
  members.brokers = [node(0), node(1), node(2)];
  members.generation = 7;
  const before = (await leaders()).leaders;
  members.brokers = [node(0), node(2)];
  members.generation = 8;
  const { response, leaders: after } = await leaders();
  assert.deepEqual(
    response.brokers.map((x) => x.nodeId),
    [0, 2],
  );
  for (let p = 0; p < PARTITIONS; p++) {
    if (before[p] === 1) assert.ok(after[p] === 0 || after[p] === 2);
    else assert.equal(after[p], before[p]);
  }
  const epochs = response.topics.flatMap((t) => t.partitions.map((p) => p.leaderEpoch));
  assert.ok(epochs.every((e) => e === 8));
});

test("a leader without an endpoint on the request's listener: not listed, its partitions LISTENER_NOT_FOUND", async () => {
  members.brokers = [node(0), node(1, "INTERNAL")];
  members.generation = 9;
  const { response, leaders: led } = await leaders();
  assert.deepEqual(
    response.brokers.map((x) => x.nodeId),
    [0],
  );
  const topic = response.topics.find((t) => t.name === "spread");
  for (const p of topic?.partitions ?? []) {
    const owner = rendezvousOwner(partitionKey("spread", p.partitionIndex), [0, 1]);
    if (owner === 1) {
      assert.equal(p.errorCode, ErrorCode.LISTENER_NOT_FOUND);
      assert.equal(p.leaderId, -1);
      assert.deepEqual(p.offlineReplicas, [1]);
    } else {
      assert.equal(p.errorCode, ErrorCode.NONE);
      assert.equal(p.leaderId, 0);
    }
  }
  assert.ok(led.includes(-1) && led.includes(0));
});

test("DescribeCluster: the live brokers and the lowest live id as controller", async () => {
  // This broker (0) was found expired: the others carry on without it.
  members.brokers = [node(3), node(1, "PLAINTEXT", "r1")];
  members.generation = 10;
  const r = await b.call(DescribeClusterApi, 1, createDescribeClusterRequest({}));
  assert.equal(r.controllerId, 1);
  assert.deepEqual(
    r.brokers.map((x) => [x.brokerId, x.host, x.port, x.rack]),
    [
      [1, "broker-1", 9093, "r1"],
      [3, "broker-3", 9095, null],
    ],
  );
  const md = await b.call(MetadataApi, 1, createMetadataRequest({ topics: null }));
  assert.equal(md.controllerId, 1);
  members.brokers = [node(1, "INTERNAL"), node(3)];
  const hidden = await b.call(DescribeClusterApi, 0, createDescribeClusterRequest({}));
  assert.equal(hidden.controllerId, -1, "the controller has no endpoint on this listener");
});

test("FindCoordinator answers the leader of the group's __consumer_offsets partition at its endpoint", async () => {
  // Brokers other than this one, so the coordinator is always reached through the view.
  members.brokers = [node(1), node(2), node(4)];
  members.generation = 11;
  const coordinator = rendezvousOwner(partitionKey("__consumer_offsets", 0), [1, 2, 4]);
  const expected = [coordinator, `broker-${coordinator}`, 9092 + coordinator];
  const v4 = await b.call(
    FindCoordinatorApi,
    4,
    createFindCoordinatorRequest({ keyType: 0, coordinatorKeys: ["g1", "g2"] }),
  );
  for (const c of v4.coordinators) {
    assert.equal(c.errorCode, ErrorCode.NONE);
    assert.deepEqual([c.nodeId, c.host, c.port], expected);
  }
  const v1 = await b.call(FindCoordinatorApi, 1, createFindCoordinatorRequest({ key: "g1" }));
  assert.equal(v1.errorCode, ErrorCode.NONE);
  assert.deepEqual([v1.nodeId, v1.host, v1.port], expected);
  // The coordinator is not reachable on this listener: not available, as Kafka answers.
  members.brokers = members.brokers.map((x) =>
    x.nodeId === coordinator ? node(x.nodeId, "INTERNAL") : x,
  );
  const hidden = await b.call(FindCoordinatorApi, 1, createFindCoordinatorRequest({ key: "g1" }));
  assert.equal(hidden.errorCode, ErrorCode.COORDINATOR_NOT_AVAILABLE);
});

test("Fetch and ListOffsets check current_leader_epoch against the generation Metadata reports", async () => {
  members.brokers = [node(0), node(1)];
  members.generation = 12;
  const fetchAt = async (epoch: number) => {
    const req = fetchRequest([{ topic: "spread", partition: 0, offset: 0n }]);
    for (const t of req.topics) for (const p of t.partitions) p.currentLeaderEpoch = epoch;
    const res = await b.call(FetchApi, 12, req);
    return fetchedPartitions(res).get("spread:0")?.errorCode;
  };
  assert.equal(await fetchAt(12), ErrorCode.NONE);
  assert.equal(await fetchAt(-1), ErrorCode.NONE);
  assert.equal(await fetchAt(11), ErrorCode.FENCED_LEADER_EPOCH);
  assert.equal(await fetchAt(13), ErrorCode.UNKNOWN_LEADER_EPOCH);
  const listAt = async (currentLeaderEpoch: number) => {
    const res = await b.call(
      ListOffsetsApi,
      7,
      createListOffsetsRequest({
        replicaId: -1,
        topics: [
          createListOffsetsRequestTopic({
            name: "spread",
            partitions: [
              createListOffsetsRequestPartition({
                partitionIndex: 0,
                currentLeaderEpoch,
                timestamp: -1n,
              }),
            ],
          }),
        ],
      }),
    );
    return res.topics[0]?.partitions[0]?.errorCode;
  };
  assert.equal(await listAt(12), ErrorCode.NONE);
  assert.equal(await listAt(0), ErrorCode.FENCED_LEADER_EPOCH);
});

test("before the membership knows anyone, this broker answers alone at the generation's epoch", async () => {
  members.brokers = [];
  members.generation = 3;
  const { response, leaders: led } = await leaders();
  assert.deepEqual(
    response.brokers.map((x) => [x.nodeId, x.host, x.port]),
    [[0, "127.0.0.1", 9092]],
  );
  assert.equal(response.controllerId, 0);
  assert.ok(led.every((l) => l === 0));
  const epochs = response.topics.flatMap((t) => t.partitions.map((p) => p.leaderEpoch));
  assert.ok(epochs.every((e) => e === 3));
});
