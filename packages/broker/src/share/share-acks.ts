import { type AckBatch, AckType } from "@logbook/group-coordinator";
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

/** What a request allows its acknowledgement batches to carry. */
export interface AckRules {
  /** v2+ (KIP-1222): RENEW is a known type. */
  readonly renewKnown: boolean;
  /** The request's IsRenewAck: RENEW may be used (only with it, as Kafka). */
  readonly isRenewAck: boolean;
}

/** The rules of a ShareFetch/ShareAcknowledge of `version` with its IsRenewAck. */
export function ackRules(version: number, isRenewAck: boolean): AckRules {
  return { renewKnown: version >= 2, isRenewAck: version >= 2 && isRenewAck };
}

/**
 * Whether one partition's batches are well formed, checked before anything is applied
 * as Kafka does: each batch a range (first <= last) not starting below the previous
 * batch's last offset, with one type or one per offset, every type known at the
 * request's version, and RENEW only in a request flagged IsRenewAck.
 */
export function malformedAcks(batches: readonly AckBatch[], rules: AckRules): boolean {
  const maxType = rules.renewKnown ? AckType.RENEW : AckType.REJECT;
  let previousLast = -1n;
  for (const b of batches) {
    const types = b.acknowledgeTypes;
    if (b.firstOffset > b.lastOffset || b.firstOffset < previousLast || types.length === 0)
      return true;
    if (types.length > 1 && b.lastOffset - b.firstOffset !== BigInt(types.length - 1)) return true;
    if (types.some((t) => t < AckType.GAP || t > maxType)) return true;
    if (!rules.isRenewAck && types.includes(AckType.RENEW)) return true;
    previousLast = b.lastOffset;
  }
  return false;
}

/**
 * Applies a member's acknowledgements, each partition on its own (all or nothing within
 * it), and answers each partition's error: INVALID_REQUEST for malformed batches (see
 * malformedAcks), UNKNOWN_TOPIC_OR_PARTITION for a partition that does not exist,
 * INVALID_RECORD_STATE for records the member does not hold.
 */
export async function applyAcks(
  share: SharePartitionService,
  partitionExists: (tp: ShareTopicPartition) => boolean,
  groupId: string,
  memberId: string,
  acks: readonly PartitionAcks[],
  rules: AckRules,
): Promise<ErrorCode[]> {
  const state = share.state;
  const out: ErrorCode[] = [];
  for (const a of acks) {
    if (malformedAcks(a.batches, rules)) out.push(ErrorCode.INVALID_REQUEST);
    else if (state === null) out.push(ErrorCode.COORDINATOR_NOT_AVAILABLE);
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
