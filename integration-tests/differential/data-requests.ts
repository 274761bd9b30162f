/** Produce, Fetch and ListOffsets request bodies the data-path differential tests send. */
import {
  createFetchRequest,
  createFetchRequestPartition,
  createFetchRequestTopic,
  createListOffsetsRequest,
  createListOffsetsRequestPartition,
  createListOffsetsRequestTopic,
  createProduceRequest,
  createProduceRequestPartitionData,
  createProduceRequestTopicData,
  type FetchRequest,
  type ListOffsetsRequest,
  type ProduceRequest,
} from "@logbook/protocol";

export function produce(
  topic: string,
  partition: number,
  records: Buffer,
  opts: { acks?: number; transactionalId?: string | null } = {},
): ProduceRequest {
  return createProduceRequest({
    acks: opts.acks ?? -1,
    timeoutMs: 5000,
    transactionalId: opts.transactionalId ?? null,
    topicData: [
      createProduceRequestTopicData({
        name: topic,
        partitionData: [createProduceRequestPartitionData({ index: partition, records })],
      }),
    ],
  });
}

export function fetch(
  topic: string,
  partition: number,
  fetchOffset: bigint,
  opts: { topicId?: Buffer; isolationLevel?: number } = {},
): FetchRequest {
  return createFetchRequest({
    maxWaitMs: 0,
    minBytes: 0,
    maxBytes: 1 << 20,
    sessionEpoch: -1,
    isolationLevel: opts.isolationLevel ?? 0,
    topics: [
      createFetchRequestTopic({
        topic,
        topicId: opts.topicId ?? Buffer.alloc(16),
        partitions: [
          createFetchRequestPartition({ partition, fetchOffset, partitionMaxBytes: 1 << 20 }),
        ],
      }),
    ],
  });
}

export function listOffsets(
  topic: string,
  partition: number,
  timestamp: bigint,
): ListOffsetsRequest {
  return createListOffsetsRequest({
    replicaId: -1,
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
  });
}
