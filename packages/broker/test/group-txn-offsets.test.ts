/**
 * TxnOffsetCommit over the wire against a real broker, with a fake transaction check in
 * place of the transaction coordinator: pending offsets are invisible to OffsetFetch
 * (require_stable answers UNSTABLE_OFFSET_COMMIT), `broker.groups.completeTransaction`
 * commits or drops them, fencing and membership errors per version, and pending offsets
 * surviving a restart.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
  createOffsetCommitRequest,
  createOffsetCommitRequestPartition,
  createOffsetCommitRequestTopic,
  createOffsetFetchRequest,
  createOffsetFetchRequestGroup,
  createOffsetFetchRequestTopic,
  createOffsetFetchRequestTopics,
  createTxnOffsetCommitRequest,
  createTxnOffsetCommitRequestPartition,
  createTxnOffsetCommitRequestTopic,
  ErrorCode,
  OffsetCommitApi,
  OffsetFetchApi,
  TxnOffsetCommitApi,
  type TxnOffsetCommitRequest,
} from "@logbook/protocol";
import type { TxnOffsetCommitCheck } from "../src/groups/index.js";
import { txnOffsetCommitHandler } from "../src/handlers/28-txn-offset-commit.js";
import type { TestBroker } from "./helpers/admin-broker.js";
import {
  createTopic,
  joinWithMemberId,
  memberClient,
  startGroupBroker,
  sync,
} from "./helpers/group-wire.js";

/** Transactional ids whose ongoing transaction holds these groups, at this producer id/epoch. */
class FakeTxns implements TxnOffsetCommitCheck {
  readonly open = new Map<string, { producerId: bigint; epoch: number; groups: Set<string> }>();

  checkTxnOffsetCommit(
    p: { transactionalId: string; producerId: bigint; producerEpoch: number },
    groupId: string,
  ): number {
    const t = this.open.get(p.transactionalId);
    if (t === undefined || t.producerId !== p.producerId) {
      return ErrorCode.INVALID_PRODUCER_ID_MAPPING;
    }
    if (t.epoch !== p.producerEpoch) return ErrorCode.PRODUCER_FENCED;
    return t.groups.has(groupId) ? ErrorCode.NONE : ErrorCode.INVALID_TXN_STATE;
  }
}

let b: TestBroker;
const txns = new FakeTxns();

function wire(): void {
  // Registered on the broker once the transaction coordinator is wired; here by hand.
  b.broker.registry.override(txnOffsetCommitHandler);
  b.broker.groups.attachTransactions(txns);
}

before(async () => {
  b = await startGroupBroker();
  await createTopic(b, "in", 2);
  wire();
});
after(async () => {
  await b.stop();
});

function txnCommit(
  version: number,
  init: Partial<TxnOffsetCommitRequest>,
  offsets: [number, bigint][] = [
    [0, 10n],
    [1, 20n],
  ],
  topic = "in",
) {
  return b.client.send(
    TxnOffsetCommitApi,
    version,
    createTxnOffsetCommitRequest({
      transactionalId: "tx",
      groupId: "g",
      producerId: 100n,
      producerEpoch: 1,
      generationId: -1,
      memberId: "",
      groupInstanceId: null,
      topics: [
        createTxnOffsetCommitRequestTopic({
          name: topic,
          partitions: offsets.map(([partitionIndex, committedOffset]) =>
            createTxnOffsetCommitRequestPartition({
              partitionIndex,
              committedOffset,
              committedLeaderEpoch: 3,
              committedMetadata: "m",
            }),
          ),
        }),
      ],
      ...init,
    }),
  );
}

async function txnErrors(
  version: number,
  init: Partial<TxnOffsetCommitRequest>,
  offsets?: [number, bigint][],
  topic?: string,
): Promise<number[]> {
  const r = await txnCommit(version, init, offsets, topic);
  return r.topics.flatMap((t) => t.partitions.map((p) => p.errorCode));
}

/** OffsetFetch v7 of partitions 0 and 1: [offset, error] each. */
async function fetch7(groupId: string, requireStable: boolean): Promise<[bigint, number][]> {
  const r = await b.client.send(
    OffsetFetchApi,
    7,
    createOffsetFetchRequest({
      groupId,
      requireStable,
      topics: [createOffsetFetchRequestTopic({ name: "in", partitionIndexes: [0, 1] })],
    }),
  );
  assert.equal(r.errorCode, ErrorCode.NONE);
  return r.topics.flatMap((t) =>
    t.partitions.map((p): [bigint, number] => [p.committedOffset, p.errorCode]),
  );
}

async function plainCommit(groupId: string, partition: number, offset: bigint): Promise<void> {
  const r = await b.client.send(
    OffsetCommitApi,
    8,
    createOffsetCommitRequest({
      groupId,
      generationIdOrMemberEpoch: -1,
      memberId: "",
      topics: [
        createOffsetCommitRequestTopic({
          name: "in",
          partitions: [
            createOffsetCommitRequestPartition({
              partitionIndex: partition,
              committedOffset: offset,
              committedLeaderEpoch: -1,
              committedMetadata: "",
            }),
          ],
        }),
      ],
    }),
  );
  assert.equal(r.topics[0]?.partitions[0]?.errorCode, ErrorCode.NONE);
}

test("pending offsets: invisible, UNSTABLE_OFFSET_COMMIT with require_stable, visible after commit", async () => {
  txns.open.set("tx", { producerId: 100n, epoch: 1, groups: new Set(["g"]) });
  await plainCommit("g", 0, 5n);
  for (const v of [0, 2, 3, 4]) {
    assert.deepEqual(await txnErrors(v, {}), [ErrorCode.NONE, ErrorCode.NONE], `v${v}`);
  }
  assert.deepEqual(await fetch7("g", false), [
    [5n, ErrorCode.NONE],
    [-1n, ErrorCode.NONE],
  ]);
  assert.deepEqual(await fetch7("g", true), [
    [-1n, ErrorCode.UNSTABLE_OFFSET_COMMIT],
    [-1n, ErrorCode.UNSTABLE_OFFSET_COMMIT],
  ]);
  // v8 batches groups: the same answer per group.
  const batched = await b.client.send(
    OffsetFetchApi,
    8,
    createOffsetFetchRequest({
      requireStable: true,
      groups: [
        createOffsetFetchRequestGroup({
          groupId: "g",
          topics: [createOffsetFetchRequestTopics({ name: "in", partitionIndexes: [0] })],
        }),
      ],
    }),
  );
  assert.equal(
    batched.groups[0]?.topics[0]?.partitions[0]?.errorCode,
    ErrorCode.UNSTABLE_OFFSET_COMMIT,
  );

  await b.broker.groups.completeTransaction(100n, 1, true);
  assert.deepEqual(await fetch7("g", true), [
    [10n, ErrorCode.NONE],
    [20n, ErrorCode.NONE],
  ]);
});

test("abort drops pending offsets; the last committed offsets stay", async () => {
  txns.open.set("tx-abort", { producerId: 101n, epoch: 0, groups: new Set(["g-abort"]) });
  await plainCommit("g-abort", 1, 7n);
  const init = {
    transactionalId: "tx-abort",
    producerId: 101n,
    producerEpoch: 0,
    groupId: "g-abort",
  };
  assert.deepEqual(await txnErrors(3, init), [ErrorCode.NONE, ErrorCode.NONE]);
  await b.broker.groups.completeTransaction(101n, 0, false);
  assert.deepEqual(await fetch7("g-abort", true), [
    [-1n, ErrorCode.NONE],
    [7n, ErrorCode.NONE],
  ]);
});

test("transaction errors: fenced epoch per version, group not in the transaction, unknown partition", async () => {
  txns.open.set("tx-f", { producerId: 102n, epoch: 5, groups: new Set(["g-f"]) });
  const old = { transactionalId: "tx-f", producerId: 102n, producerEpoch: 4, groupId: "g-f" };
  assert.deepEqual(await txnErrors(3, old), [ErrorCode.PRODUCER_FENCED, ErrorCode.PRODUCER_FENCED]);
  // Clients before v3 (KIP-588) know only INVALID_PRODUCER_EPOCH.
  assert.deepEqual(await txnErrors(2, old), [
    ErrorCode.INVALID_PRODUCER_EPOCH,
    ErrorCode.INVALID_PRODUCER_EPOCH,
  ]);
  const current = { ...old, producerEpoch: 5 };
  assert.deepEqual(await txnErrors(3, { ...current, groupId: "not-added" }), [
    ErrorCode.INVALID_TXN_STATE,
    ErrorCode.INVALID_TXN_STATE,
  ]);
  assert.deepEqual(await txnErrors(3, { ...current, producerId: 999n }), [
    ErrorCode.INVALID_PRODUCER_ID_MAPPING,
    ErrorCode.INVALID_PRODUCER_ID_MAPPING,
  ]);
  assert.deepEqual(await txnErrors(3, current, [[9, 1n]]), [ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]);
  assert.deepEqual(await txnErrors(3, current, [[0, 1n]], "nope"), [
    ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
  ]);
  // None of the refused commits left anything pending.
  assert.deepEqual(await fetch7("g-f", true), [
    [-1n, ErrorCode.NONE],
    [-1n, ErrorCode.NONE],
  ]);
});

test("v3+ member checks: UNKNOWN_MEMBER_ID, ILLEGAL_GENERATION; the current member commits", async () => {
  txns.open.set("tx-m", { producerId: 103n, epoch: 0, groups: new Set(["g-m"]) });
  const member = await memberClient(b);
  try {
    const { joined } = await joinWithMemberId(member, 5, "g-m");
    assert.equal(joined.errorCode, ErrorCode.NONE);
    const s = await sync(member, 3, "g-m", joined.generationId, joined.memberId, [
      [joined.memberId, "a"],
    ]);
    assert.equal(s.errorCode, ErrorCode.NONE);
    const base = { transactionalId: "tx-m", producerId: 103n, producerEpoch: 0, groupId: "g-m" };
    assert.deepEqual(
      await txnErrors(3, { ...base, memberId: "stranger", generationId: joined.generationId }),
      [ErrorCode.UNKNOWN_MEMBER_ID, ErrorCode.UNKNOWN_MEMBER_ID],
    );
    assert.deepEqual(
      await txnErrors(3, {
        ...base,
        memberId: joined.memberId,
        generationId: joined.generationId + 1,
      }),
      [ErrorCode.ILLEGAL_GENERATION, ErrorCode.ILLEGAL_GENERATION],
    );
    // v0-2 carry no member fields: not checked, as in Kafka.
    assert.deepEqual(await txnErrors(2, { ...base, memberId: "stranger", generationId: 99 }), [
      ErrorCode.NONE,
      ErrorCode.NONE,
    ]);
    assert.deepEqual(
      await txnErrors(3, { ...base, memberId: joined.memberId, generationId: joined.generationId }),
      [ErrorCode.NONE, ErrorCode.NONE],
    );
  } finally {
    member.close();
  }
});

test("pending offsets survive a restart and are completed afterwards", async () => {
  txns.open.set("tx-r", { producerId: 104n, epoch: 2, groups: new Set(["g-r"]) });
  const init = { transactionalId: "tx-r", producerId: 104n, producerEpoch: 2, groupId: "g-r" };
  assert.deepEqual(await txnErrors(3, init, [[1, 33n]]), [ErrorCode.NONE]);
  await b.restart();
  await b.broker.groups.ready;
  wire();
  assert.deepEqual(await fetch7("g-r", true), [
    [-1n, ErrorCode.NONE],
    [-1n, ErrorCode.UNSTABLE_OFFSET_COMMIT],
  ]);
  await b.broker.groups.completeTransaction(104n, 2, true);
  assert.deepEqual(await fetch7("g-r", true), [
    [-1n, ErrorCode.NONE],
    [33n, ErrorCode.NONE],
  ]);
});
