/**
 * Produce requests pipelined on one connection append to a partition in the order they
 * arrived (data/produce-order.ts), as Kafka, which handles a connection's requests one
 * at a time: a request whose batch takes longer to validate (here a large gzip batch,
 * decompressed on the thread pool) is not overtaken by the small one sent after it.
 * Removed by accident in 4d8ecc5; back, with a test of the turns themselves.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
  buildBatch,
  createProduceRequest,
  createProduceRequestPartitionData,
  createProduceRequestTopicData,
  decodeResponseFrame,
  ErrorCode,
  ProduceApi,
} from "@logbook/protocol";
import {
  type InProcessBroker,
  startInProcess,
} from "../../../integration-tests/helpers/in-process.js";
import { WireClient } from "../../../integration-tests/helpers/wire-client.js";
import { takeAppendTurn } from "../src/data/produce-order.js";
import { plaintextSession } from "../src/server/client-session.js";

let b: InProcessBroker;
before(async () => {
  b = await startInProcess();
  const created = await b.broker.topics.create("ordered", 1, new Map());
  assert.ok(created.ok, "topic created");
});
after(async () => {
  await b.stop();
});

function produce(records: Buffer) {
  return createProduceRequest({
    acks: -1,
    timeoutMs: 5000,
    topicData: [
      createProduceRequestTopicData({
        name: "ordered",
        partitionData: [createProduceRequestPartitionData({ index: 0, records })],
      }),
    ],
  });
}

test("pipelined Produce requests of one connection append in the order they arrived", async () => {
  const large = await buildBatch(
    Array.from({ length: 2000 }, (_, i) => ({
      timestamp: 1n,
      key: null,
      value: Buffer.from(`first-${i}-${"x".repeat(500)}`),
    })),
    { compression: 1 },
  );
  const small = await buildBatch([{ timestamp: 1n, key: null, value: Buffer.from("second") }]);
  const c = await WireClient.connect(b.port);
  try {
    const first = c.frame(ProduceApi, 9, produce(large));
    const second = c.frame(ProduceApi, 9, produce(small));
    c.write(Buffer.concat([first.frame, second.frame]));
    const offsets: bigint[] = [];
    for (const sent of [first, second]) {
      const res = decodeResponseFrame(ProduceApi, 9, await c.nextFrame());
      assert.equal(res.header.correlationId, sent.correlationId);
      const p = res.body.responses[0]?.partitionResponses[0];
      assert.equal(p?.errorCode, ErrorCode.NONE);
      offsets.push(p?.baseOffset ?? -1n);
    }
    assert.deepEqual(offsets, [0n, 2000n], "the first request's batch comes first in the log");
  } finally {
    c.close();
  }
});

test("a turn goes once every turn ahead of it is released, in whatever order they are", async () => {
  const session = plaintextSession("order-test");
  const first = takeAppendTurn(session, "t", 0);
  const second = takeAppendTurn(session, "t", 0);
  const third = takeAppendTurn(session, "t", 0);
  const elsewhere = takeAppendTurn(session, "t", 1);
  assert.equal(first.ready, null, "nobody ahead: no wait");
  assert.equal(elsewhere.ready, null, "another partition has its own line");
  const went: string[] = [];
  void second.ready?.then(() => went.push("second"));
  void third.ready?.then(() => went.push("third"));
  const settle = () => new Promise((r) => setImmediate(r));
  // The third gives up its turn before it goes (a refused batch): it must not let the
  // second's wait end, nor block it.
  third.release();
  await settle();
  assert.deepEqual(went, []);
  first.release();
  first.release();
  await settle();
  assert.deepEqual(went, ["second"]);
  second.release();
  // Everything released: a new turn goes at once again.
  assert.equal(takeAppendTurn(session, "t", 0).ready, null);
  // Another connection never waits for this one.
  assert.equal(takeAppendTurn(plaintextSession("other"), "t", 1).ready, null);
});
