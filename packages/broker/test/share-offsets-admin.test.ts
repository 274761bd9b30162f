import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  AlterShareGroupOffsetsApi,
  buildBatch,
  createAlterShareGroupOffsetsRequest,
  createDeleteShareGroupOffsetsRequest,
  createDescribeShareGroupOffsetsRequest,
  DeleteShareGroupOffsetsApi,
  DescribeShareGroupOffsetsApi,
  ErrorCode,
  ProduceApi,
  ShareFetchApi,
} from "@logbook/protocol";
import { records } from "./helpers/data-broker.js";
import { onlyProduceResult, produceRequest } from "./helpers/data-requests.js";
import {
  acquired,
  onlyPartition,
  type ShareTestBroker,
  shareFetch,
  shareTestBroker,
} from "./helpers/share-fakes.js";

const ACCEPT = 1;

function describeReq(
  groupId: string,
  topics: { topicName: string; partitions: number[] }[] | null,
) {
  return createDescribeShareGroupOffsetsRequest({ groups: [{ groupId, topics }] });
}

describe("Describe/Alter/DeleteShareGroupOffsets handlers", () => {
  let b: ShareTestBroker;
  let topicId: Buffer;

  before(async () => {
    b = await shareTestBroker({ autoOffsetReset: { kind: "earliest" } });
    b.membership.join("g", "m1");
    topicId = b.topics.add("s", 2).id;
    const batch = await buildBatch(records(10));
    const r = onlyProduceResult(await b.call(ProduceApi, 9, produceRequest("s", 0, batch)));
    assert.equal(r.errorCode, ErrorCode.NONE);
    // m1 takes 10 records and accepts the first 3 and offset 5.
    const tp = { topicId, partition: 0 };
    await b.call(ShareFetchApi, 1, shareFetch("g", "m1", 0, [tp]));
    const acks = [
      { first: 0n, last: 2n, types: [ACCEPT] },
      { first: 5n, last: 5n, types: [ACCEPT] },
    ];
    await b.call(ShareFetchApi, 1, shareFetch("g", "m1", 1, [{ ...tp, acks }], { maxRecords: 0 }));
  });
  after(() => b.close());

  it("describes the start offset and the lag (high watermark - SPSO - done in flight)", async () => {
    const res = await b.call(DescribeShareGroupOffsetsApi, 1, describeReq("g", null));
    const group = res.groups[0];
    assert.equal(group?.errorCode, ErrorCode.NONE);
    assert.equal(group?.topics.length, 1);
    assert.equal(group?.topics[0]?.topicName, "s");
    assert.deepEqual(group?.topics[0]?.topicId, topicId);
    const p = group?.topics[0]?.partitions[0];
    assert.equal(p?.startOffset, 3n);
    assert.equal(p?.lag, 6n);
  });

  it("answers -1 for partitions without state and topics that do not exist, nothing for all topics of an unknown group", async () => {
    const res = await b.call(
      DescribeShareGroupOffsetsApi,
      1,
      describeReq("g", [
        { topicName: "nope", partitions: [0] },
        { topicName: "s", partitions: [1] },
      ]),
    );
    const topics = res.groups[0]?.topics ?? [];
    assert.deepEqual(
      topics.map((t) => [t.topicName, t.partitions[0]?.startOffset, t.partitions[0]?.lag]),
      [
        ["s", -1n, -1n],
        ["nope", -1n, -1n],
      ],
    );
    assert.deepEqual(topics[1]?.topicId, Buffer.alloc(16));
    const unknown = await b.call(DescribeShareGroupOffsetsApi, 1, describeReq("other", null));
    assert.equal(unknown.groups[0]?.errorCode, ErrorCode.NONE);
    assert.deepEqual(unknown.groups[0]?.topics, []);
  });

  it("alters and deletes only while the group has no active consumer", async () => {
    const alter = createAlterShareGroupOffsetsRequest({
      groupId: "g",
      topics: [
        { topicName: "s", partitions: [{ partitionIndex: 0, startOffset: 8n }] },
        { topicName: "nope", partitions: [{ partitionIndex: 0, startOffset: 1n }] },
      ],
    });
    const busy = await b.call(AlterShareGroupOffsetsApi, 0, alter);
    assert.equal(busy.errorCode, ErrorCode.NON_EMPTY_GROUP);
    const del = createDeleteShareGroupOffsetsRequest({
      groupId: "g",
      topics: [{ topicName: "s" }],
    });
    assert.equal(
      (await b.call(DeleteShareGroupOffsetsApi, 0, del)).errorCode,
      ErrorCode.NON_EMPTY_GROUP,
    );

    await b.call(ShareFetchApi, 1, shareFetch("g", "m1", -1, []));
    const altered = await b.call(AlterShareGroupOffsetsApi, 0, alter);
    assert.equal(altered.errorCode, ErrorCode.NONE);
    assert.deepEqual(
      altered.responses.map((t) => [t.topicName, t.partitions[0]?.errorCode]),
      [
        ["nope", ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
        ["s", ErrorCode.NONE],
      ],
    );
    const after = await b.call(
      DescribeShareGroupOffsetsApi,
      1,
      describeReq("g", [{ topicName: "s", partitions: [0] }]),
    );
    assert.equal(after.groups[0]?.topics[0]?.partitions[0]?.startOffset, 8n);
    // A member starts where the offset was set.
    const r = await b.call(ShareFetchApi, 1, shareFetch("g", "m1", 0, [{ topicId, partition: 0 }]));
    assert.deepEqual(acquired(onlyPartition(r)), [[8n, 9n, 1]]);
    await b.call(ShareFetchApi, 1, shareFetch("g", "m1", -1, []));

    const deleted = await b.call(DeleteShareGroupOffsetsApi, 0, del);
    assert.equal(deleted.errorCode, ErrorCode.NONE);
    assert.equal(deleted.responses[0]?.errorCode, ErrorCode.NONE);
    const missing = createDeleteShareGroupOffsetsRequest({
      groupId: "g",
      topics: [{ topicName: "nope" }],
    });
    const again = await b.call(DeleteShareGroupOffsetsApi, 0, missing);
    assert.equal(again.responses[0]?.errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    const gone = await b.call(DescribeShareGroupOffsetsApi, 1, describeReq("g", null));
    assert.deepEqual(gone.groups[0]?.topics, []);
  });

  it("alters a group nobody used yet, as Kafka does, but deletes only for a known group; refuses an empty group id", async () => {
    const res = await b.call(
      AlterShareGroupOffsetsApi,
      0,
      createAlterShareGroupOffsetsRequest({
        groupId: "fresh",
        topics: [{ topicName: "s", partitions: [{ partitionIndex: 1, startOffset: 0n }] }],
      }),
    );
    assert.equal(res.errorCode, ErrorCode.NONE);
    const d = await b.call(DescribeShareGroupOffsetsApi, 1, describeReq("fresh", null));
    assert.equal(d.groups[0]?.topics[0]?.partitions[0]?.startOffset, 0n);
    const empty = await b.call(
      AlterShareGroupOffsetsApi,
      0,
      createAlterShareGroupOffsetsRequest({ groupId: "", topics: [] }),
    );
    assert.equal(empty.errorCode, ErrorCode.INVALID_GROUP_ID);
    const del = await b.call(
      DeleteShareGroupOffsetsApi,
      0,
      createDeleteShareGroupOffsetsRequest({ groupId: "never", topics: [{ topicName: "s" }] }),
    );
    assert.equal(del.errorCode, ErrorCode.GROUP_ID_NOT_FOUND);
  });
});
