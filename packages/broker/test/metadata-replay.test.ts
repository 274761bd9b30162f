/**
 * The metadata shard's replay function: the one path by which topics, overrides and the
 * cluster id change, at start-up and after each append.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  createConfigRecord,
  createConfigRecordConfigEntry,
  createTopicRecord,
} from "@logbook/protocol";
import { logConfig } from "@logbook/storage";
import type { MetadataEvent } from "../src/metadata/metadata-records.js";
import { ResourceType } from "../src/metadata/metadata-records.js";
import { emptyMetadataState, metadataReplay } from "../src/metadata/metadata-state.js";
import type { TopicInfo } from "../src/topics.js";

const replay = metadataReplay(
  (name, id, partitions, overrides): TopicInfo => ({
    name,
    id,
    partitions,
    overrides,
    logConfig: logConfig(),
    maxMessageBytes: 1,
    timestampLimits: { beforeMaxMs: 1, afterMaxMs: 1 },
    internal: false,
  }),
);

const topic = (name: string, id: number, partitions: number): MetadataEvent => ({
  kind: "topic",
  name,
  record: createTopicRecord({ name, topicId: Buffer.alloc(16, id), partitions }),
});

const overrides = (name: string, entries: Record<string, string> | null): MetadataEvent => ({
  kind: "config",
  resourceType: ResourceType.TOPIC,
  name,
  record:
    entries === null
      ? null
      : createConfigRecord({
          resourceType: ResourceType.TOPIC,
          resourceName: name,
          entries: Object.entries(entries).map(([n, value]) =>
            createConfigRecordConfigEntry({ name: n, value }),
          ),
        }),
});

test("topics take their overrides whichever record comes first; deletion forgets the id", () => {
  const s = emptyMetadataState();
  for (const e of [
    overrides("b", { "retention.ms": "5" }),
    topic("a", 1, 1),
    topic("b", 2, 3),
    overrides("a", { "cleanup.policy": "compact" }),
    topic("a", 1, 4),
  ]) {
    replay(s, e);
  }
  assert.equal(s.records, 5);
  assert.deepEqual([...(s.topics.get("a")?.overrides ?? [])], [["cleanup.policy", "compact"]]);
  assert.equal(s.topics.get("a")?.partitions, 4);
  assert.deepEqual([...(s.topics.get("b")?.overrides ?? [])], [["retention.ms", "5"]]);
  assert.equal(s.byId.get(Buffer.alloc(16, 2).toString("hex"))?.name, "b");
  replay(s, { kind: "topic", name: "b", record: null });
  replay(s, overrides("b", null));
  assert.equal(s.topics.has("b"), false);
  assert.equal(s.byId.has(Buffer.alloc(16, 2).toString("hex")), false);
  assert.equal(s.overrides.has("b"), false);
  replay(s, overrides("a", null));
  assert.equal(s.topics.get("a")?.overrides.size, 0, "a tombstone clears the overrides");
});

test("the broker resource's cluster.id is the cluster id", () => {
  const s = emptyMetadataState();
  replay(s, {
    kind: "config",
    resourceType: ResourceType.BROKER,
    name: "",
    record: createConfigRecord({
      resourceType: ResourceType.BROKER,
      resourceName: "",
      entries: [createConfigRecordConfigEntry({ name: "cluster.id", value: "abc" })],
    }),
  });
  assert.equal(s.clusterId, "abc");
});
