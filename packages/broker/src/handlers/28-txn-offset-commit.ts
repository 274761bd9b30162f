/**
 * TxnOffsetCommit (key 28), v0-v6.
 *
 * A transactional producer's consumed offsets (sendOffsetsToTransaction), stored as
 * pending for (group, producer id) until EndTxn commits them (then OffsetFetch returns
 * them) or aborts them. Checks in Kafka's order of effect:
 *  1. partitions that do not exist get UNKNOWN_TOPIC_OR_PARTITION (not stored);
 *  2. the group coordinator must be loaded (COORDINATOR_LOAD_IN_PROGRESS, ...);
 *  3. on the coordinator's queue: the group member fields (v3+, KIP-447: generation,
 *     member id, group.instance.id; none given = not checked) -> UNKNOWN_MEMBER_ID,
 *     ILLEGAL_GENERATION, FENCED_INSTANCE_ID; then the transaction coordinator: the group
 *     must be in the producer's ongoing transaction (AddOffsetsToTxn), the epoch current
 *     (PRODUCER_FENCED, answered INVALID_PRODUCER_EPOCH below v3 as Kafka does for
 *     clients that predate KIP-588), else INVALID_TXN_STATE / INVALID_PRODUCER_ID_MAPPING.
 * v2+ carry the leader epoch; v4 (KIP-890) is v3 on the wire. v5 (transactions v2,
 * KIP-890 part 2, while transaction.version >= 2) adds the group to the producer's
 * transaction itself, as AddOffsetsToTxn would, before the checks of step 3 (its
 * errors: PRODUCER_FENCED, INVALID_PRODUCER_ID_MAPPING, and COORDINATOR_NOT_AVAILABLE
 * while the previous transaction still completes, see txn/implicit-add.ts). v6
 * names topics by id (UNKNOWN_TOPIC_ID for an id we do not know). Group-level errors
 * repeat on every partition: the response has no top-level error.
 * ACLs: WRITE on the transactional id (TRANSACTIONAL_ID_AUTHORIZATION_FAILED), READ on
 * the group (GROUP_AUTHORIZATION_FAILED), READ on each topic (TOPIC_AUTHORIZATION_FAILED).
 */

import type { CommitOffset } from "@logbook/group-coordinator";
import {
  createTxnOffsetCommitResponse,
  createTxnOffsetCommitResponsePartition,
  createTxnOffsetCommitResponseTopic,
  ErrorCode,
  TxnOffsetCommitApi,
  type TxnOffsetCommitRequest,
} from "@logbook/protocol";
import { groupAllowed, Op, topicAllowed, transactionalIdAllowed } from "../acl/check.js";
import { partitionExists, partitionKey } from "../groups/partition-keys.js";
import type { TxnOffsetCommitCheck } from "../groups/txn-offset-check.js";
import { defineHandler, type RequestContext } from "../handler.js";
import { addOffsetsImplicitly } from "../txn/index.js";

/** Transactions v2: the commit adds its group to the transaction. */
const IMPLICIT_ADD_VERSION = 5;
const FIRST_TOPIC_ID_VERSION = 6;

/** KIP-588: clients before TxnOffsetCommit v3 do not know PRODUCER_FENCED. */
function forVersion(errorCode: number, version: number): number {
  return version < 3 && errorCode === ErrorCode.PRODUCER_FENCED
    ? ErrorCode.INVALID_PRODUCER_EPOCH
    : errorCode;
}

/** The handler's logic against the narrow transaction check (tests pass a fake). */
export async function txnOffsetCommit(
  req: TxnOffsetCommitRequest,
  ctx: RequestContext,
  txn: TxnOffsetCommitCheck | null,
  implicitAdd: (() => Promise<number>) | null = null,
): Promise<Map<string, number>> {
  const { version, broker } = ctx;
  const errors = new Map<string, number>();
  const offsets: CommitOffset[] = [];
  const refusal = !transactionalIdAllowed(ctx, Op.WRITE, req.transactionalId)
    ? ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED
    : !groupAllowed(ctx, Op.READ, req.groupId)
      ? ErrorCode.GROUP_AUTHORIZATION_FAILED
      : ErrorCode.NONE;
  for (const t of req.topics) {
    const name = topicName(ctx, t);
    const topicDenied =
      refusal === ErrorCode.NONE && name !== undefined && !topicAllowed(ctx, Op.READ, name);
    for (const p of t.partitions) {
      if (refusal !== ErrorCode.NONE || topicDenied) {
        const code = topicDenied ? ErrorCode.TOPIC_AUTHORIZATION_FAILED : refusal;
        errors.set(partitionKey(name ?? t.name, p.partitionIndex), code);
        continue;
      }
      if (name === undefined) {
        errors.set(partitionKey(t.name, p.partitionIndex), ErrorCode.UNKNOWN_TOPIC_ID);
        continue;
      }
      if (!partitionExists(broker.topics, name, p.partitionIndex)) {
        errors.set(partitionKey(t.name, p.partitionIndex), ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
        continue;
      }
      offsets.push({
        topic: name,
        partition: p.partitionIndex,
        offset: p.committedOffset,
        leaderEpoch: version >= 2 ? p.committedLeaderEpoch : -1,
        metadata: p.committedMetadata,
      });
    }
  }
  if (offsets.length === 0) return errors;
  const access = broker.groups.access();
  const failAll = (errorCode: number) => {
    for (const o of offsets) errors.set(partitionKey(o.topic, o.partition), errorCode);
    return errors;
  };
  if (!access.ok) return failAll(access.errorCode);
  // Without a transaction coordinator no group can have been added to a transaction.
  if (txn === null) return failAll(ErrorCode.COORDINATOR_NOT_AVAILABLE);
  const producer = {
    transactionalId: req.transactionalId,
    producerId: req.producerId,
    producerEpoch: req.producerEpoch,
  };
  if (implicitAdd !== null) {
    const added = await implicitAdd();
    if (added !== ErrorCode.NONE) return failAll(added);
  }
  const r = await access.coordinator.commitTxnOffsets({
    groupId: req.groupId,
    transactionalId: req.transactionalId,
    producerId: req.producerId,
    producerEpoch: req.producerEpoch,
    generationId: version >= 3 ? req.generationId : -1,
    memberId: version >= 3 ? req.memberId : "",
    groupInstanceId: version >= 3 ? req.groupInstanceId : null,
    offsets,
    verifyTransaction: () => txn.checkTxnOffsetCommit(producer, req.groupId),
  });
  for (const p of r.partitions) {
    errors.set(partitionKey(p.topic, p.partition), forVersion(p.errorCode, version));
  }
  return errors;
}

/** The topic a request entry names: by id from v6 (undefined when unknown), else by name. */
function topicName(
  ctx: RequestContext,
  t: TxnOffsetCommitRequest["topics"][number],
): string | undefined {
  if (ctx.version < FIRST_TOPIC_ID_VERSION) return t.name;
  return ctx.broker.topics.getById(t.topicId)?.name;
}

export const txnOffsetCommitHandler = defineHandler({
  api: TxnOffsetCommitApi,
  minVersion: 0,
  maxVersion: 6,
  async handle(req, ctx) {
    const { broker, version } = ctx;
    const implicitAdd =
      version >= IMPLICIT_ADD_VERSION && broker.features.transactionsV2
        ? () =>
            addOffsetsImplicitly(
              broker.txn,
              {
                transactionalId: req.transactionalId,
                producerId: req.producerId,
                producerEpoch: req.producerEpoch,
              },
              req.groupId,
            )
        : null;
    const errors = await txnOffsetCommit(req, ctx, broker.groups.transactions, implicitAdd);
    return createTxnOffsetCommitResponse({
      topics: req.topics.map((t) =>
        createTxnOffsetCommitResponseTopic({
          name: t.name,
          topicId: t.topicId,
          partitions: t.partitions.map((p) =>
            createTxnOffsetCommitResponsePartition({
              partitionIndex: p.partitionIndex,
              // Every partition has a result; a missing one must not read as success.
              errorCode:
                errors.get(partitionKey(topicName(ctx, t) ?? t.name, p.partitionIndex)) ??
                ErrorCode.UNKNOWN_SERVER_ERROR,
            }),
          ),
        }),
      ),
    });
  },
});
