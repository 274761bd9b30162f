/**
 * Regression: an unexpected error in ONE partition of a Produce must not turn the
 * partitions already written into failures. Kafka's ReplicaManager catches per
 * partition (an unknown exception becomes UNKNOWN_SERVER_ERROR for that partition
 * only); answering every partition with the error would make producers resend records
 * that are already in the log.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { createProduceRequest, ErrorCode, encodeBatch, ProduceApi } from "@logbook/protocol";
import { memoryLogger } from "@logbook/storage";
import {
  type InProcessBroker,
  startInProcess,
} from "../../../integration-tests/helpers/in-process.js";
import { WireClient } from "../../../integration-tests/helpers/wire-client.js";
import { fetchAll } from "../../../integration-tests/helpers/wire-data.js";

const logger = memoryLogger();
let b: InProcessBroker;

before(async () => {
  b = await startInProcess({}, logger);
  for (const name of ["good", "broken"]) {
    const r = await b.broker.topics.create(name, 1, new Map());
    assert.ok(r.ok, `create ${name}`);
  }
});
after(async () => {
  await b.stop();
});

async function oneRecord(value: string): Promise<Buffer> {
  return encodeBatch({
    baseTimestamp: BigInt(Date.now()),
    records: [
      {
        attributes: 0,
        timestampDelta: 0n,
        offsetDelta: 0,
        key: null,
        value: Buffer.from(value),
        headers: [],
      },
    ],
  });
}

test("a partition that throws fails alone; the written partition is answered with its offset", async () => {
  const topics = b.broker.topics;
  const real = topics.partition.bind(topics);
  topics.partition = async (topic, partition) => {
    if (topic === "broken") throw new TypeError("segment vanished");
    return real(topic, partition);
  };
  const c = await WireClient.connect(b.port);
  try {
    const res = await c.request(
      ProduceApi,
      9,
      createProduceRequest({
        acks: -1,
        timeoutMs: 5000,
        topicData: [
          { name: "good", partitionData: [{ index: 0, records: await oneRecord("kept") }] },
          { name: "broken", partitionData: [{ index: 0, records: await oneRecord("lost") }] },
        ],
      }),
    );
    const codes = res.body.responses.map((t) => [
      t.name,
      t.partitionResponses[0]?.errorCode,
      t.partitionResponses[0]?.baseOffset,
    ]);
    assert.deepEqual(codes, [
      ["good", ErrorCode.NONE, 0n],
      ["broken", ErrorCode.UNKNOWN_SERVER_ERROR, -1n],
    ]);
    const logged = logger.events.find(
      (e) => e.level === "error" && e.fields.error === "segment vanished",
    );
    assert.ok(logged, "the partition's failure is logged at error level");
    assert.match(String(logged.fields.stack), /TypeError: segment vanished/);
    assert.equal(c.closedNow, false);
  } finally {
    topics.partition = real;
    c.close();
  }
  const read = await fetchAll(b.port, "good", 0);
  assert.deepEqual(
    read.records.map((r) => r.value),
    ["kept"],
  );
});
