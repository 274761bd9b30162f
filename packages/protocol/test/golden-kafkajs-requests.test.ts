/**
 * Golden tests against kafkajs 2.2.4's request encoders: produce (none and gzip,
 * kafkajs-built batches), fetch, offsets, metadata, coordinator lookup.
 * Each request is built by kafkajs and framed by kafkajs (size + header v1 + body), then
 * decoded with our header and request codecs: the fields must equal what kafkajs was given,
 * every byte must be consumed, and re-encoding must reproduce the frame byte for byte.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  FetchApi,
  FindCoordinatorApi,
  ListOffsetsApi,
  MetadataApi,
  OffsetCommitApi,
  OffsetFetchApi,
  ProduceApi,
} from "../src/index.js";
import {
  assertFields,
  KjsCompression,
  kjsDecodeMessageSet,
  kjsDecodeRecordBatch,
  T0,
  versions,
  viaKafkajs,
} from "./helpers/kafkajs.js";

describe("golden kafkajs requests: Produce", () => {
  const topicData = [
    {
      topic: "orders",
      partitions: [
        {
          partition: 0,
          firstSequence: 10,
          messages: [
            { key: "order-1", value: "created", timestamp: T0, headers: { source: "web" } },
            { key: "order-2", value: "paid", timestamp: T0 + 25 },
          ],
        },
        {
          partition: 3,
          firstSequence: 0,
          messages: [{ key: null, value: "ünïcödé ✓", timestamp: T0 + 7 }],
        },
      ],
    },
    {
      topic: "audit-log",
      partitions: [
        {
          partition: 1,
          firstSequence: 4,
          messages: [{ key: "a", value: "x".repeat(300), timestamp: T0 + 100 }],
        },
      ],
    },
  ];
  const b = (s: string): Buffer => Buffer.from(s, "utf8");

  for (const v of versions(0, 7)) {
    // v0/v1 requests never compress; v2 wraps a gzip message set; v3+ compress record batches.
    const compressions = v < 2 ? [KjsCompression.None] : [KjsCompression.None, KjsCompression.GZIP];
    for (const compression of compressions) {
      const transactionalId = v >= 3 && v % 2 === 1 ? "txn-golden" : null;
      it(`v${v} ${compression === KjsCompression.GZIP ? "gzip" : "uncompressed"}${transactionalId === null ? "" : " transactional"}`, async () => {
        const body = await viaKafkajs(ProduceApi, "produce", v, {
          acks: -1,
          timeout: 30_000,
          compression,
          transactionalId,
          producerId: 4242n,
          producerEpoch: 7,
          topicData,
        });
        assertFields(body, {
          transactionalId,
          acks: -1,
          timeoutMs: 30_000,
          topicData: [
            { name: "orders", partitionData: [{ index: 0 }, { index: 3 }] },
            { name: "audit-log", partitionData: [{ index: 1 }] },
          ],
        });
        const records = body.topicData.flatMap((t) => t.partitionData.map((p) => p.records));
        const sent = topicData.flatMap((t) => t.partitions);
        assert.equal(records.length, sent.length);
        for (const [i, buf] of records.entries()) {
          const p = sent[i];
          assert.ok(buf !== null && p !== undefined, "records present");
          if (v >= 3) {
            assert.equal(buf.readInt8(16), 2, "magic 2 record batch");
            assert.equal(buf.readInt16BE(21) & 0x07, compression, "batch compression");
            const batch = await kjsDecodeRecordBatch(buf);
            assertFields(batch, {
              producerId: "4242",
              producerEpoch: 7,
              firstSequence: p.firstSequence,
              inTransaction: transactionalId !== null,
              records: p.messages.map((m) => ({
                key: m.key === null ? null : b(m.key),
                value: b(m.value),
                timestamp: String(m.timestamp),
                headers: "headers" in m ? { source: b("web") } : {},
              })),
            });
          } else {
            const magic = v === 2 ? 1 : 0;
            assert.equal(buf.readInt8(16), magic, "message magic");
            assert.equal(buf.readInt8(17) & 0x07, compression, "message compression");
            const messages = await kjsDecodeMessageSet(buf);
            assertFields(
              messages,
              p.messages.map((m) => ({
                magicByte: magic,
                key: m.key === null ? null : b(m.key),
                value: b(m.value),
                ...(magic === 1 ? { timestamp: String(m.timestamp) } : {}),
              })),
            );
          }
        }
      });
    }
  }
});

describe("golden kafkajs requests: Fetch", () => {
  for (const v of versions(0, 11)) {
    it(`v${v}`, async () => {
      const body = await viaKafkajs(FetchApi, "fetch", v, {
        replicaId: -1,
        maxWaitTime: 500,
        minBytes: 1,
        maxBytes: 52_428_800,
        isolationLevel: 1,
        sessionId: 123,
        sessionEpoch: 4,
        rackId: "rack-a",
        forgottenTopics: [{ topic: "stale", partitions: [4, 5] }],
        topics: [
          {
            topic: "orders",
            partitions: [
              {
                partition: 0,
                currentLeaderEpoch: 5,
                fetchOffset: "1234567890123",
                logStartOffset: "17",
                maxBytes: 1_048_576,
              },
              { partition: 2, fetchOffset: "0", maxBytes: 65_536 },
            ],
          },
          { topic: "audit-log", partitions: [{ partition: 1, fetchOffset: "42", maxBytes: 1024 }] },
        ],
      });
      const partition = (
        p: number,
        offset: bigint,
        max: number,
        logStart: bigint,
        epoch: number,
      ): Record<string, unknown> => ({
        partition: p,
        fetchOffset: offset,
        partitionMaxBytes: max,
        ...(v >= 5 ? { logStartOffset: logStart } : {}),
        ...(v >= 9 ? { currentLeaderEpoch: epoch } : {}),
      });
      assertFields(body, {
        replicaId: -1,
        maxWaitMs: 500,
        minBytes: 1,
        ...(v >= 3 ? { maxBytes: 52_428_800 } : {}),
        ...(v >= 4 ? { isolationLevel: 1 } : {}),
        ...(v >= 7
          ? {
              sessionId: 123,
              sessionEpoch: 4,
              forgottenTopicsData: [{ topic: "stale", partitions: [4, 5] }],
            }
          : {}),
        ...(v >= 11 ? { rackId: "rack-a" } : {}),
        topics: [
          {
            topic: "orders",
            partitions: [
              partition(0, 1234567890123n, 1_048_576, 17n, 5),
              partition(2, 0n, 65_536, -1n, -1),
            ],
          },
          { topic: "audit-log", partitions: [partition(1, 42n, 1024, -1n, -1)] },
        ],
      });
    });
  }
});

describe("golden kafkajs requests: ListOffsets", () => {
  for (const v of versions(0, 3)) {
    it(`v${v}`, async () => {
      const body = await viaKafkajs(ListOffsetsApi, "listOffsets", v, {
        replicaId: -1,
        isolationLevel: 1,
        topics: [
          {
            topic: "orders",
            partitions: [
              { partition: 0, timestamp: -1 },
              { partition: 1, timestamp: T0, maxNumOffsets: 3 },
            ],
          },
          { topic: "audit-log", partitions: [{ partition: 2, timestamp: -2 }] },
        ],
      });
      assertFields(body, {
        replicaId: -1,
        ...(v >= 2 ? { isolationLevel: 1 } : {}),
        topics: [
          {
            name: "orders",
            partitions: [
              { partitionIndex: 0, timestamp: -1n, ...(v === 0 ? { maxNumOffsets: 1 } : {}) },
              {
                partitionIndex: 1,
                timestamp: BigInt(T0),
                ...(v === 0 ? { maxNumOffsets: 3 } : {}),
              },
            ],
          },
          { name: "audit-log", partitions: [{ partitionIndex: 2, timestamp: -2n }] },
        ],
      });
    });
  }
});

describe("golden kafkajs requests: Metadata", () => {
  for (const v of versions(0, 6)) {
    it(`v${v} named topics`, async () => {
      const body = await viaKafkajs(MetadataApi, "metadata", v, {
        topics: ["orders", "audit-log"],
        allowAutoTopicCreation: false,
      });
      assertFields(body, {
        topics: [{ name: "orders" }, { name: "audit-log" }],
        ...(v >= 4 ? { allowAutoTopicCreation: false } : {}),
      });
    });
    it(`v${v} all topics`, async () => {
      const body = await viaKafkajs(MetadataApi, "metadata", v, { topics: [] });
      // v0 has no null array: an empty one means "all"; v1+ kafkajs sends null.
      assertFields(body, {
        topics: v === 0 ? [] : null,
        ...(v >= 4 ? { allowAutoTopicCreation: true } : {}),
      });
    });
  }
});

describe("golden kafkajs requests: OffsetCommit", () => {
  for (const v of versions(0, 5)) {
    it(`v${v}`, async () => {
      const body = await viaKafkajs(OffsetCommitApi, "offsetCommit", v, {
        groupId: "billing",
        groupGenerationId: 12,
        memberId: "consumer-1-4f6c",
        retentionTime: 86_400_000,
        topics: [
          {
            topic: "orders",
            partitions: [
              { partition: 0, offset: "1001", timestamp: T0, metadata: "m1" },
              { partition: 3, offset: "7", timestamp: T0 + 1 },
            ],
          },
        ],
      });
      assertFields(body, {
        groupId: "billing",
        ...(v >= 1 ? { generationIdOrMemberEpoch: 12, memberId: "consumer-1-4f6c" } : {}),
        ...(v >= 2 && v <= 4 ? { retentionTimeMs: 86_400_000n } : {}),
        topics: [
          {
            name: "orders",
            partitions: [
              {
                partitionIndex: 0,
                committedOffset: 1001n,
                committedMetadata: "m1",
                ...(v === 1 ? { commitTimestamp: BigInt(T0) } : {}),
              },
              {
                partitionIndex: 3,
                committedOffset: 7n,
                committedMetadata: null,
                ...(v === 1 ? { commitTimestamp: BigInt(T0 + 1) } : {}),
              },
            ],
          },
        ],
      });
    });
  }
});

describe("golden kafkajs requests: OffsetFetch", () => {
  for (const v of versions(1, 4)) {
    it(`v${v} named partitions`, async () => {
      const body = await viaKafkajs(OffsetFetchApi, "offsetFetch", v, {
        groupId: "billing",
        topics: [
          { topic: "orders", partitions: [{ partition: 0 }, { partition: 3 }] },
          { topic: "audit-log", partitions: [{ partition: 1 }] },
        ],
      });
      assertFields(body, {
        groupId: "billing",
        topics: [
          { name: "orders", partitionIndexes: [0, 3] },
          { name: "audit-log", partitionIndexes: [1] },
        ],
      });
    });
    it(`v${v} no topics`, async () => {
      const body = await viaKafkajs(OffsetFetchApi, "offsetFetch", v, {
        groupId: "billing",
        topics: [],
      });
      // From v3 kafkajs sends null ("all committed offsets") for an empty list.
      assertFields(body, { groupId: "billing", topics: v >= 3 ? null : [] });
    });
  }
});

describe("golden kafkajs requests: FindCoordinator", () => {
  it("v0", async () => {
    const body = await viaKafkajs(FindCoordinatorApi, "findCoordinator", 0, { groupId: "billing" });
    assertFields(body, { key: "billing" });
  });
  for (const v of versions(1, 2)) {
    it(`v${v} group`, async () => {
      const body = await viaKafkajs(FindCoordinatorApi, "findCoordinator", v, {
        coordinatorKey: "billing",
        coordinatorType: 0,
      });
      assertFields(body, { key: "billing", keyType: 0 });
    });
    it(`v${v} transaction`, async () => {
      const body = await viaKafkajs(FindCoordinatorApi, "findCoordinator", v, {
        coordinatorKey: "txn-golden",
        coordinatorType: 1,
      });
      assertFields(body, { key: "txn-golden", keyType: 1 });
    });
  }
});
