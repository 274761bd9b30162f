import assert from "node:assert/strict";
import { test } from "node:test";
import { buildBatch, ErrorCode, ProduceApi, ShareFetchApi } from "@logbook/protocol";
import { records, tempEngine } from "./helpers/data-broker.js";
import { onlyProduceResult, produceRequest } from "./helpers/data-requests.js";
import { acquired, onlyPartition, shareFetch, shareTestBroker } from "./helpers/share-fakes.js";

const ACCEPT = 1;

test("after a broker restart, acknowledged records are not redelivered and acquired ones come back with their delivery count", async () => {
  const dir = await tempEngine();
  try {
    const first = await shareTestBroker({ autoOffsetReset: { kind: "earliest" } }, dir.url);
    first.membership.join("g", "m1");
    const topicId = first.topics.add("r", 1).id;
    const tp = { topicId, partition: 0 };
    const batch = await buildBatch(records(6));
    const p = onlyProduceResult(await first.call(ProduceApi, 9, produceRequest("r", 0, batch)));
    assert.equal(p.errorCode, ErrorCode.NONE);
    const got = await first.call(ShareFetchApi, 1, shareFetch("g", "m1", 0, [tp]));
    assert.deepEqual(acquired(onlyPartition(got)), [[0n, 5n, 1]]);
    const acks = [{ first: 0n, last: 1n, types: [ACCEPT] }];
    const acked = await first.call(
      ShareFetchApi,
      1,
      shareFetch("g", "m1", 1, [{ ...tp, acks }], { maxRecords: 0 }),
    );
    assert.equal(onlyPartition(acked)?.acknowledgeErrorCode, ErrorCode.NONE);
    await first.close();

    const second = await shareTestBroker({ autoOffsetReset: { kind: "earliest" } }, dir.url);
    second.membership.join("g", "m2");
    second.topics.add("r", 1, { id: topicId });
    const again = await second.call(ShareFetchApi, 1, shareFetch("g", "m2", 0, [tp]));
    assert.deepEqual(acquired(onlyPartition(again)), [[2n, 5n, 2]]);
    await second.close();
  } finally {
    await dir.remove();
  }
});
