import { byTopicPartition } from "@logbook/protocol";
import type { EndOffsets, GroupCoordinatorApi, GroupLag, PartitionLag } from "./coordinator-api.js";

/**
 * Lag of every partition a group has committed: high watermark - committed offset
 * (what a consumer still has to read), never timestamps. Works on any coordinator, so
 * the CLI and metrics share one definition.
 */
export async function lag(
  coordinator: Pick<
    GroupCoordinatorApi,
    "fetchOffsets" | "describeGroups" | "consumerGroupDescribe"
  >,
  groupId: string,
  endOffsets: EndOffsets,
): Promise<GroupLag> {
  const [described] = await coordinator.describeGroups([groupId]);
  // DescribeGroups knows classic groups only; a KIP-848 group answers for itself.
  const [consumer] = described?.exists ? [] : await coordinator.consumerGroupDescribe([groupId]);
  const fetched = await coordinator.fetchOffsets({
    groupId,
    partitions: null,
    requireStable: false,
  });
  const partitions: PartitionLag[] = [];
  let totalLag = 0;
  for (const o of fetched.offsets) {
    if (o.offset < 0n) continue;
    const committedOffset = Number(o.offset);
    const end = await endOffsets(o.topic, o.partition);
    if (end === null) {
      partitions.push({
        topic: o.topic,
        partition: o.partition,
        committedOffset,
        logEndOffset: -1,
        highWatermark: -1,
        lag: -1,
      });
      continue;
    }
    const partitionLag = Math.max(0, end.highWatermark - committedOffset);
    totalLag += partitionLag;
    partitions.push({
      topic: o.topic,
      partition: o.partition,
      committedOffset,
      logEndOffset: end.logEndOffset,
      highWatermark: end.highWatermark,
      lag: partitionLag,
    });
  }
  partitions.sort(byTopicPartition);
  return {
    groupId,
    groupState: described?.exists ? described.groupState : consumer?.groupState || null,
    partitions,
    totalLag,
  };
}
