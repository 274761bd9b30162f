import {
  createFetchRequest,
  createFetchRequestPartition,
  createFetchRequestTopic,
  createProduceRequest,
  createProduceRequestPartitionData,
  createProduceRequestTopicData,
  type FetchRequest,
  type FetchResponse,
  type FetchResponsePartitionData,
  type ProduceRequest,
  type ProduceResponse,
  type ProduceResponsePartition,
  RecordBatchHeader,
} from "@logbook/protocol";

/** A Produce request for one partition. */
export function produceRequest(
  topic: string,
  partition: number,
  records: Buffer | null,
  acks = -1,
  /** Transactional batches need one, as Kafka. */
  transactionalId: string | null = null,
): ProduceRequest {
  return createProduceRequest({
    acks,
    timeoutMs: 1000,
    transactionalId,
    topicData: [
      createProduceRequestTopicData({
        name: topic,
        partitionData: [createProduceRequestPartitionData({ index: partition, records })],
      }),
    ],
  });
}

/** The only partition result of a one-partition Produce response. */
export function onlyProduceResult(res: ProduceResponse): ProduceResponsePartition {
  const p = res.responses[0]?.partitionResponses[0];
  if (p === undefined) throw new Error("no partition in produce response");
  return p;
}

export interface FetchPartitionSpec {
  topic: string;
  topicId?: Buffer;
  partition: number;
  offset: bigint;
  maxBytes?: number;
}

/** A Fetch request; defaults: no wait, min 1 byte, sessionless, read_uncommitted. */
export function fetchRequest(
  parts: FetchPartitionSpec[],
  init: Partial<FetchRequest> = {},
): FetchRequest {
  const topics = new Map<string, FetchPartitionSpec[]>();
  for (const p of parts) topics.set(p.topic, [...(topics.get(p.topic) ?? []), p]);
  return createFetchRequest({
    maxWaitMs: 0,
    minBytes: 1,
    ...init,
    topics: [...topics.entries()].map(([topic, ps]) =>
      createFetchRequestTopic({
        topic,
        topicId: ps[0]?.topicId ?? Buffer.alloc(16),
        partitions: ps.map((p) =>
          createFetchRequestPartition({
            partition: p.partition,
            fetchOffset: p.offset,
            partitionMaxBytes: p.maxBytes ?? 1024 * 1024,
          }),
        ),
      }),
    ),
  });
}

/** Every partition of a Fetch response as "topic:partition" → data. */
export function fetchedPartitions(res: FetchResponse): Map<string, FetchResponsePartitionData> {
  const out = new Map<string, FetchResponsePartitionData>();
  for (const t of res.responses) {
    for (const p of t.partitions)
      out.set(`${t.topic === "" ? t.topicId.toString("hex") : t.topic}:${p.partitionIndex}`, p);
  }
  return out;
}

/** Base offsets of the batches in a records blob. */
export function batchBaseOffsets(records: Buffer | null): bigint[] {
  const out: bigint[] = [];
  if (records === null) return out;
  for (let at = 0; at < records.length; ) {
    const h = RecordBatchHeader.at(records, at);
    if (h.end > records.length) break;
    out.push(h.baseOffset);
    at = h.end;
  }
  return out;
}
