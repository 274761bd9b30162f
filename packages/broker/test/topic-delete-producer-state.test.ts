/**
 * Deleting a topic releases what the data plane held for its partitions (the producer
 * state, and through it the closed partition logs): it used to keep them until a topic
 * of the same name was written again, about 6 KB a partition, forever.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
  createDeleteTopicsRequest,
  createDeleteTopicsRequestDeleteTopicState,
  DeleteTopicsApi,
  ErrorCode,
} from "@logbook/protocol";
import type { PartitionLog } from "@logbook/storage";
import {
  type InProcessBroker,
  startInProcess,
} from "../../../integration-tests/helpers/in-process.js";
import { WireClient } from "../../../integration-tests/helpers/wire-client.js";
import { produceValues } from "../../../integration-tests/helpers/wire-data.js";

let b: InProcessBroker;
before(async () => {
  b = await startInProcess();
});
after(async () => {
  await b.stop();
});

test("DeleteTopics drops the producer state of every partition of the topic", async () => {
  const topics = b.broker.topics;
  assert.ok((await topics.create("short-lived", 3, new Map())).ok);
  assert.ok((await topics.create("staying", 1, new Map())).ok);
  const logs: PartitionLog[] = [];
  for (let p = 0; p < 3; p++) {
    const written = await produceValues(b.port, "short-lived", p, ["v"], {
      id: 900n + BigInt(p),
      epoch: 0,
      baseSequence: 0,
    });
    assert.equal(written.errorCode, ErrorCode.NONE);
    const log = await topics.partition("short-lived", p);
    assert.ok(log !== undefined);
    logs.push(log);
  }
  assert.equal((await produceValues(b.port, "staying", 0, ["w"])).errorCode, ErrorCode.NONE);
  const staying = await topics.partition("staying", 0);
  assert.ok(staying !== undefined);
  const plane = b.broker.dataPlane;
  for (const log of logs) assert.notEqual(plane.loadedProducerState(log), undefined, "loaded");

  const c = await WireClient.connect(b.port);
  try {
    const r = await c.request(
      DeleteTopicsApi,
      4,
      createDeleteTopicsRequest({
        topicNames: ["short-lived"],
        topics: [createDeleteTopicsRequestDeleteTopicState({ name: "short-lived" })],
        timeoutMs: 5000,
      }),
    );
    assert.equal(r.body.responses[0]?.errorCode, ErrorCode.NONE);
  } finally {
    c.close();
  }
  for (const log of logs) {
    assert.equal(plane.loadedProducerState(log), undefined, `partition ${log.partition}`);
    assert.equal(log.isClosed, true);
  }
  assert.notEqual(plane.loadedProducerState(staying), undefined, "another topic's stays");
});
