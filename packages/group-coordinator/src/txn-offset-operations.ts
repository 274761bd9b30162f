import { createOffsetCommitValue, ErrorCode } from "@logbook/protocol";
import type { CoordinatorConfig } from "./config.js";
import { consumerTxnCommitError } from "./consumer-offset-checks.js";
import type { CommitOffsetsResult, TxnCommitOffsetsInput } from "./coordinator-api.js";
import { type ClassicGroup, memberIdentityError } from "./group.js";
import type { Plan } from "./offset-operations.js";
import type { CoordinatorRecord } from "./records.js";

type Groups = ReadonlyMap<string, ClassicGroup>;

/**
 * The group-level error of a TxnOffsetCommit, NONE when it may proceed. As Kafka's
 * validateOffsetCommit with isTransactional: without member id, generation and instance
 * id (v0-2, or a producer outside any group) nothing is checked, since a transactional
 * producer need not be a member; otherwise the member must be the group's current one.
 * Unlike OffsetCommit, a rebalance in progress does not refuse it (Kafka does not).
 */
export function txnCommitGroupError(
  group: ClassicGroup | undefined,
  input: TxnCommitOffsetsInput,
): number {
  if (input.groupId === "") return ErrorCode.INVALID_GROUP_ID;
  if (group?.state === "Dead") return ErrorCode.COORDINATOR_NOT_AVAILABLE;
  const checked =
    input.generationId >= 0 || input.memberId !== "" || input.groupInstanceId !== null;
  if (!checked) return ErrorCode.NONE;
  if (group === undefined) return ErrorCode.UNKNOWN_MEMBER_ID;
  if (group.consumer !== null) return consumerTxnCommitError(group.consumer, input);
  return memberIdentityError(group, input);
}

export function planTxnCommit(
  groups: Groups,
  config: CoordinatorConfig,
  now: number,
  input: TxnCommitOffsetsInput,
): Plan<CommitOffsetsResult> {
  let groupError = txnCommitGroupError(groups.get(input.groupId), input);
  if (groupError === ErrorCode.NONE && input.verifyTransaction !== undefined) {
    groupError = input.verifyTransaction();
  }
  const records: CoordinatorRecord[] = [];
  const partitions = input.offsets.map((o) => {
    const answer = (errorCode: number) => ({ topic: o.topic, partition: o.partition, errorCode });
    if (groupError !== ErrorCode.NONE) return answer(groupError);
    if (o.metadata !== null && Buffer.byteLength(o.metadata) > config.offsetMetadataMaxBytes) {
      return answer(ErrorCode.OFFSET_METADATA_TOO_LARGE);
    }
    records.push({
      kind: "txn-offset",
      group: input.groupId,
      producerId: input.producerId,
      topic: o.topic,
      partition: o.partition,
      value: {
        producerEpoch: input.producerEpoch,
        offset: createOffsetCommitValue({
          offset: o.offset,
          leaderEpoch: o.leaderEpoch,
          metadata: o.metadata ?? "",
          commitTimestamp: BigInt(now),
          expireTimestamp: -1n,
        }),
      },
    });
    return answer(ErrorCode.NONE);
  });
  return { records, result: { partitions } };
}

/**
 * The records ending a producer's transaction in every group: a tombstone per pending
 * key and, on commit, the offset it becomes. Appended as one batch, so after a crash the
 * transaction is either still pending (and the coordinator completes it again) or done.
 * The epoch is not compared: the transaction coordinator only completes the transaction
 * it owns, and KIP-890 markers carry a bumped epoch.
 */
export function planCompleteTransaction(
  groups: Groups,
  producerId: bigint,
  commit: boolean,
): CoordinatorRecord[] {
  const records: CoordinatorRecord[] = [];
  for (const g of groups.values()) {
    const byPartition = g.pendingTxnOffsets.get(producerId);
    if (byPartition === undefined) continue;
    for (const p of byPartition.values()) {
      const ref = { group: g.groupId, topic: p.topic, partition: p.partition };
      records.push({ kind: "txn-offset", ...ref, producerId, value: null });
      if (commit) {
        records.push({
          kind: "offset",
          ...ref,
          value: createOffsetCommitValue({
            offset: p.offset,
            leaderEpoch: p.leaderEpoch,
            metadata: p.metadata,
            commitTimestamp: p.commitTimestamp,
            expireTimestamp: p.expireTimestamp,
          }),
        });
      }
    }
  }
  return records;
}

/** Tombstones for a group's pending transactional offsets (those of `topic` only, when given). */
export function pendingTombstones(group: ClassicGroup, topic?: string): CoordinatorRecord[] {
  const records: CoordinatorRecord[] = [];
  for (const [producerId, byPartition] of group.pendingTxnOffsets) {
    for (const p of byPartition.values()) {
      if (topic !== undefined && p.topic !== topic) continue;
      records.push({
        kind: "txn-offset",
        group: group.groupId,
        producerId,
        topic: p.topic,
        partition: p.partition,
        value: null,
      });
    }
  }
  return records;
}
