/**
 * Cluster-level APIs over the wire: DescribeCluster (v0-v1), DescribeLogDirs (v0-v4)
 * and DescribeTopicPartitions (v0) with its cursor and partition limit.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
  buildBatch,
  CreateTopicsApi,
  createCreateTopicsRequest,
  createCreateTopicsRequestCreatableTopic,
  createDescribeClusterRequest,
  createDescribeLogDirsRequest,
  createDescribeLogDirsRequestDescribableLogDirTopic,
  createDescribeTopicPartitionsRequest,
  createDescribeTopicPartitionsRequestCursor,
  createDescribeTopicPartitionsRequestTopicRequest,
  createMetadataRequest,
  DescribeClusterApi,
  DescribeLogDirsApi,
  DescribeTopicPartitionsApi,
  type DescribeTopicPartitionsRequestCursor,
  type DescribeTopicPartitionsResponse,
  ErrorCode,
  MetadataApi,
} from "@logbook/protocol";
import { startTestBroker, type TestBroker } from "./helpers/admin-broker.js";

let b: TestBroker;
before(async () => {
  b = await startTestBroker({ clusterId: "test-cluster-1" });
  const topics = [
    createCreateTopicsRequestCreatableTopic({
      name: "a-topic",
      numPartitions: 3,
      replicationFactor: 1,
    }),
    createCreateTopicsRequestCreatableTopic({
      name: "b-topic",
      numPartitions: 2,
      replicationFactor: 1,
    }),
    createCreateTopicsRequestCreatableTopic({
      name: "c-topic",
      numPartitions: 1,
      replicationFactor: 1,
    }),
  ];
  await b.client.send(CreateTopicsApi, 4, createCreateTopicsRequest({ topics }));
});
after(async () => {
  await b.stop();
});

test("DescribeCluster v0-v1: cluster id, the one broker, the controller; controllers endpoint refused", async () => {
  for (let v = 0; v <= 1; v++) {
    const r = await b.client.send(DescribeClusterApi, v, createDescribeClusterRequest({}));
    assert.equal(r.errorCode, ErrorCode.NONE);
    assert.equal(r.clusterId, "test-cluster-1");
    assert.equal(r.controllerId, 0);
    assert.deepEqual(
      r.brokers.map((x) => [x.brokerId, x.host, x.port, x.rack]),
      [[0, "127.0.0.1", b.port, null]],
    );
  }
  const ctl = await b.client.send(
    DescribeClusterApi,
    1,
    createDescribeClusterRequest({ endpointType: 2 }),
  );
  assert.equal(ctl.errorCode, ErrorCode.UNSUPPORTED_ENDPOINT_TYPE);
  const md = await b.client.send(MetadataApi, 2, createMetadataRequest({ topics: [] }));
  assert.equal(md.clusterId, "test-cluster-1");
});

test("DescribeLogDirs v0-v4: one log dir with per-partition sizes", async () => {
  const log = await b.broker.topics.partition("a-topic", 1);
  assert.ok(log);
  await log.append(await buildBatch([{ timestamp: 1n, key: null, value: Buffer.alloc(100) }]));
  for (let v = 0; v <= 4; v++) {
    const r = await b.client.send(
      DescribeLogDirsApi,
      v,
      createDescribeLogDirsRequest({ topics: null }),
    );
    assert.equal(r.results.length, 1);
    const dir = r.results[0];
    assert.equal(dir?.logDir, b.dir);
    assert.equal(dir?.errorCode, ErrorCode.NONE);
    const a = dir?.topics.find((t) => t.name === "a-topic");
    assert.deepEqual(
      a?.partitions.map((p) => p.partitionIndex),
      [0, 1, 2],
    );
    assert.equal(a?.partitions[1]?.partitionSize, BigInt(log.sizeInBytes));
    assert.ok((a?.partitions[1]?.partitionSize ?? 0n) > 100n);
    assert.equal(a?.partitions[0]?.partitionSize, 0n);
    assert.equal(
      dir?.topics.some((t) => t.name === "__cluster_metadata"),
      false,
    );
    if (v >= 4) assert.ok((dir?.totalBytes ?? 0n) > 0n && (dir?.usableBytes ?? 0n) > 0n);
  }
  const some = await b.client.send(
    DescribeLogDirsApi,
    2,
    createDescribeLogDirsRequest({
      topics: [
        createDescribeLogDirsRequestDescribableLogDirTopic({
          topic: "b-topic",
          partitions: [1, 7],
        }),
        createDescribeLogDirsRequestDescribableLogDirTopic({ topic: "nope", partitions: [0] }),
      ],
    }),
  );
  assert.deepEqual(
    some.results[0]?.topics.map((t) => [t.name, t.partitions.map((p) => p.partitionIndex)]),
    [["b-topic", [1]]],
  );
});

test("DescribeTopicPartitions: all topics, named ones, unknown ones, paging with a cursor", async () => {
  const all = await b.client.send(
    DescribeTopicPartitionsApi,
    0,
    createDescribeTopicPartitionsRequest({}),
  );
  assert.deepEqual(
    all.topics.map((t) => [t.name, t.partitions.length]),
    [
      ["a-topic", 3],
      ["b-topic", 2],
      ["c-topic", 1],
    ],
  );
  assert.equal(all.nextCursor, null);
  assert.deepEqual(all.topics[0]?.topicId, b.broker.topics.get("a-topic")?.id);
  assert.deepEqual(all.topics[0]?.partitions[2]?.replicaNodes, [0]);

  const named = await b.client.send(
    DescribeTopicPartitionsApi,
    0,
    createDescribeTopicPartitionsRequest({
      topics: ["c-topic", "zz-missing"].map((name) =>
        createDescribeTopicPartitionsRequestTopicRequest({ name }),
      ),
    }),
  );
  assert.deepEqual(
    named.topics.map((t) => [t.name, t.errorCode]),
    [
      ["c-topic", ErrorCode.NONE],
      ["zz-missing", ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
    ],
  );

  const seen: string[] = [];
  let cursor: DescribeTopicPartitionsRequestCursor | null = null;
  let pages = 0;
  do {
    const page: DescribeTopicPartitionsResponse = await b.client.send(
      DescribeTopicPartitionsApi,
      0,
      createDescribeTopicPartitionsRequest({ responsePartitionLimit: 2, cursor }),
    );
    for (const t of page.topics)
      for (const p of t.partitions) seen.push(`${t.name}-${p.partitionIndex}`);
    cursor =
      page.nextCursor === null
        ? null
        : createDescribeTopicPartitionsRequestCursor({
            topicName: page.nextCursor.topicName,
            partitionIndex: page.nextCursor.partitionIndex,
          });
    pages++;
  } while (cursor !== null && pages < 10);
  assert.deepEqual(seen, [
    "a-topic-0",
    "a-topic-1",
    "a-topic-2",
    "b-topic-0",
    "b-topic-1",
    "c-topic-0",
  ]);
  assert.equal(pages, 3);
});
