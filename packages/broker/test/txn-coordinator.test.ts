/**
 * The transaction coordinator on its own (real storage, fake clock, fake marker writer
 * and offsets completer): InitProducerId (allocation, bumps, fencing, KIP-360,
 * exhaustion, timeout validation), Add*, EndTxn and their errors, markers for exactly
 * the added partitions, the produce and TxnOffsetCommit checks, restart recovery,
 * timeout aborts and ListTransactions filters.
 */
import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import { ErrorCode } from "@logbook/protocol";
import { InternalLog } from "@logbook/storage";
import {
  addImplicitly,
  addOffsetsImplicitly,
  MAX_PRODUCER_EPOCH,
  TRANSACTION_STATE_PARTITION,
  TxnState,
} from "../src/txn/index.js";
import { encodeTxnRecord } from "../src/txn/records.js";
import { type TxnRig, txnRig } from "./helpers/txn-fakes.js";

let rig: TxnRig;
beforeEach(async () => {
  rig = await txnRig(60_000);
});
afterEach(async () => {
  await rig.close();
});

const tp = (topic: string, partition: number) => ({ topic, partition });

async function init(id: string, timeoutMs = 10_000) {
  const r = await rig.txn.initProducerId(id, timeoutMs, null);
  assert.equal(r.errorCode, ErrorCode.NONE);
  return { transactionalId: id, producerId: r.producerId, producerEpoch: r.producerEpoch };
}

describe("InitProducerId", () => {
  it("allocates on first use, bumps the epoch afterwards", async () => {
    const a = await init("a");
    assert.deepEqual([a.producerId, a.producerEpoch], [1000n, 0]);
    const again = await init("a");
    assert.deepEqual([again.producerId, again.producerEpoch], [1000n, 1]);
    assert.equal((await init("b")).producerId, 1001n);
    assert.equal(rig.txn.get("a")?.state, TxnState.EMPTY);
  });

  it("validates the timeout against transaction.max.timeout.ms", async () => {
    for (const t of [0, -1, 60_001]) {
      const r = await rig.txn.initProducerId("a", t, null);
      assert.equal(r.errorCode, ErrorCode.INVALID_TRANSACTION_TIMEOUT);
      assert.equal(r.producerId, -1n);
    }
    assert.equal(rig.txn.get("a"), undefined);
    assert.equal((await rig.txn.initProducerId("a", 60_000, null)).errorCode, ErrorCode.NONE);
  });

  it("fences an ongoing transaction: aborts it, answers CONCURRENT_TRANSACTIONS, then bumps", async () => {
    const old = await init("a");
    assert.equal(await rig.txn.addPartitions(old, [tp("t", 0), tp("t", 1)]), ErrorCode.NONE);
    const r = await rig.txn.initProducerId("a", 10_000, null);
    assert.equal(r.errorCode, ErrorCode.CONCURRENT_TRANSACTIONS);
    await rig.txn.idle();
    assert.equal(rig.txn.get("a")?.state, TxnState.COMPLETE_ABORT);
    // The abort marker carries the fencing epoch, so the zombie's later writes are refused.
    assert.deepEqual(rig.markers.calls, [
      {
        partitions: ["t/0", "t/1"],
        marker: {
          producerId: old.producerId,
          producerEpoch: 1,
          commit: false,
          coordinatorEpoch: 0,
        },
      },
    ]);
    const next = await init("a");
    assert.equal(next.producerEpoch, 2);
    assert.equal(await rig.txn.endTxn(old, true), ErrorCode.PRODUCER_FENCED);
    assert.equal(await rig.txn.addPartitions(old, [tp("t", 0)]), ErrorCode.PRODUCER_FENCED);
  });

  it("KIP-360: a matching id/epoch bumps, a stale one is fenced, a retry gets the same answer", async () => {
    const a = await init("a");
    const bumped = await rig.txn.initProducerId("a", 10_000, {
      producerId: a.producerId,
      producerEpoch: 0,
    });
    assert.deepEqual([bumped.errorCode, bumped.producerEpoch], [ErrorCode.NONE, 1]);
    const retry = await rig.txn.initProducerId("a", 10_000, {
      producerId: a.producerId,
      producerEpoch: 0,
    });
    assert.deepEqual([retry.errorCode, retry.producerEpoch], [ErrorCode.NONE, 1]);
    // A producer fenced by a timeout abort cannot pass off its epoch as a retry.
    const cur = await rig.txn.initProducerId("a", 10_000, null);
    const p = {
      transactionalId: "a",
      producerId: cur.producerId,
      producerEpoch: cur.producerEpoch,
    };
    await rig.txn.addPartitions(p, [tp("t", 0)]);
    rig.clock.now += 20_000;
    assert.deepEqual(await rig.txn.abortTimedOutTransactions(), ["a"]);
    await rig.txn.idle();
    const zombie = await rig.txn.initProducerId("a", 10_000, {
      producerId: p.producerId,
      producerEpoch: p.producerEpoch,
    });
    assert.equal(zombie.errorCode, ErrorCode.PRODUCER_FENCED);
    const stale = await rig.txn.initProducerId("a", 10_000, {
      producerId: 999n,
      producerEpoch: 7,
    });
    assert.equal(stale.errorCode, ErrorCode.PRODUCER_FENCED);
  });

  it("KIP-360: the retry is still recognised after a restart; a fresh start is not retryable", async () => {
    const a = await init("a");
    const expected = { producerId: a.producerId, producerEpoch: 0 };
    const bumped = await rig.txn.initProducerId("a", 10_000, expected);
    assert.deepEqual([bumped.errorCode, bumped.producerEpoch], [ErrorCode.NONE, 1]);
    await rig.reopen();
    const retry = await rig.txn.initProducerId("a", 10_000, expected);
    assert.deepEqual(
      [retry.errorCode, retry.producerId, retry.producerEpoch],
      [ErrorCode.NONE, a.producerId, 1],
    );
    // Still so once a transaction ran at the bumped epoch (the record is carried along).
    const p = { transactionalId: "a", producerId: a.producerId, producerEpoch: 1 };
    await rig.txn.addPartitions(p, [tp("t", 0)]);
    assert.equal(await rig.txn.endTxn(p, true), ErrorCode.NONE);
    await rig.reopen();
    assert.equal((await rig.txn.initProducerId("a", 10_000, expected)).producerEpoch, 1);
    // A bump without an expected id/epoch (a producer starting afresh) has nothing to
    // retry: the epoch before it is fenced, as in Kafka.
    const fresh = await init("a");
    assert.equal(fresh.producerEpoch, 2);
    await rig.reopen();
    const stale = await rig.txn.initProducerId("a", 10_000, {
      producerId: a.producerId,
      producerEpoch: 1,
    });
    assert.equal(stale.errorCode, ErrorCode.PRODUCER_FENCED);
  });

  it("moves to a new producer id when the epoch is exhausted", async () => {
    const cur = await init("a");
    const m = rig.txn.get("a");
    assert.ok(m);
    // 32766 bumps would take minutes: write the last epoch as a record and replay it.
    const log = await InternalLog.open(rig.storage, TRANSACTION_STATE_PARTITION.topic);
    await log.append([encodeTxnRecord({ ...m, producerEpoch: MAX_PRODUCER_EPOCH })]);
    await rig.reopen();
    assert.equal(rig.txn.get("a")?.producerEpoch, MAX_PRODUCER_EPOCH);
    const fresh = await init("a");
    assert.notEqual(fresh.producerId, cur.producerId);
    assert.equal(fresh.producerEpoch, 0);
    assert.equal(rig.txn.get("a")?.previousProducerId, cur.producerId);
    // The old id no longer maps to the transactional id.
    assert.equal(
      await rig.txn.addPartitions({ ...cur, producerEpoch: MAX_PRODUCER_EPOCH }, [tp("t", 0)]),
      ErrorCode.INVALID_PRODUCER_ID_MAPPING,
    );
  });
});

describe("AddPartitionsToTxn / AddOffsetsToTxn", () => {
  it("starts the transaction and keeps adding", async () => {
    const p = await init("a");
    rig.clock.now += 5;
    assert.equal(await rig.txn.addPartitions(p, [tp("t", 0)]), ErrorCode.NONE);
    const m1 = rig.txn.get("a");
    assert.equal(m1?.state, TxnState.ONGOING);
    assert.equal(m1?.startMs, rig.clock.now);
    rig.clock.now += 5;
    assert.equal(await rig.txn.addPartitions(p, [tp("t", 0), tp("u", 3)]), ErrorCode.NONE);
    assert.equal(await rig.txn.addOffsets(p, "g"), ErrorCode.NONE);
    const m2 = rig.txn.get("a");
    assert.deepEqual([...(m2?.partitions.keys() ?? [])].sort(), ["t/0", "u/3"]);
    assert.deepEqual([...(m2?.groups ?? [])], ["g"]);
    assert.equal(m2?.startMs, m1?.startMs, "the start time is the first add's");
  });

  it("refuses unknown ids, other producer ids and other epochs", async () => {
    const p = await init("a");
    assert.equal(
      await rig.txn.addPartitions({ ...p, transactionalId: "nope" }, [tp("t", 0)]),
      ErrorCode.INVALID_PRODUCER_ID_MAPPING,
    );
    assert.equal(
      await rig.txn.addPartitions({ ...p, producerId: p.producerId + 1n }, [tp("t", 0)]),
      ErrorCode.INVALID_PRODUCER_ID_MAPPING,
    );
    assert.equal(
      await rig.txn.addOffsets({ ...p, producerEpoch: p.producerEpoch + 1 }, "g"),
      ErrorCode.PRODUCER_FENCED,
    );
    assert.equal(rig.txn.get("a")?.state, TxnState.EMPTY);
  });

  it("answers CONCURRENT_TRANSACTIONS while the previous transaction completes", async () => {
    const p = await init("a");
    await rig.txn.addPartitions(p, [tp("t", 0)]);
    rig.markers.failWith = ErrorCode.NOT_LEADER_OR_FOLLOWER;
    assert.equal(await rig.txn.endTxn(p, true), ErrorCode.NONE, "the decision stands");
    assert.equal(rig.txn.get("a")?.state, TxnState.PREPARE_COMMIT);
    assert.equal(await rig.txn.addPartitions(p, [tp("t", 1)]), ErrorCode.CONCURRENT_TRANSACTIONS);
    assert.equal(await rig.txn.endTxn(p, true), ErrorCode.CONCURRENT_TRANSACTIONS);
    assert.equal(await rig.txn.endTxn(p, false), ErrorCode.INVALID_TXN_STATE);
    const r = await rig.txn.initProducerId("a", 10_000, null);
    assert.equal(r.errorCode, ErrorCode.CONCURRENT_TRANSACTIONS);
    rig.markers.failWith = ErrorCode.NONE;
    await rig.txn.idle();
    assert.equal(rig.txn.get("a")?.state, TxnState.COMPLETE_COMMIT);
    assert.ok(rig.markers.calls.length >= 2, "markers retried");
    assert.equal(await rig.txn.addPartitions(p, [tp("t", 1)]), ErrorCode.NONE);
  });
});

describe("EndTxn", () => {
  it("commits: markers to exactly the added partitions, offsets completed, CompleteCommit", async () => {
    const p = await init("a");
    await rig.txn.addPartitions(p, [tp("t", 2), tp("u", 0)]);
    await rig.txn.addPartitions(p, [tp("t", 2)]);
    await rig.txn.addOffsets(p, "g");
    assert.equal(await rig.txn.endTxn(p, true), ErrorCode.NONE);
    assert.deepEqual(rig.markers.calls, [
      {
        partitions: ["t/2", "u/0"],
        marker: { producerId: p.producerId, producerEpoch: 0, commit: true, coordinatorEpoch: 0 },
      },
    ]);
    assert.deepEqual(rig.offsets.calls, [
      { producerId: p.producerId, producerEpoch: 0, commit: true },
    ]);
    const m = rig.txn.get("a");
    assert.equal(m?.state, TxnState.COMPLETE_COMMIT);
    assert.equal(m?.partitions.size, 0);
    // A retry of the finished commit is NONE; the opposite outcome is not.
    assert.equal(await rig.txn.endTxn(p, true), ErrorCode.NONE);
    assert.equal(await rig.txn.endTxn(p, false), ErrorCode.INVALID_TXN_STATE);
    assert.equal(rig.markers.calls.length, 1);
  });

  it("aborts without groups: no offsets call", async () => {
    const p = await init("a");
    await rig.txn.addPartitions(p, [tp("t", 0)]);
    assert.equal(await rig.txn.endTxn(p, false), ErrorCode.NONE);
    assert.equal(rig.markers.calls[0]?.marker.commit, false);
    assert.equal(rig.offsets.calls.length, 0);
    assert.equal(rig.txn.get("a")?.state, TxnState.COMPLETE_ABORT);
    assert.equal(await rig.txn.endTxn(p, false), ErrorCode.NONE);
    assert.equal(await rig.txn.endTxn(p, true), ErrorCode.INVALID_TXN_STATE);
  });

  it("refuses EndTxn without a transaction, and for unknown or fenced producers", async () => {
    const p = await init("a");
    assert.equal(await rig.txn.endTxn(p, true), ErrorCode.INVALID_TXN_STATE);
    assert.equal(
      await rig.txn.endTxn({ ...p, transactionalId: "x" }, true),
      ErrorCode.INVALID_PRODUCER_ID_MAPPING,
    );
    assert.equal(await rig.txn.endTxn({ ...p, producerEpoch: 5 }, true), ErrorCode.PRODUCER_FENCED);
    assert.equal(rig.markers.calls.length, 0);
  });

  it("a marker for a deleted partition does not hold the transaction", async () => {
    const p = await init("a");
    await rig.txn.addPartitions(p, [tp("gone", 0)]);
    rig.markers.failWith = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
    assert.equal(await rig.txn.endTxn(p, true), ErrorCode.NONE);
    assert.equal(rig.txn.get("a")?.state, TxnState.COMPLETE_COMMIT);
  });
});

describe("transactions v2 (KIP-890)", () => {
  it("EndTxn bumps the epoch; markers and offsets carry the new one; a retry with the old epoch is NONE", async () => {
    const p = await init("a");
    await rig.txn.addPartitions(p, [tp("t", 0)]);
    await rig.txn.addOffsets(p, "g");
    assert.equal(await rig.txn.endTxn(p, true, true), ErrorCode.NONE);
    const m = rig.txn.get("a");
    assert.deepEqual(
      [m?.state, m?.producerEpoch, m?.lastProducerEpoch],
      [TxnState.COMPLETE_COMMIT, 1, 0],
    );
    assert.deepEqual(rig.markers.calls[0]?.marker, {
      producerId: p.producerId,
      producerEpoch: 1,
      commit: true,
      coordinatorEpoch: 0,
    });
    assert.deepEqual(rig.offsets.calls, [
      { producerId: p.producerId, producerEpoch: 1, commit: true },
    ]);
    // The retry names the epoch before the bump: same outcome NONE, the other refused.
    assert.equal(await rig.txn.endTxn(p, true, true), ErrorCode.NONE);
    assert.equal(await rig.txn.endTxn(p, false, true), ErrorCode.INVALID_TXN_STATE);
    // The new epoch has no transaction to commit; an older one than the retry is fenced.
    const next = { ...p, producerEpoch: 1 };
    assert.equal(await rig.txn.endTxn(next, true, true), ErrorCode.INVALID_TXN_STATE);
    assert.equal(rig.markers.calls.length, 1);
    assert.equal(rig.txn.get("a")?.producerEpoch, 1);
  });

  it("at the last epoch the markers carry the next one and the producer moves to a new id", async () => {
    const cur = await init("a");
    const m = rig.txn.get("a");
    assert.ok(m);
    // 32766 bumps would take minutes: write the last epoch as a record and replay it.
    const log = await InternalLog.open(rig.storage, TRANSACTION_STATE_PARTITION.topic);
    await log.append([encodeTxnRecord({ ...m, producerEpoch: MAX_PRODUCER_EPOCH })]);
    await rig.reopen();
    const last = { ...cur, producerEpoch: MAX_PRODUCER_EPOCH };
    assert.equal(await rig.txn.addPartitions(last, [tp("t", 0)]), ErrorCode.NONE);
    assert.equal(await rig.txn.endTxn(last, true, true), ErrorCode.NONE);
    assert.deepEqual(rig.markers.calls[0]?.marker, {
      producerId: cur.producerId,
      producerEpoch: MAX_PRODUCER_EPOCH + 1,
      commit: true,
      coordinatorEpoch: 0,
    });
    const moved = rig.txn.get("a");
    assert.ok(moved !== undefined && moved.producerId !== cur.producerId);
    assert.deepEqual(
      [moved.state, moved.producerEpoch, moved.previousProducerId, moved.nextProducerId],
      [TxnState.COMPLETE_COMMIT, 0, cur.producerId, -1n],
    );
    // A retry under the old id is recognised; the old id is otherwise unknown.
    assert.equal(await rig.txn.endTxn(last, true, true), ErrorCode.NONE);
    assert.equal(
      await rig.txn.addPartitions(last, [tp("t", 0)]),
      ErrorCode.INVALID_PRODUCER_ID_MAPPING,
    );
    const fresh = { ...cur, producerId: moved.producerId, producerEpoch: 0 };
    assert.equal(await rig.txn.addPartitions(fresh, [tp("t", 0)]), ErrorCode.NONE);
    assert.equal(await rig.txn.endTxn(fresh, false, true), ErrorCode.NONE);
    assert.equal(rig.txn.get("a")?.producerEpoch, 1);
  });

  it("an abort with no transaction open still bumps the epoch, without markers", async () => {
    const p = await init("a");
    assert.equal(await rig.txn.endTxn(p, false, true), ErrorCode.NONE);
    const m = rig.txn.get("a");
    assert.deepEqual([m?.state, m?.producerEpoch], [TxnState.COMPLETE_ABORT, 1]);
    assert.equal(rig.markers.calls.length, 0, "no partition to mark");
    // The next transaction runs at the new epoch; the old one is fenced.
    assert.equal(
      await rig.txn.addPartitions({ ...p, producerEpoch: 1 }, [tp("t", 0)]),
      ErrorCode.NONE,
    );
    assert.equal(await rig.txn.addPartitions(p, [tp("t", 1)]), ErrorCode.PRODUCER_FENCED);
  });

  it("implicit adds wait briefly for a completing transaction, then answer 'ask again'", async () => {
    const p = await init("a");
    await rig.txn.addPartitions(p, [tp("t", 0)]);
    // Markers keep failing: the commit stays PrepareCommit, retried in the background.
    rig.markers.failWith = ErrorCode.NOT_LEADER_OR_FOLLOWER;
    assert.equal(await rig.txn.endTxn(p, true, true), ErrorCode.NONE);
    assert.equal(rig.txn.get("a")?.state, TxnState.PREPARE_COMMIT);
    const next = { ...p, producerEpoch: 1 };
    const started = Date.now();
    assert.equal(await addImplicitly(rig.txn, next, tp("t", 1)), ErrorCode.NOT_ENOUGH_REPLICAS);
    assert.ok(Date.now() - started >= 80, "retried for about 100 ms first");
    assert.equal(
      await addOffsetsImplicitly(rig.txn, next, "g"),
      ErrorCode.COORDINATOR_NOT_AVAILABLE,
    );
    // Once the markers go through, the next transaction starts with its first batch.
    rig.markers.failWith = ErrorCode.NONE;
    await rig.txn.idle();
    assert.equal(await addImplicitly(rig.txn, next, tp("t", 1)), ErrorCode.NONE);
    assert.equal(await addImplicitly(rig.txn, p, tp("t", 1)), ErrorCode.INVALID_PRODUCER_EPOCH);
    assert.equal(await addOffsetsImplicitly(rig.txn, next, "g"), ErrorCode.NONE);
    assert.deepEqual([...(rig.txn.get("a")?.groups ?? [])], ["g"]);
  });

  it("verifyPartitions: NONE inside the ongoing transaction, TRANSACTION_ABORTABLE outside", async () => {
    const p = await init("a");
    const verify = (q: typeof p) =>
      Object.fromEntries(rig.txn.verifyPartitions(q, [tp("t", 0), tp("t", 1)]));
    assert.deepEqual(verify(p), {
      "t/0": ErrorCode.TRANSACTION_ABORTABLE,
      "t/1": ErrorCode.TRANSACTION_ABORTABLE,
    });
    await rig.txn.addPartitions(p, [tp("t", 0)]);
    assert.deepEqual(verify(p), { "t/0": ErrorCode.NONE, "t/1": ErrorCode.TRANSACTION_ABORTABLE });
    assert.deepEqual(verify({ ...p, producerEpoch: 3 }), {
      "t/0": ErrorCode.PRODUCER_FENCED,
      "t/1": ErrorCode.PRODUCER_FENCED,
    });
    assert.equal(rig.txn.get("a")?.partitions.size, 1, "verifying adds nothing");
  });
});

describe("checks for Produce and TxnOffsetCommit", () => {
  it("checkTransactionalProduce", async () => {
    const p = await init("a");
    const check = (pid: bigint, epoch: number, t = tp("t", 0)) =>
      rig.txn.checkTransactionalProduce(pid, epoch, t);
    assert.equal(check(p.producerId, 0), ErrorCode.INVALID_TXN_STATE, "not added yet");
    await rig.txn.addPartitions(p, [tp("t", 0)]);
    assert.equal(check(p.producerId, 0), ErrorCode.NONE);
    assert.equal(check(p.producerId, 0, tp("t", 1)), ErrorCode.INVALID_TXN_STATE);
    assert.equal(check(p.producerId + 100n, 0), ErrorCode.INVALID_PRODUCER_ID_MAPPING);
    await rig.txn.initProducerId("a", 10_000, null); // fences epoch 0
    await rig.txn.idle();
    assert.equal(check(p.producerId, 0), ErrorCode.INVALID_PRODUCER_EPOCH);
  });

  it("checkTxnOffsetCommit / isGroupInTransaction", async () => {
    const p = await init("a");
    assert.equal(rig.txn.checkTxnOffsetCommit(p, "g"), ErrorCode.INVALID_TXN_STATE);
    await rig.txn.addOffsets(p, "g");
    assert.equal(rig.txn.checkTxnOffsetCommit(p, "g"), ErrorCode.NONE);
    assert.equal(rig.txn.isGroupInTransaction(p, "g"), true);
    assert.equal(rig.txn.isGroupInTransaction(p, "other"), false);
    assert.equal(
      rig.txn.checkTxnOffsetCommit({ ...p, producerEpoch: 9 }, "g"),
      ErrorCode.PRODUCER_FENCED,
    );
    await rig.txn.endTxn(p, true);
    assert.equal(rig.txn.checkTxnOffsetCommit(p, "g"), ErrorCode.INVALID_TXN_STATE);
  });
});

describe("restart and timeouts", () => {
  it("replays state and completes a PrepareCommit found at start-up (markers again)", async () => {
    const p = await init("a");
    await rig.txn.addPartitions(p, [tp("t", 0), tp("t", 5)]);
    await rig.txn.addOffsets(p, "g");
    const other = await init("b");
    await rig.txn.addPartitions(other, [tp("t", 1)]);
    rig.markers.failWith = ErrorCode.NOT_LEADER_OR_FOLLOWER;
    assert.equal(await rig.txn.endTxn(p, true), ErrorCode.NONE);
    await rig.reopen(); // the retry loop stops with the coordinator
    rig.markers.failWith = ErrorCode.NONE;
    rig.markers.calls.length = 0;
    await rig.txn.idle();
    assert.deepEqual(rig.markers.calls, [
      {
        partitions: ["t/0", "t/5"],
        marker: { producerId: p.producerId, producerEpoch: 0, commit: true, coordinatorEpoch: 0 },
      },
    ]);
    assert.deepEqual(rig.offsets.calls.at(-1), {
      producerId: p.producerId,
      producerEpoch: 0,
      commit: true,
    });
    assert.equal(rig.txn.get("a")?.state, TxnState.COMPLETE_COMMIT);
    // The other id's ongoing transaction came back as it was.
    const b = rig.txn.get("b");
    assert.equal(b?.state, TxnState.ONGOING);
    assert.deepEqual([...(b?.partitions.keys() ?? [])], ["t/1"]);
    assert.equal(
      rig.txn.checkTransactionalProduce(other.producerId, 0, tp("t", 1)),
      ErrorCode.NONE,
    );
  });

  it("aborts a transaction left open past its timeout, fencing its producer", async () => {
    const p = await init("a", 1_000);
    const q = await init("b", 60_000);
    await rig.txn.addPartitions(p, [tp("t", 0)]);
    await rig.txn.addPartitions(q, [tp("t", 1)]);
    rig.clock.now += 1_000;
    assert.deepEqual(await rig.txn.abortTimedOutTransactions(), [], "not past it yet");
    rig.clock.now += 1;
    assert.deepEqual(await rig.txn.abortTimedOutTransactions(), ["a"]);
    await rig.txn.idle();
    const m = rig.txn.get("a");
    assert.equal(m?.state, TxnState.COMPLETE_ABORT);
    assert.equal(m?.producerEpoch, 1);
    assert.deepEqual(
      rig.markers.calls.map((c) => [c.partitions, c.marker.commit, c.marker.producerEpoch]),
      [[["t/0"], false, 1]],
    );
    assert.equal(await rig.txn.endTxn(p, true), ErrorCode.PRODUCER_FENCED);
    assert.equal(rig.txn.get("b")?.state, TxnState.ONGOING);
  });

  it("an ongoing transaction replayed after a restart is aborted once its timeout passes", async () => {
    const p = await init("a", 2_000);
    await rig.txn.addPartitions(p, [tp("t", 0)]);
    await rig.reopen();
    assert.equal(rig.txn.get("a")?.state, TxnState.ONGOING);
    rig.clock.now += 2_001;
    assert.deepEqual(await rig.txn.abortTimedOutTransactions(), ["a"]);
    await rig.txn.idle();
    assert.equal(rig.txn.get("a")?.state, TxnState.COMPLETE_ABORT);
  });
});

describe("ListTransactions", () => {
  it("filters by state, producer id and duration; echoes unknown states", async () => {
    const a = await init("a");
    const b = await init("b");
    await init("c");
    await rig.txn.addPartitions(a, [tp("t", 0)]);
    rig.clock.now += 500;
    await rig.txn.addPartitions(b, [tp("t", 1)]);
    rig.clock.now += 100;
    const ids = (f: Parameters<typeof rig.txn.list>[0]) =>
      rig.txn
        .list(f)
        .transactions.map((t) => t.transactionalId)
        .sort();
    assert.deepEqual(ids({ states: [], producerIds: [], durationMs: -1 }), ["a", "b", "c"]);
    assert.deepEqual(ids({ states: ["Ongoing"], producerIds: [], durationMs: -1 }), ["a", "b"]);
    assert.deepEqual(ids({ states: ["Empty"], producerIds: [], durationMs: -1 }), ["c"]);
    assert.deepEqual(ids({ states: [], producerIds: [b.producerId], durationMs: -1 }), ["b"]);
    assert.deepEqual(ids({ states: [], producerIds: [], durationMs: 200 }), ["a"]);
    const r = rig.txn.list({ states: ["Ongoing", "Bogus"], producerIds: [], durationMs: -1 });
    assert.deepEqual(r.unknownStates, ["Bogus"]);
    assert.equal(r.transactions.find((t) => t.transactionalId === "a")?.state, "Ongoing");
  });
});

describe("transactional id expiry", () => {
  it("forgets ids idle past transactional.id.expiration.ms, durably; open transactions stay", async () => {
    const WEEK = 7 * 24 * 60 * 60 * 1000;
    const idle = await init("idle");
    const open = await init("open");
    await rig.txn.addPartitions(open, [tp("t", 0)]);
    rig.clock.now += WEEK;
    assert.deepEqual(await rig.txn.expireTransactionalIds(), [], "not past the expiration yet");
    rig.clock.now += 1;
    assert.deepEqual(await rig.txn.expireTransactionalIds(), ["idle"]);
    assert.equal(rig.txn.get("idle"), undefined);
    assert.equal(
      rig.txn.get("open")?.state,
      TxnState.ONGOING,
      "an open transaction is never expired",
    );
    assert.equal(
      rig.txn.checkTransactionalProduce(idle.producerId, idle.producerEpoch, tp("t", 0)),
      ErrorCode.INVALID_PRODUCER_ID_MAPPING,
    );
    // The tombstone is in __transaction_state: a restart does not bring the id back.
    await rig.reopen();
    assert.equal(rig.txn.get("idle"), undefined);
    assert.equal(rig.txn.get("open")?.state, TxnState.ONGOING);
  });
});

describe("on the coordinator runtime", () => {
  it("a failed append of __transaction_state answers COORDINATOR_NOT_AVAILABLE and changes nothing", async () => {
    const p = await init("a");
    await rig.storage.close();
    assert.equal(await rig.txn.addPartitions(p, [tp("t", 0)]), ErrorCode.COORDINATOR_NOT_AVAILABLE);
    assert.equal(rig.txn.get("a")?.state, TxnState.EMPTY, "nothing replayed");
    const r = await rig.txn.initProducerId("a", 10_000, null);
    assert.equal(r.errorCode, ErrorCode.COORDINATOR_NOT_AVAILABLE);
    assert.equal(rig.txn.get("a")?.producerEpoch, p.producerEpoch);
  });

  it("the timeout check is a timer on the injected clock", async () => {
    const timed = await txnRig(60_000, { abortCheckIntervalMs: 5 });
    try {
      const r = await timed.txn.initProducerId("a", 1_000, null);
      const p = { transactionalId: "a", producerId: r.producerId, producerEpoch: r.producerEpoch };
      await timed.txn.addPartitions(p, [tp("t", 0)]);
      await new Promise((resolve) => setTimeout(resolve, 30));
      assert.equal(timed.txn.get("a")?.state, TxnState.ONGOING, "the clock has not moved");
      timed.clock.now += 1_001;
      for (let i = 0; i < 200 && timed.txn.get("a")?.state !== TxnState.COMPLETE_ABORT; i++) {
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      assert.equal(timed.txn.get("a")?.state, TxnState.COMPLETE_ABORT);
    } finally {
      await timed.close();
    }
  });
});
