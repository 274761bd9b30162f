/** Steps several differential files share: records to produce, topic ids, coordinators. */
import assert from "node:assert/strict";
import {
  ApiVersionsApi,
  type ApiVersionsResponse,
  type BatchRecord,
  type CompressionCodecId,
  createApiVersionsRequest,
  createEndTxnRequest,
  createFindCoordinatorRequest,
  createInitProducerIdRequest,
  createMetadataRequest,
  createMetadataRequestTopic,
  createOffsetFetchRequest,
  EndTxnApi,
  ErrorCode,
  encodeBatch,
  FindCoordinatorApi,
  InitProducerIdApi,
  MetadataApi,
  OffsetFetchApi,
} from "@logbook/protocol";
import type { Conversation, Side } from "./pair.js";

/** A fixed timestamp, so that neither broker's clock shows in what is compared. */
export const T0 = 1_700_000_000_000n;

export function records(n: number, prefix = "r"): BatchRecord[] {
  return Array.from({ length: n }, (_, i) => ({
    attributes: 0,
    timestampDelta: BigInt(i),
    offsetDelta: i,
    key: Buffer.from(`${prefix}-k${i}`),
    value: Buffer.from(`${prefix}-v${i}`),
    headers: [{ key: "h", value: Buffer.from(String(i)) }],
  }));
}

export function batch(
  n: number,
  opts: {
    compression?: CompressionCodecId;
    producerId?: bigint;
    producerEpoch?: number;
    baseSequence?: number;
    transactional?: boolean;
    prefix?: string;
  } = {},
): Promise<Buffer> {
  return encodeBatch({
    baseTimestamp: T0,
    records: records(n, opts.prefix),
    compression: opts.compression ?? 0,
    producerId: opts.producerId ?? -1n,
    producerEpoch: opts.producerEpoch ?? -1,
    baseSequence: opts.baseSequence ?? -1,
    isTransactional: opts.transactional ?? false,
  });
}

/** Each broker's id for `topic` (random per broker, so kept per side). */
export async function topicIds(conv: Conversation, topic: string): Promise<Record<Side, Buffer>> {
  const md = await conv.same(
    MetadataApi,
    12,
    createMetadataRequest({
      topics: [createMetadataRequestTopic({ name: topic })],
      allowAutoTopicCreation: false,
    }),
  );
  const id = (s: Side): Buffer => {
    const t = md[s].topics[0];
    if (t === undefined) throw new Error(`${s}: no metadata for ${topic}`);
    return t.topicId;
  };
  return { kafka: id("kafka"), logbook: id("logbook") };
}

const LOADING: readonly number[] = [
  ErrorCode.NOT_COORDINATOR,
  ErrorCode.COORDINATOR_LOAD_IN_PROGRESS,
  ErrorCode.COORDINATOR_NOT_AVAILABLE,
];

/**
 * Asks both for the coordinator of `key` until it is available, then (for a group)
 * until it answers OffsetFetch: Kafka creates __consumer_offsets / __transaction_state
 * on first use and answers COORDINATOR_NOT_AVAILABLE, then NOT_COORDINATOR or
 * COORDINATOR_LOAD_IN_PROGRESS while their partitions load.
 */
export async function settleCoordinator(conv: Conversation, key: string, keyType: 0 | 1) {
  await conv.settle(FindCoordinatorApi, 3, createFindCoordinatorRequest({ key, keyType }), (r) =>
    LOADING.includes(r.errorCode),
  );
  if (keyType === 0) {
    await conv.settle(
      OffsetFetchApi,
      7,
      createOffsetFetchRequest({ groupId: key, topics: null }),
      (r) => LOADING.includes(r.errorCode),
    );
  }
}

/**
 * Waits until Kafka's transaction coordinator answers for transactional ids (its
 * __transaction_state partitions load after the topic exists): an EndTxn for an
 * unknown id must come back INVALID_PRODUCER_ID_MAPPING rather than NOT_COORDINATOR.
 */
export async function settleTransactions(conv: Conversation): Promise<void> {
  await settleCoordinator(conv, "probe-txn", 1);
  await conv.settle(
    EndTxnApi,
    3,
    createEndTxnRequest({
      transactionalId: "probe-txn",
      producerId: 4242n,
      producerEpoch: 0,
      committed: false,
    }),
    (r) => LOADING.includes(r.errorCode),
  );
  await conv.settle(
    InitProducerIdApi,
    4,
    createInitProducerIdRequest({ transactionalId: null, transactionTimeoutMs: 60_000 }),
    (r) => LOADING.includes(r.errorCode),
  );
}

/** Both brokers' ApiVersions (v3) answers. */
export async function apiVersions(conv: Conversation): Promise<Record<Side, ApiVersionsResponse>> {
  const av = await conv.exchange(
    ApiVersionsApi,
    3,
    createApiVersionsRequest({ clientSoftwareName: "probe", clientSoftwareVersion: "1" }),
  );
  if (av.kafka.kind !== "answer" || av.logbook.kind !== "answer") assert.fail("ApiVersions");
  return { kafka: av.kafka.body, logbook: av.logbook.body };
}
