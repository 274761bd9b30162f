/** Steps several differential files share: records to produce, topic ids, coordinators. */
import {
  type BatchRecord,
  type CompressionCodecId,
  createEndTxnRequest,
  createFindCoordinatorRequest,
  createInitProducerIdRequest,
  createMetadataRequest,
  createMetadataRequestMetadataRequestTopic,
  EndTxnApi,
  ErrorCode,
  encodeBatch,
  FindCoordinatorApi,
  InitProducerIdApi,
  MetadataApi,
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
      topics: [createMetadataRequestMetadataRequestTopic({ name: topic })],
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

/**
 * Asks both for the coordinator of `key` until it is available: Kafka creates
 * __consumer_offsets / __transaction_state on first use and says
 * COORDINATOR_NOT_AVAILABLE meanwhile.
 */
export async function settleCoordinator(conv: Conversation, key: string, keyType: 0 | 1) {
  await conv.settle(
    FindCoordinatorApi,
    3,
    createFindCoordinatorRequest({ key, keyType }),
    (r) =>
      r.errorCode === ErrorCode.COORDINATOR_NOT_AVAILABLE ||
      r.errorCode === ErrorCode.NOT_COORDINATOR,
  );
}

/**
 * Waits until Kafka's transaction coordinator answers for transactional ids (its
 * __transaction_state partitions load after the topic exists): an EndTxn for an
 * unknown id must come back INVALID_PRODUCER_ID_MAPPING rather than NOT_COORDINATOR.
 */
export async function settleTransactions(conv: Conversation): Promise<void> {
  await settleCoordinator(conv, "probe-txn", 1);
  const loading: readonly number[] = [
    ErrorCode.NOT_COORDINATOR,
    ErrorCode.COORDINATOR_LOAD_IN_PROGRESS,
    ErrorCode.COORDINATOR_NOT_AVAILABLE,
  ];
  await conv.settle(
    EndTxnApi,
    3,
    createEndTxnRequest({
      transactionalId: "probe-txn",
      producerId: 4242n,
      producerEpoch: 0,
      committed: false,
    }),
    (r) => loading.includes(r.errorCode),
  );
  await conv.settle(
    InitProducerIdApi,
    4,
    createInitProducerIdRequest({ transactionalId: null, transactionTimeoutMs: 60_000 }),
    (r) => loading.includes(r.errorCode),
  );
}
