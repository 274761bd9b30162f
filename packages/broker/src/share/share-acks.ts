import type { AckBatch } from "@logbook/group-coordinator";
import { ErrorCode } from "@logbook/protocol";
import type { SharePartitionService } from "./share-partition-service.js";
import type { ShareTopicPartition } from "./share-sessions.js";

/** One partition's acknowledgement batches, as ShareFetch and ShareAcknowledge carry them. */
export interface PartitionAcks extends ShareTopicPartition {
  readonly batches: readonly AckBatch[];
}

/** The acknowledgement batches of a request, flattened per partition (empty ones dropped). */
export function requestAcks(
  topics: readonly {
    topicId: Buffer;
    partitions: readonly { partitionIndex: number; acknowledgementBatches: readonly AckBatch[] }[];
  }[],
): PartitionAcks[] {
  return topics.flatMap((t) =>
    t.partitions
      .filter((p) => p.acknowledgementBatches.length > 0)
      .map((p) => ({
        topicId: t.topicId,
        partition: p.partitionIndex,
        batches: p.acknowledgementBatches,
      })),
  );
}

/**
 * Applies a member's acknowledgements, each partition on its own (all or nothing within
 * it), and answers each partition's error: UNKNOWN_TOPIC_OR_PARTITION for a partition
 * that does not exist, INVALID_RECORD_STATE for records the member does not hold.
 */
export async function applyAcks(
  share: SharePartitionService,
  partitionExists: (tp: ShareTopicPartition) => boolean,
  groupId: string,
  memberId: string,
  acks: readonly PartitionAcks[],
): Promise<ErrorCode[]> {
  const state = share.state;
  const out: ErrorCode[] = [];
  for (const a of acks) {
    if (state === null) out.push(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    else if (!partitionExists(a)) out.push(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    else
      out.push(
        await state.acknowledge(
          { groupId, topicId: a.topicId, partition: a.partition },
          memberId,
          a.batches,
        ),
      );
  }
  return out;
}
