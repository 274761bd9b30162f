/**
 * Golden tests against kafkajs 2.2.4's response decoders: produce, fetch (kafkajs-built
 * record batches and message sets), offsets, metadata.
 * Each response is built with our `create`, framed and encoded with our encoders, read back
 * the way kafkajs's connection does and decoded by kafkajs (`decode`, then `parse`), which
 * must see the same values and read every byte of the body.
 */
import { describe, it } from "node:test";
import {
  createFetchResponse,
  createFetchResponseAbortedTransaction,
  createFetchResponseFetchableTopicResponse,
  createFetchResponsePartitionData,
  createListOffsetsResponse,
  createListOffsetsResponsePartitionResponse,
  createListOffsetsResponseTopicResponse,
  createMetadataResponse,
  createMetadataResponseBroker,
  createMetadataResponsePartition,
  createMetadataResponseTopic,
  createProduceResponse,
  createProduceResponsePartition,
  createProduceResponseTopic,
  FetchApi,
  ListOffsetsApi,
  MetadataApi,
  ProduceApi,
} from "../src/index.js";
import {
  assertFields,
  BIG,
  KjsCompression,
  kjsMessageSet,
  kjsRecordBatch,
  T0,
  throttle,
  toKafkajs,
  versions,
} from "./helpers/kafkajs.js";

describe("golden kafkajs responses: Produce", () => {
  for (const v of versions(0, 7)) {
    it(`v${v}`, async () => {
      const value = createProduceResponse({
        throttleTimeMs: 250,
        responses: [
          createProduceResponseTopic({
            name: "orders",
            partitionResponses: [
              createProduceResponsePartition({
                index: 0,
                baseOffset: 1001n,
                logAppendTimeMs: BigInt(T0),
                logStartOffset: 17n,
              }),
              createProduceResponsePartition({
                index: 3,
                baseOffset: BIG,
                logAppendTimeMs: -1n,
                logStartOffset: 0n,
              }),
            ],
          }),
          createProduceResponseTopic({
            name: "audit-log",
            partitionResponses: [createProduceResponsePartition({ index: 1, baseOffset: 0n })],
          }),
        ],
      });
      const seen = await toKafkajs(ProduceApi, "produce", v, value);
      const partition = (p: number, offset: bigint, appendTime: bigint, logStart: bigint) => ({
        partition: p,
        errorCode: 0,
        ...(v < 3 ? { offset: String(offset) } : { baseOffset: String(offset) }),
        ...(v === 2 ? { timestamp: String(appendTime) } : {}),
        ...(v >= 3 ? { logAppendTime: String(appendTime) } : {}),
        ...(v >= 5 ? { logStartOffset: String(logStart) } : {}),
      });
      assertFields(seen, {
        ...(v >= 1 ? throttle(250, 6, v) : {}),
        topics: [
          {
            topicName: "orders",
            partitions: [partition(0, 1001n, BigInt(T0), 17n), partition(3, BIG, -1n, 0n)],
          },
          // logStartOffset defaults to -1 and logAppendTimeMs to -1 when not given.
          { topicName: "audit-log", partitions: [partition(1, 0n, -1n, -1n)] },
        ],
      });
    });
  }
});

describe("golden kafkajs responses: Fetch", () => {
  const messages = [
    { key: "order-1", value: "created", timestampDelta: 0, headers: { source: "web" } },
    { key: null, value: "paid ✓", timestampDelta: 25 },
  ];
  for (const v of versions(0, 11)) {
    it(`v${v}`, async () => {
      // Brokers down-convert to the message format a fetch version can carry.
      const records =
        v >= 4
          ? await kjsRecordBatch({
              compression: KjsCompression.None,
              firstOffset: 101n,
              firstTimestamp: T0,
              records: messages,
            })
          : kjsMessageSet(
              v >= 2 ? 1 : 0,
              messages.map((m) => ({
                key: m.key,
                value: m.value,
                timestamp: T0 + m.timestampDelta,
              })),
            );
      const value = createFetchResponse({
        throttleTimeMs: 100,
        errorCode: 0,
        sessionId: 777,
        responses: [
          createFetchResponseFetchableTopicResponse({
            topic: "orders",
            partitions: [
              createFetchResponsePartitionData({
                partitionIndex: 0,
                highWatermark: 105n,
                lastStableOffset: 103n,
                logStartOffset: 100n,
                abortedTransactions: [
                  createFetchResponseAbortedTransaction({ producerId: 4242n, firstOffset: 101n }),
                ],
                preferredReadReplica: 2,
                records,
              }),
              createFetchResponsePartitionData({
                partitionIndex: 1,
                highWatermark: BIG,
                lastStableOffset: BIG,
                logStartOffset: 0n,
                abortedTransactions: null,
                records: Buffer.alloc(0),
              }),
            ],
          }),
        ],
      });
      const seen = await toKafkajs(FetchApi, "fetch", v, value);
      const b = (s: string): Buffer => Buffer.from(s, "utf8");
      const partition = (
        p: number,
        hw: bigint,
        lso: bigint,
        logStart: bigint,
        aborted: Record<string, string>[],
        replica: number,
        got: Record<string, unknown>[],
      ) => ({
        partition: p,
        errorCode: 0,
        highWatermark: String(hw),
        ...(v >= 4 ? { lastStableOffset: String(lso), abortedTransactions: aborted } : {}),
        ...(v >= 5 ? { lastStartOffset: String(logStart) } : {}),
        ...(v >= 11 ? { preferredReadReplica: replica } : {}),
        messages: got,
      });
      const delivered = messages.map((m) => ({
        key: m.key === null ? null : b(m.key),
        value: b(m.value),
        ...(v >= 2 ? { timestamp: String(T0 + m.timestampDelta) } : {}),
        ...(v >= 4 ? { headers: "headers" in m ? { source: b("web") } : {} } : {}),
      }));
      assertFields(seen, {
        ...(v >= 1 ? throttle(100, 8, v) : {}),
        ...(v >= 7 ? { errorCode: 0, sessionId: 777 } : {}),
        responses: [
          {
            topicName: "orders",
            partitions: [
              partition(
                0,
                105n,
                103n,
                100n,
                [{ producerId: "4242", firstOffset: "101" }],
                2,
                delivered,
              ),
              partition(1, BIG, BIG, 0n, [], -1, []),
            ],
          },
        ],
      });
      if (v >= 4) {
        assertFields(seen, {
          responses: [{ partitions: [{ messages: [{ offset: "101" }, { offset: "102" }] }, {}] }],
        });
      }
    });
  }
});

describe("golden kafkajs responses: ListOffsets", () => {
  for (const v of versions(0, 3)) {
    it(`v${v}`, async () => {
      const value = createListOffsetsResponse({
        throttleTimeMs: 12,
        topics: [
          createListOffsetsResponseTopicResponse({
            name: "orders",
            partitions: [
              createListOffsetsResponsePartitionResponse({
                partitionIndex: 0,
                oldStyleOffsets: [1001n, 0n],
                timestamp: -1n,
                offset: 1001n,
              }),
              createListOffsetsResponsePartitionResponse({
                partitionIndex: 1,
                oldStyleOffsets: [BIG],
                timestamp: BigInt(T0),
                offset: BIG,
              }),
            ],
          }),
        ],
      });
      const seen = await toKafkajs(ListOffsetsApi, "listOffsets", v, value);
      const partition = (p: number, old: bigint[], ts: bigint, offset: bigint) =>
        v === 0
          ? { partition: p, errorCode: 0, offsets: old.map(String) }
          : { partition: p, errorCode: 0, timestamp: String(ts), offset: String(offset) };
      assertFields(seen, {
        ...(v >= 2 ? throttle(12, 3, v) : {}),
        responses: [
          {
            topic: "orders",
            partitions: [
              partition(0, [1001n, 0n], -1n, 1001n),
              partition(1, [BIG], BigInt(T0), BIG),
            ],
          },
        ],
      });
    });
  }
});

describe("golden kafkajs responses: Metadata", () => {
  for (const v of versions(0, 6)) {
    it(`v${v}`, async () => {
      const value = createMetadataResponse({
        throttleTimeMs: 40,
        brokers: [
          createMetadataResponseBroker({
            nodeId: 1,
            host: "broker-1.local",
            port: 9092,
            rack: "rack-a",
          }),
          createMetadataResponseBroker({
            nodeId: 2,
            host: "broker-2.local",
            port: 9093,
            rack: null,
          }),
        ],
        clusterId: "logbook-cluster",
        controllerId: 1,
        topics: [
          createMetadataResponseTopic({
            name: "orders",
            isInternal: false,
            partitions: [
              createMetadataResponsePartition({
                partitionIndex: 0,
                leaderId: 1,
                replicaNodes: [1, 2],
                isrNodes: [1, 2],
                offlineReplicas: [],
              }),
              createMetadataResponsePartition({
                partitionIndex: 1,
                leaderId: 2,
                replicaNodes: [2, 1],
                isrNodes: [2],
                offlineReplicas: [1],
              }),
            ],
          }),
          createMetadataResponseTopic({
            name: "__consumer_offsets",
            isInternal: true,
            partitions: [],
          }),
        ],
      });
      const seen = await toKafkajs(MetadataApi, "metadata", v, value);
      const broker = (id: number, host: string, port: number, rack: string | null) => ({
        nodeId: id,
        host,
        port,
        ...(v >= 1 ? { rack } : {}),
      });
      const partition = (
        p: number,
        leader: number,
        replicas: number[],
        isr: number[],
        offline: number[],
      ) => ({
        partitionErrorCode: 0,
        partitionId: p,
        leader,
        replicas,
        isr,
        ...(v >= 5 ? { offlineReplicas: offline } : {}),
      });
      assertFields(seen, {
        ...(v >= 3 ? throttle(40, 6, v) : {}),
        brokers: [
          broker(1, "broker-1.local", 9092, "rack-a"),
          broker(2, "broker-2.local", 9093, null),
        ],
        ...(v >= 1 ? { controllerId: 1 } : {}),
        ...(v >= 2 ? { clusterId: "logbook-cluster" } : {}),
        topicMetadata: [
          {
            topicErrorCode: 0,
            topic: "orders",
            ...(v >= 1 ? { isInternal: false } : {}),
            partitionMetadata: [
              partition(0, 1, [1, 2], [1, 2], []),
              partition(1, 2, [2, 1], [2], [1]),
            ],
          },
          {
            topicErrorCode: 0,
            topic: "__consumer_offsets",
            ...(v >= 1 ? { isInternal: true } : {}),
            partitionMetadata: [],
          },
        ],
      });
    });
  }
});
