import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  buildBatch,
  createDeleteRecordsRequest,
  createDeleteRecordsRequestPartition,
  createDeleteRecordsRequestTopic,
  createInitProducerIdRequest,
  createListOffsetsRequest,
  createListOffsetsRequestPartition,
  createListOffsetsRequestTopic,
  createOffsetForLeaderEpochRequest,
  createOffsetForLeaderEpochRequestPartition,
  createOffsetForLeaderEpochRequestTopic,
  DeleteRecordsApi,
  ErrorCode,
  InitProducerIdApi,
  ListOffsetsApi,
  OffsetForLeaderEpochApi,
  ProduceApi,
} from "@logbook/protocol";
import { type DataTestBroker, dataTestBroker } from "./helpers/data-broker.js";
import { onlyProduceResult, produceRequest } from "./helpers/data-requests.js";

const T0 = 1_700_000_000_000n;

async function listOffsets(
  b: DataTestBroker,
  topic: string,
  partition: number,
  timestamp: bigint,
  version = 7,
  isolationLevel = 0,
) {
  const res = await b.call(
    ListOffsetsApi,
    version,
    createListOffsetsRequest({
      isolationLevel,
      topics: [
        createListOffsetsRequestTopic({
          name: topic,
          partitions: [
            createListOffsetsRequestPartition({
              partitionIndex: partition,
              timestamp,
              maxNumOffsets: 1,
            }),
          ],
        }),
      ],
    }),
  );
  const p = res.topics[0]?.partitions[0];
  assert.ok(p !== undefined);
  return p;
}

async function deleteRecords(b: DataTestBroker, topic: string, offset: bigint) {
  const res = await b.call(
    DeleteRecordsApi,
    2,
    createDeleteRecordsRequest({
      topics: [
        createDeleteRecordsRequestTopic({
          name: topic,
          partitions: [createDeleteRecordsRequestPartition({ partitionIndex: 0, offset })],
        }),
      ],
    }),
  );
  const p = res.topics[0]?.partitions[0];
  assert.ok(p !== undefined);
  return p;
}

async function endOffsetFor(
  b: DataTestBroker,
  topic: string,
  leaderEpoch: number,
  currentLeaderEpoch = -1,
) {
  const res = await b.call(
    OffsetForLeaderEpochApi,
    4,
    createOffsetForLeaderEpochRequest({
      topics: [
        createOffsetForLeaderEpochRequestTopic({
          topic,
          partitions: [
            createOffsetForLeaderEpochRequestPartition({
              partition: 0,
              leaderEpoch,
              currentLeaderEpoch,
            }),
          ],
        }),
      ],
    }),
  );
  const p = res.topics[0]?.partitions[0];
  assert.ok(p !== undefined);
  return p;
}

describe("ListOffsets, DeleteRecords, OffsetForLeaderEpoch", () => {
  let b: DataTestBroker;
  before(async () => {
    b = await dataTestBroker();
    b.topics.add("o", 1);
    b.topics.add("d", 1);
    b.topics.add("__consumer_offsets", 1, { internal: true });
    // Timestamps 10, 30, 20 (ms after T0) at offsets 0, 1, 2; then 40 at offset 3.
    const batch = await buildBatch([
      { timestamp: T0 + 10n, key: null, value: Buffer.from("a") },
      { timestamp: T0 + 30n, key: null, value: Buffer.from("b") },
      { timestamp: T0 + 20n, key: null, value: Buffer.from("c") },
    ]);
    assert.equal(
      onlyProduceResult(await b.call(ProduceApi, 9, produceRequest("o", 0, batch))).errorCode,
      ErrorCode.NONE,
    );
    const last = await buildBatch([{ timestamp: T0 + 40n, key: null, value: Buffer.from("d") }]);
    assert.equal(
      onlyProduceResult(await b.call(ProduceApi, 9, produceRequest("o", 0, last))).errorCode,
      ErrorCode.NONE,
    );
    for (let i = 0; i < 5; i++) {
      const r = await b.call(
        ProduceApi,
        9,
        produceRequest(
          "d",
          0,
          await buildBatch([{ timestamp: T0, key: null, value: Buffer.from("x") }]),
        ),
      );
      assert.equal(onlyProduceResult(r).errorCode, ErrorCode.NONE);
    }
  });
  after(() => b.close());

  it("lists earliest, latest, max timestamp and by timestamp", async () => {
    assert.equal((await listOffsets(b, "o", 0, -2n)).offset, 0n);
    assert.equal((await listOffsets(b, "o", 0, -4n, 8)).offset, 0n);
    const latest = await listOffsets(b, "o", 0, -1n);
    assert.equal(latest.offset, 4n);
    assert.equal(latest.timestamp, -1n);
    const max = await listOffsets(b, "o", 0, -3n);
    assert.equal(max.offset, 3n);
    assert.equal(max.timestamp, T0 + 40n);
    const at25 = await listOffsets(b, "o", 0, T0 + 25n);
    assert.equal(at25.offset, 1n, "first offset whose timestamp is >= the target");
    assert.equal(at25.timestamp, T0 + 30n);
    const tooLate = await listOffsets(b, "o", 0, T0 + 1000n);
    assert.equal(tooLate.offset, -1n);
    assert.equal((await listOffsets(b, "o", 0, -5n, 9)).offset, -1n);
    assert.equal(
      (await listOffsets(b, "nope", 0, -1n)).errorCode,
      ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
    );
  });

  it("answers v0 in old-style offsets and bounds read_committed by the LSO", async () => {
    assert.deepEqual((await listOffsets(b, "o", 0, -1n, 0)).oldStyleOffsets, [4n]);
    const log = await b.topics.partition("o", 0);
    // Loaded first: loading the producer state installs its own LSO hook.
    if (log !== undefined) await b.dataPlane.producerState(log);
    log?.setLastStableOffsetHook(() => 1);
    try {
      assert.equal((await listOffsets(b, "o", 0, -1n, 2, 1)).offset, 1n);
      assert.equal((await listOffsets(b, "o", 0, T0 + 25n, 2, 1)).offset, -1n);
    } finally {
      log?.setLastStableOffsetHook(null);
    }
  });

  it("deletes records up to an offset or the high watermark, and refuses beyond it", async () => {
    const moved = await deleteRecords(b, "d", 2n);
    assert.equal(moved.errorCode, ErrorCode.NONE);
    assert.equal(moved.lowWatermark, 2n);
    assert.equal((await listOffsets(b, "d", 0, -2n)).offset, 2n);
    assert.equal((await deleteRecords(b, "d", 1n)).lowWatermark, 2n, "never moves back");
    assert.equal((await deleteRecords(b, "d", 9n)).errorCode, ErrorCode.OFFSET_OUT_OF_RANGE);
    assert.equal((await deleteRecords(b, "d", -1n)).lowWatermark, 5n);
    assert.equal(
      (await deleteRecords(b, "nope", 0n)).errorCode,
      ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
    );
    assert.equal(
      (await deleteRecords(b, "__consumer_offsets", 0n)).errorCode,
      ErrorCode.INVALID_TOPIC_EXCEPTION,
    );
  });

  it("gives epoch 0's end offset, UNDEFINED for other epochs, and fences current epochs", async () => {
    const e0 = await endOffsetFor(b, "o", 0);
    assert.equal(e0.errorCode, ErrorCode.NONE);
    assert.equal(e0.leaderEpoch, 0);
    assert.equal(e0.endOffset, 4n);
    const e5 = await endOffsetFor(b, "o", 5);
    assert.equal(e5.leaderEpoch, -1);
    assert.equal(e5.endOffset, -1n);
    assert.equal((await endOffsetFor(b, "o", -1)).endOffset, -1n);
    assert.equal((await endOffsetFor(b, "o", 0, 3)).errorCode, ErrorCode.UNKNOWN_LEADER_EPOCH);
    assert.equal(
      (await endOffsetFor(b, "nope", 0)).errorCode,
      ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
    );
  });
});

describe("InitProducerId", () => {
  it("refuses transactional ids until transactions exist, and empty ones as malformed", async () => {
    const b = await dataTestBroker();
    try {
      const txn = await b.call(
        InitProducerIdApi,
        4,
        createInitProducerIdRequest({ transactionalId: "tx", transactionTimeoutMs: 1000 }),
      );
      assert.equal(txn.errorCode, ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
      assert.equal(txn.producerId, -1n);
      const empty = await b.call(
        InitProducerIdApi,
        4,
        createInitProducerIdRequest({ transactionalId: "" }),
      );
      assert.equal(empty.errorCode, ErrorCode.INVALID_REQUEST);
      const a = await b.call(
        InitProducerIdApi,
        0,
        createInitProducerIdRequest({ transactionalId: null }),
      );
      const c = await b.call(
        InitProducerIdApi,
        5,
        createInitProducerIdRequest({ transactionalId: null }),
      );
      assert.equal(a.errorCode, ErrorCode.NONE);
      assert.equal(a.producerEpoch, 0);
      assert.notEqual(a.producerId, c.producerId);
    } finally {
      await b.close();
    }
  });
});
