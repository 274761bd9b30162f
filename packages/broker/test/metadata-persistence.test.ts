/**
 * The metadata log: topics, ids, partition counts, configs and the cluster id survive
 * a restart; deletions stay deleted; the log itself is a compacted internal partition.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  CreatePartitionsApi,
  CreateTopicsApi,
  createCreatePartitionsRequest,
  createCreatePartitionsRequestTopic,
  createCreateTopicsRequest,
  createCreateTopicsRequestCreatableTopic,
  createCreateTopicsRequestCreatableTopicConfig,
  createDeleteTopicsRequest,
  createIncrementalAlterConfigsRequest,
  createIncrementalAlterConfigsRequestAlterableConfig,
  createIncrementalAlterConfigsRequestResource,
  createMetadataRequest,
  DeleteTopicsApi,
  ErrorCode,
  IncrementalAlterConfigsApi,
  MetadataApi,
} from "@logbook/protocol";
import { startTestBroker } from "./helpers/admin-broker.js";

test("topics, ids, partitions, configs and the cluster id survive restarts", async () => {
  const b = await startTestBroker();
  try {
    const topics = ["keep-a", "keep-b", "gone"].map((name) =>
      createCreateTopicsRequestCreatableTopic({
        name,
        numPartitions: 2,
        replicationFactor: 1,
        configs:
          name === "keep-a"
            ? [
                createCreateTopicsRequestCreatableTopicConfig({
                  name: "retention.ms",
                  value: "12345",
                }),
              ]
            : [],
      }),
    );
    const created = await b.client.send(CreateTopicsApi, 7, createCreateTopicsRequest({ topics }));
    assert.ok(created.topics.every((t) => t.errorCode === ErrorCode.NONE));
    await b.client.send(
      CreatePartitionsApi,
      1,
      createCreatePartitionsRequest({
        topics: [
          createCreatePartitionsRequestTopic({
            name: "keep-b",
            count: 5,
            assignments: null,
          }),
        ],
      }),
    );
    await b.client.send(
      IncrementalAlterConfigsApi,
      1,
      createIncrementalAlterConfigsRequest({
        resources: [
          createIncrementalAlterConfigsRequestResource({
            resourceType: 2,
            resourceName: "keep-b",
            configs: [
              createIncrementalAlterConfigsRequestAlterableConfig({
                name: "cleanup.policy",
                configOperation: 0,
                value: "compact",
              }),
            ],
          }),
        ],
      }),
    );
    await b.client.send(DeleteTopicsApi, 4, createDeleteTopicsRequest({ topicNames: ["gone"] }));
    const before = await b.client.send(MetadataApi, 12, createMetadataRequest({ topics: null }));
    const ids = new Map(before.topics.map((t) => [t.name, t.topicId]));

    for (let round = 0; round < 2; round++) {
      await b.restart();
      const after = await b.client.send(MetadataApi, 12, createMetadataRequest({ topics: null }));
      assert.equal(after.clusterId, before.clusterId, "the generated cluster id is stable");
      assert.deepEqual(
        after.topics.map((t) => t.name),
        ["keep-a", "keep-b"],
      );
      for (const t of after.topics) assert.deepEqual(t.topicId, ids.get(t.name ?? ""));
      assert.deepEqual(
        after.topics.map((t) => t.partitions.length),
        [2, 5],
      );
      const a = b.broker.topics.get("keep-a");
      const kb = b.broker.topics.get("keep-b");
      assert.equal(a?.overrides.get("retention.ms"), "12345");
      assert.equal(a?.logConfig.retentionMs, 12345);
      assert.equal(kb?.overrides.get("cleanup.policy"), "compact");
      assert.deepEqual((await b.broker.topics.partition("keep-b", 4))?.config.cleanupPolicy, {
        compact: true,
        delete: false,
      });
      assert.equal(b.broker.topics.get("gone"), undefined);
    }
    const metaLog = (await b.broker.storage.list()).find((tp) => tp.topic === "__cluster_metadata");
    assert.deepEqual(metaLog, { topic: "__cluster_metadata", partition: 0 });
  } finally {
    await b.stop();
  }
});

test("a configured cluster id wins over the stored one", async () => {
  const b = await startTestBroker();
  try {
    await b.restart({ clusterId: "fixed-id" });
    const r = await b.client.send(MetadataApi, 4, createMetadataRequest({ topics: [] }));
    assert.equal(r.clusterId, "fixed-id");
  } finally {
    await b.stop();
  }
});
