/**
 * Produce, Fetch, ListOffsets and OffsetForLeaderEpoch against Kafka: the happy path
 * and its error paths (unknown topic or partition, offsets out of range, idempotent
 * sequence gaps and old epochs, oversize and corrupt batches, zstd where a version
 * does not allow it, bad acks, transactional batches without a transactional id), each
 * answer compared field by field. Also what a connection sees of its pipelined
 * requests: appends in the order sent, and the responses before an acks=0 close.
 */
import assert from "node:assert/strict";
import { after, before, beforeEach, test } from "node:test";
import {
  ApiVersionsApi,
  createApiVersionsRequest,
  createInitProducerIdRequest,
  createOffsetForLeaderEpochRequest,
  createOffsetForLeaderEpochRequestPartition,
  createOffsetForLeaderEpochRequestTopic,
  decodeResponseFrame,
  ErrorCode,
  FetchApi,
  InitProducerIdApi,
  ListOffsetsApi,
  OffsetForLeaderEpochApi,
  ProduceApi,
  type ProduceResponse,
} from "@logbook/protocol";
import { WireClient } from "../helpers/wire-client.js";
import { fetch, listOffsets, produce } from "./data-requests.js";
import { type Conversation, DiffPair, SIDES, type Side } from "./pair.js";
import { batch, T0, topicIds } from "./setup.js";

let pair: DiffPair;
let conv: Conversation;
let ids: Record<Side, Buffer>;

before(async () => {
  pair = await DiffPair.start();
  conv = await pair.conversation();
  await conv.createTopic("data", 2);
  await conv.createTopic("small", 1, { "max.message.bytes": "200" });
  await conv.createTopic("pipelined", 1);
  ids = await topicIds(conv, "data");
});
beforeEach(() => conv.reopenClosed());
after(async () => {
  conv?.close();
  await pair?.stop();
});

test("produce and fetch: offsets, records, high watermark and log start match", async () => {
  for (const v of [3, 7, 9, 11])
    await conv.same(ProduceApi, v, produce("data", 0, await batch(3, { prefix: `v${v}` })));
  await conv.same(ProduceApi, 11, produce("data", 1, await batch(2, { compression: 1 })));
  for (const v of [4, 11, 12, 17]) {
    await conv.same(FetchApi, v, (s) => fetch("data", 0, 0n, { topicId: ids[s] }));
    await conv.same(FetchApi, v, (s) => fetch("data", 0, 5n, { topicId: ids[s] }));
    await conv.same(FetchApi, v, (s) => fetch("data", 1, 0n, { topicId: ids[s] }));
  }
});

test("unknown topics and partitions: produce, fetch, list offsets, leader epochs", async () => {
  const records = await batch(1);
  await conv.same(ProduceApi, 9, produce("no-such-topic", 0, records));
  await conv.same(ProduceApi, 9, produce("data", 7, records));
  await conv.same(FetchApi, 11, fetch("no-such-topic", 0, 0n));
  await conv.same(FetchApi, 11, fetch("data", 9, 0n));
  await conv.same(FetchApi, 13, fetch("data", 0, 0n, { topicId: Buffer.alloc(16, 7) }));
  await conv.same(ListOffsetsApi, 7, listOffsets("no-such-topic", 0, -1n));
  await conv.same(ListOffsetsApi, 7, listOffsets("data", 5, -1n));
  await conv.same(
    OffsetForLeaderEpochApi,
    4,
    createOffsetForLeaderEpochRequest({
      replicaId: -1,
      topics: [
        createOffsetForLeaderEpochRequestTopic({
          topic: "data",
          partitions: [0, 9].map((partition) =>
            createOffsetForLeaderEpochRequestPartition({
              partition,
              currentLeaderEpoch: -1,
              leaderEpoch: 0,
            }),
          ),
        }),
      ],
    }),
  );
});

test("offsets out of range: fetch beyond the high watermark and below zero", async () => {
  await conv.same(ProduceApi, 9, produce("data", 0, await batch(2, { prefix: "oor" })));
  for (const v of [4, 11, 17]) {
    await conv.same(FetchApi, v, (s) => fetch("data", 0, 1000n, { topicId: ids[s] }));
    await conv.same(FetchApi, v, (s) => fetch("data", 0, -5n, { topicId: ids[s] }));
  }
});

test("list offsets: latest, earliest, max timestamp, by timestamp, a timestamp past the end", async () => {
  for (const v of [1, 5, 7, 10]) {
    for (const ts of [-1n, -2n, T0, T0 + 1n, T0 + 1_000_000n]) {
      await conv.same(ListOffsetsApi, v, listOffsets("data", 0, ts));
    }
  }
  await conv.same(ListOffsetsApi, 7, listOffsets("data", 0, -3n));
});

test("idempotent produce: duplicates, sequence gaps, an old epoch, an unknown producer", async () => {
  // Kafka answers COORDINATOR_LOAD_IN_PROGRESS until its first producer id block arrives.
  const init = await conv.settle(
    InitProducerIdApi,
    4,
    createInitProducerIdRequest({ transactionalId: null, transactionTimeoutMs: 60_000 }),
    (r) => r.errorCode === ErrorCode.COORDINATOR_LOAD_IN_PROGRESS,
  );
  const pid = conv.alias("producer id", {
    kafka: init.kafka.producerId,
    logbook: init.logbook.producerId,
  });
  const epoch = init.kafka.producerEpoch;
  const send = async (
    baseSequence: number,
    opts: { epoch?: number; producerId?: Record<Side, bigint> } = {},
  ) => {
    const records: Record<Side, Buffer> = {
      kafka: await batch(2, {
        producerId: (opts.producerId ?? pid).kafka,
        producerEpoch: opts.epoch ?? epoch,
        baseSequence,
      }),
      logbook: await batch(2, {
        producerId: (opts.producerId ?? pid).logbook,
        producerEpoch: opts.epoch ?? epoch,
        baseSequence,
      }),
    };
    return { records, body: (s: Side) => produce("data", 1, records[s]) };
  };
  await conv.same(ProduceApi, 9, (await send(0)).body);
  await conv.same(ProduceApi, 9, (await send(2)).body);
  // Duplicates (of the last batch, of an older one): the same offsets again.
  // Both answer with the original batch's remembered max timestamp in log_append_time_ms.
  for (const seq of [2, 0]) await conv.same(ProduceApi, 9, (await send(seq)).body);
  // Refused by the log: both report the partition's log start offset beside the error.
  await conv.same(ProduceApi, 9, (await send(7)).body); // a gap: OUT_OF_ORDER_SEQUENCE_NUMBER
  await conv.same(ProduceApi, 9, (await send(4, { epoch: epoch + 3 })).body); // a newer epoch must start at sequence 0
  await conv.same(ProduceApi, 9, (await send(0, { epoch: epoch + 3 })).body);
  await conv.same(ProduceApi, 9, (await send(2, { epoch })).body); // the old epoch is now fenced
  const stranger = { kafka: 987_654n, logbook: 987_654n };
  await conv.same(ProduceApi, 9, (await send(5, { producerId: stranger })).body); // an unknown producer id
});

/** The error code Kafka gave the one partition of a produce answer. */
function produceError(r: Record<Side, ProduceResponse>): number | undefined {
  return r.kafka.responses[0]?.partitionResponses[0]?.errorCode;
}

test("oversize batches (max.message.bytes) and corrupt ones (bad CRC) are refused alike", async () => {
  const big = await batch(20, { prefix: "x".repeat(40) });
  for (const v of [9, 11]) {
    const r = await conv.same(ProduceApi, v, produce("small", 0, big));
    assert.equal(produceError(r), ErrorCode.MESSAGE_TOO_LARGE);
  }
  const corrupt = Buffer.from(await batch(3));
  // A byte inside the last record flipped: the CRC no longer matches.
  corrupt.writeUInt8(corrupt.readUInt8(corrupt.length - 2) ^ 0xff, corrupt.length - 2);
  for (const v of [9, 11]) {
    const r = await conv.same(ProduceApi, v, produce("data", 0, corrupt));
    assert.equal(produceError(r), ErrorCode.CORRUPT_MESSAGE);
  }
});

test("zstd: refused in Produce below v7, served by every Fetch version", async () => {
  const zstd = await batch(3, { compression: 4 });
  const old = await conv.same(ProduceApi, 6, produce("data", 1, zstd));
  assert.equal(produceError(old), ErrorCode.UNSUPPORTED_COMPRESSION_TYPE);
  await conv.same(ProduceApi, 7, produce("data", 1, zstd));
  // Kafka 4 sends stored zstd batches at every Fetch version (KAFKA-18269); so does Logbook.
  for (const v of [4, 9, 10]) {
    const r = await conv.same(FetchApi, v, fetch("data", 1, 0n));
    assert.equal(r.logbook.responses[0]?.partitions[0]?.errorCode, ErrorCode.NONE, `Fetch v${v}`);
  }
});

test("bad acks are refused alike", async () => {
  const r = await conv.same(ProduceApi, 9, produce("data", 0, await batch(1), { acks: 2 }));
  assert.equal(produceError(r), ErrorCode.INVALID_REQUIRED_ACKS);
});

test("transactional batches without a transactional id are refused alike, even with no authorizer", async () => {
  const txn = await batch(1, { transactional: true, producerId: 4242n, producerEpoch: 0 });
  const r = await conv.same(ProduceApi, 9, produce("data", 0, txn));
  assert.equal(produceError(r), ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
  // Before acks are looked at.
  await conv.same(ProduceApi, 9, produce("data", 0, txn, { acks: 2 }));
});

test("produce requests pipelined on one connection append in the order they were sent", async () => {
  // The first batch is large and gzip-compressed, so it takes longer to validate than
  // the small one sent behind it; Kafka handles a connection's requests one at a time.
  const large = await batch(2000, { compression: 1, prefix: "first" });
  const small = await batch(1, { prefix: "second" });
  for (const side of SIDES) {
    const c = await WireClient.connect(pair.port(side));
    try {
      const first = c.frame(ProduceApi, 9, produce("pipelined", 0, large));
      const second = c.frame(ProduceApi, 9, produce("pipelined", 0, small));
      c.write(Buffer.concat([first.frame, second.frame]));
      const offsets: bigint[] = [];
      for (const sent of [first, second]) {
        const res = decodeResponseFrame(ProduceApi, 9, await c.nextFrame());
        assert.equal(res.header.correlationId, sent.correlationId, side);
        const p = res.body.responses[0]?.partitionResponses[0];
        assert.equal(p?.errorCode, ErrorCode.NONE, side);
        offsets.push(p?.baseOffset ?? -1n);
      }
      assert.deepEqual(offsets, [0n, 2000n], `${side}: the first request's batch comes first`);
    } finally {
      c.close();
    }
  }
});

test("a failed acks=0 produce closes the connection after the responses to the requests before it", async () => {
  for (const side of SIDES) {
    const c = await WireClient.connect(pair.port(side));
    try {
      const av = c.frame(
        ApiVersionsApi,
        3,
        createApiVersionsRequest({ clientSoftwareName: "t", clientSoftwareVersion: "1" }),
      );
      const failing = c.frame(
        ProduceApi,
        9,
        produce("no-such-topic", 0, await batch(1), { acks: 0 }),
      );
      c.write(Buffer.concat([av.frame, failing.frame]));
      const res = decodeResponseFrame(ApiVersionsApi, 3, await c.nextFrame());
      assert.equal(res.header.correlationId, av.correlationId, side);
      assert.equal(res.body.errorCode, ErrorCode.NONE, side);
      await c.closed;
    } finally {
      c.close();
    }
  }
});
