/** Produce and Fetch over the raw protocol, for reading back what other clients wrote. */
import {
  createFetchRequest,
  createFetchRequestPartition,
  createFetchRequestTopic,
  createProduceRequest,
  createProduceRequestTopicData,
  type DecodedBatch,
  decodeAllBatches,
  encodeBatch,
  FetchApi,
  ProduceApi,
} from "@logbook/protocol";
import { WireClient } from "./wire-client.js";

export interface FetchedRecord {
  offset: bigint;
  key: string | null;
  value: string | null;
  headers: Record<string, string>;
  timestamp: bigint;
  compression: number;
}

/** One Fetch v11 (no wait) of `partitions` of `topic` from `from`: the response body. */
export async function fetchOnce(
  port: number,
  topic: string,
  partitions: readonly number[],
  from = 0n,
) {
  const c = await WireClient.connect(port);
  try {
    return await fetchOn(c, topic, partitions, from);
  } finally {
    c.close();
  }
}

async function fetchOn(c: WireClient, topic: string, partitions: readonly number[], from: bigint) {
  const r = await c.request(
    FetchApi,
    11,
    createFetchRequest({
      maxWaitMs: 0,
      minBytes: 0,
      maxBytes: 64 * 1024 * 1024,
      sessionEpoch: -1,
      topics: [
        createFetchRequestTopic({
          topic,
          partitions: partitions.map((partition) =>
            createFetchRequestPartition({
              partition,
              fetchOffset: from,
              partitionMaxBytes: 16 * 1024 * 1024,
            }),
          ),
        }),
      ],
    }),
  );
  return r.body;
}

/** Every record of one partition from `from` up to the high watermark (Fetch v11). */
export async function fetchAll(
  port: number,
  topic: string,
  partition: number,
  from = 0n,
): Promise<{ records: FetchedRecord[]; batches: DecodedBatch[]; highWatermark: bigint }> {
  const records: FetchedRecord[] = [];
  const batches: DecodedBatch[] = [];
  let offset = from;
  let highWatermark = -1n;
  const c = await WireClient.connect(port);
  try {
    for (;;) {
      const body = await fetchOn(c, topic, [partition], offset);
      const p = body.responses[0]?.partitions[0];
      if (p === undefined) throw new Error("fetch returned no partition");
      if (p.errorCode !== 0) throw new Error(`fetch error ${p.errorCode}`);
      highWatermark = p.highWatermark;
      const got = p.records === null ? [] : await decodeAllBatches(p.records);
      let advanced = false;
      for (const b of got) {
        batches.push(b);
        for (const rec of b.records) {
          const o = b.baseOffset + BigInt(rec.offsetDelta);
          if (o < offset) continue; // a batch starting before the fetch offset (pitfall 14)
          records.push({
            offset: o,
            key: rec.key === null ? null : rec.key.toString(),
            value: rec.value === null ? null : rec.value.toString(),
            headers: Object.fromEntries(rec.headers.map((h) => [h.key, h.value?.toString() ?? ""])),
            timestamp: b.baseTimestamp + rec.timestampDelta,
            compression: b.compression,
          });
        }
        const next = b.baseOffset + BigInt(b.lastOffsetDelta) + 1n;
        if (next > offset) {
          offset = next;
          advanced = true;
        }
      }
      if (offset >= highWatermark || !advanced) break;
    }
  } finally {
    c.close();
  }
  return { records, batches, highWatermark };
}

/** An idempotent producer's identity and the sequence of a batch's first record. */
export interface BatchProducer {
  id: bigint;
  epoch: number;
  baseSequence: number;
}

/**
 * Produces records (acks=-1, Produce v7), as one batch of `producer` when given (else
 * plain), and returns the base offset.
 */
export async function produceValues(
  port: number,
  topic: string,
  partition: number,
  values: string[],
  producer?: BatchProducer,
): Promise<{ errorCode: number; baseOffset: bigint }> {
  const batch = await encodeBatch({
    ...(producer === undefined
      ? {}
      : {
          producerId: producer.id,
          producerEpoch: producer.epoch,
          baseSequence: producer.baseSequence,
        }),
    baseTimestamp: BigInt(Date.now()),
    records: values.map((v, i) => ({
      attributes: 0,
      timestampDelta: 0n,
      offsetDelta: i,
      key: null,
      value: Buffer.from(v),
      headers: [],
    })),
  });
  const c = await WireClient.connect(port);
  try {
    const r = await c.request(
      ProduceApi,
      7,
      createProduceRequest({
        acks: -1,
        timeoutMs: 5000,
        topicData: [
          createProduceRequestTopicData({
            name: topic,
            partitionData: [{ index: partition, records: batch }],
          }),
        ],
      }),
    );
    const p = r.body.responses[0]?.partitionResponses[0];
    if (p === undefined) throw new Error("produce returned no partition");
    return { errorCode: p.errorCode, baseOffset: p.baseOffset };
  } finally {
    c.close();
  }
}
