/** Partition offsets through ListOffsets, sent to each partition's leader. */
import { byTopicPartition, createListOffsetsRequest, ListOffsetsApi } from "@logbook/protocol";
import type { KafkaClient } from "../kafka-client.js";
import { check } from "../kafka-error.js";

/** ListOffsets' special timestamps. */
export const OffsetSpec = { LATEST: -1n, EARLIEST: -2n, MAX_TIMESTAMP: -3n } as const;

export interface PartitionOffset {
  readonly topic: string;
  readonly partition: number;
  readonly offset: bigint;
  readonly timestamp: bigint;
}

/**
 * The offset each partition of `topics` has for `spec` (a timestamp in ms, or LATEST /
 * EARLIEST), `partitions` limiting which; read_uncommitted unless `committedOnly`.
 */
export async function listOffsets(
  client: KafkaClient,
  topics: readonly string[],
  spec: bigint,
  options: { partitions?: ReadonlySet<number>; committedOnly?: boolean } = {},
): Promise<PartitionOffset[]> {
  const leaders = await client.leaders(topics);
  const byLeader = new Map<number, Map<string, number[]>>();
  for (const [topic, parts] of leaders)
    for (const [partition, leader] of parts) {
      if (options.partitions !== undefined && !options.partitions.has(partition)) continue;
      const t = byLeader.get(leader) ?? new Map<string, number[]>();
      byLeader.set(leader, t);
      t.set(topic, [...(t.get(topic) ?? []), partition]);
    }
  const answers = await Promise.all(
    [...byLeader].map(async ([leader, wanted]) => {
      const conn = await client.broker(leader);
      const { body } = await conn.send(ListOffsetsApi, () =>
        createListOffsetsRequest({
          replicaId: -1,
          isolationLevel: options.committedOnly === true ? 1 : 0,
          topics: [...wanted].map(([name, partitions]) => ({
            name,
            partitions: partitions.map((partitionIndex) => ({
              partitionIndex,
              currentLeaderEpoch: -1,
              timestamp: spec,
              maxNumOffsets: 1,
            })),
          })),
        }),
      );
      return body.topics.flatMap((t) =>
        t.partitions.map((p) => {
          check(p.errorCode, null, `${t.name}-${p.partitionIndex}`);
          return {
            topic: t.name,
            partition: p.partitionIndex,
            offset: p.offset,
            timestamp: p.timestamp,
          };
        }),
      );
    }),
  );
  return answers.flat().sort(byTopicPartition);
}
