/**
 * TopicRegistry.openedPartition, which lets a fetch resolve its partitions without a
 * promise each: the log once `partition` has opened it, null before that (and while it
 * opens), undefined for a topic or partition that does not exist, and never a deleted
 * topic's log once the name is created again. Fetches answer the same either way.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  CreateTopicsApi,
  createCreateTopicsRequest,
  createCreateTopicsRequestCreatableTopic,
  createDeleteTopicsRequest,
  createDeleteTopicsRequestDeleteTopicState,
  DeleteTopicsApi,
  ErrorCode,
} from "@logbook/protocol";
import { startTestBroker } from "./helpers/admin-broker.js";

test("openedPartition knows a log only once it is open, and forgets a deleted topic's", async () => {
  const b = await startTestBroker();
  try {
    const create = async () => {
      const r = await b.client.send(
        CreateTopicsApi,
        7,
        createCreateTopicsRequest({
          topics: [
            createCreateTopicsRequestCreatableTopic({
              name: "opened",
              numPartitions: 2,
              replicationFactor: 1,
            }),
          ],
        }),
      );
      assert.equal(r.topics[0]?.errorCode, ErrorCode.NONE);
    };
    await create();
    const topics = b.broker.topics;
    assert.equal(topics.openedPartition("missing", 0), undefined);
    assert.equal(topics.openedPartition("opened", 2), undefined, "past the partition count");
    assert.equal(topics.openedPartition("opened", -1), undefined);
    assert.equal(topics.openedPartition("opened", 1), null, "not opened yet");
    const opening = topics.partition("opened", 1);
    assert.equal(topics.openedPartition("opened", 1), null, "still opening");
    const log = await opening;
    assert.ok(log !== undefined);
    assert.equal(topics.openedPartition("opened", 1), log);
    assert.equal(topics.openedPartition("opened", 0), null, "only the partition opened");

    const deleted = await b.client.send(
      DeleteTopicsApi,
      6,
      createDeleteTopicsRequest({
        topics: [
          createDeleteTopicsRequestDeleteTopicState({ name: "opened", topicId: Buffer.alloc(16) }),
        ],
        timeoutMs: 5000,
      }),
    );
    assert.equal(deleted.responses[0]?.errorCode, ErrorCode.NONE);
    assert.equal(topics.openedPartition("opened", 1), undefined, "deleted");
    await create();
    assert.equal(topics.openedPartition("opened", 1), null, "the new topic's log is not open");
    const reopened = await topics.partition("opened", 1);
    assert.ok(reopened !== undefined && reopened !== log);
    assert.equal(topics.openedPartition("opened", 1), reopened);
  } finally {
    await b.stop();
  }
});
