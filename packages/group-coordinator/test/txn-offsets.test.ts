import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ErrorCode } from "@logbook/protocol";
import { silentLogger } from "@logbook/storage";
import type { TxnCommitOffsetsInput } from "../src/coordinator-api.js";
import { GroupCoordinator } from "../src/group-coordinator.js";
import { MemoryRecordLog } from "../src/record-log.js";
import { decodeRecord, encodeRecord } from "../src/records.js";
import { durableSnapshot, FakeClock, formGroup, type Harness, setup } from "./helpers.js";

const PID = 7000n;

function txnInput(overrides: Partial<TxnCommitOffsetsInput> = {}): TxnCommitOffsetsInput {
  return {
    groupId: "g",
    transactionalId: "tx",
    producerId: PID,
    producerEpoch: 3,
    generationId: -1,
    memberId: "",
    groupInstanceId: null,
    offsets: [
      { topic: "t", partition: 0, offset: 42n, leaderEpoch: 5, metadata: "txn" },
      { topic: "t", partition: 1, offset: 7n, leaderEpoch: -1, metadata: null },
    ],
    ...overrides,
  };
}

async function fetchT(h: Harness | { c: GroupCoordinator }, requireStable: boolean) {
  const r = await h.c.fetchOffsets({
    groupId: "g",
    partitions: [
      { topic: "t", partition: 0 },
      { topic: "t", partition: 1 },
    ],
    requireStable,
  });
  assert.equal(r.errorCode, ErrorCode.NONE);
  return r.offsets.map((o) => [o.partition, o.offset, o.errorCode]);
}

async function simpleCommit(h: Harness, partition: number, offset: bigint): Promise<void> {
  const r = await h.c.commitOffsets({
    groupId: "g",
    generationId: -1,
    memberId: "",
    groupInstanceId: null,
    retentionTimeMs: -1,
    offsets: [{ topic: "t", partition, offset, leaderEpoch: -1, metadata: null }],
  });
  assert.deepEqual(
    r.partitions.map((p) => p.errorCode),
    [ErrorCode.NONE],
  );
}

describe("transactional offsets (TxnOffsetCommit)", () => {
  it("pending offsets are invisible to OffsetFetch; the last committed one is returned", async () => {
    const h = await setup();
    await simpleCommit(h, 0, 10n);
    const r = await h.c.commitTxnOffsets(txnInput());
    assert.deepEqual(
      r.partitions.map((p) => p.errorCode),
      [ErrorCode.NONE, ErrorCode.NONE],
    );
    assert.deepEqual(await fetchT(h, false), [
      [0, 10n, ErrorCode.NONE],
      [1, -1n, ErrorCode.NONE],
    ]);
    // The pending offsets are durable, under their own key kind.
    const kinds = h.log.records.map((rec) => rec.key.readInt16BE(0));
    assert.deepEqual(kinds, [1, 100, 100]);
  });

  it("require_stable answers UNSTABLE_OFFSET_COMMIT for pending partitions only", async () => {
    const h = await setup();
    await simpleCommit(h, 1, 3n);
    await h.c.commitTxnOffsets(txnInput({ offsets: [txnInput().offsets[0]!] }));
    assert.deepEqual(await fetchT(h, true), [
      [0, -1n, ErrorCode.UNSTABLE_OFFSET_COMMIT],
      [1, 3n, ErrorCode.NONE],
    ]);
    await h.c.completeTransaction(PID, 3, true);
    assert.deepEqual(await fetchT(h, true), [
      [0, 42n, ErrorCode.NONE],
      [1, 3n, ErrorCode.NONE],
    ]);
  });

  it("commit makes the pending offsets the committed ones, with their metadata", async () => {
    const h = await setup();
    await simpleCommit(h, 0, 10n);
    await h.c.commitTxnOffsets(txnInput());
    await h.c.completeTransaction(PID, 3, true);
    const r = await h.c.fetchOffsets({ groupId: "g", partitions: null, requireStable: true });
    assert.deepEqual(
      r.offsets.map((o) => [o.partition, o.offset, o.leaderEpoch, o.metadata, o.errorCode]),
      [
        [0, 42n, 5, "txn", ErrorCode.NONE],
        [1, 7n, -1, "", ErrorCode.NONE],
      ],
    );
    // A second completion (a retried marker) changes nothing.
    const before = h.log.records.length;
    await h.c.completeTransaction(PID, 3, true);
    assert.equal(h.log.records.length, before);
  });

  it("abort drops the pending offsets and keeps the last committed ones", async () => {
    const h = await setup();
    await simpleCommit(h, 0, 10n);
    await h.c.commitTxnOffsets(txnInput());
    await h.c.completeTransaction(PID, 3, false);
    assert.deepEqual(await fetchT(h, true), [
      [0, 10n, ErrorCode.NONE],
      [1, -1n, ErrorCode.NONE],
    ]);
    // A group created only by the aborted transaction leaves nothing behind.
    await h.c.commitTxnOffsets(txnInput({ groupId: "only-txn" }));
    await h.c.completeTransaction(PID, 3, false);
    const [d] = await h.c.describeGroups(["only-txn"]);
    assert.equal(d?.exists, false);
  });

  it("completion touches only the given producer's offsets, in every group", async () => {
    const h = await setup();
    await h.c.commitTxnOffsets(txnInput());
    await h.c.commitTxnOffsets(txnInput({ groupId: "g2" }));
    await h.c.commitTxnOffsets(txnInput({ producerId: 9n, offsets: [txnInput().offsets[1]!] }));
    await h.c.completeTransaction(PID, 3, true);
    assert.deepEqual(await fetchT(h, true), [
      [0, 42n, ErrorCode.NONE],
      [1, -1n, ErrorCode.UNSTABLE_OFFSET_COMMIT],
    ]);
    const g2 = await h.c.fetchOffsets({ groupId: "g2", partitions: null, requireStable: true });
    assert.deepEqual(
      g2.offsets.map((o) => o.offset),
      [42n, 7n],
    );
    await h.c.completeTransaction(9n, 0, true);
    assert.deepEqual(await fetchT(h, true), [
      [0, 42n, ErrorCode.NONE],
      [1, 7n, ErrorCode.NONE],
    ]);
  });

  it("replay restores pending offsets; completed ones stay completed", async () => {
    const h = await setup();
    await simpleCommit(h, 0, 10n);
    await h.c.commitTxnOffsets(txnInput());
    await h.c.commitTxnOffsets(txnInput({ groupId: "done", producerId: 5n }));
    await h.c.completeTransaction(5n, 0, true);
    const before = durableSnapshot(h.c);
    const rebuilt = await GroupCoordinator.open({
      log: h.log,
      logger: silentLogger,
      clock: new FakeClock(),
      config: { initialRebalanceDelayMs: 0 },
    });
    assert.deepEqual(durableSnapshot(rebuilt), before);
    const r = { c: rebuilt };
    assert.deepEqual(await fetchT(r, true), [
      [0, -1n, ErrorCode.UNSTABLE_OFFSET_COMMIT],
      [1, -1n, ErrorCode.UNSTABLE_OFFSET_COMMIT],
    ]);
    assert.deepEqual(await fetchT(r, false), [
      [0, 10n, ErrorCode.NONE],
      [1, -1n, ErrorCode.NONE],
    ]);
    const done = await rebuilt.fetchOffsets({
      groupId: "done",
      partitions: null,
      requireStable: true,
    });
    assert.deepEqual(
      done.offsets.map((o) => [o.offset, o.errorCode]),
      [
        [42n, ErrorCode.NONE],
        [7n, ErrorCode.NONE],
      ],
    );
    // The restarted coordinator completes what was pending before the restart.
    await rebuilt.completeTransaction(PID, 3, true);
    assert.deepEqual(await fetchT(r, true), [
      [0, 42n, ErrorCode.NONE],
      [1, 7n, ErrorCode.NONE],
    ]);
    await rebuilt.close();
  });

  it("pending records round-trip through their encoding", () => {
    const rec = {
      kind: "txn-offset" as const,
      group: "g",
      producerId: 123456789012n,
      topic: "t",
      partition: 2,
      value: {
        producerEpoch: 4,
        offset: {
          offset: 9n,
          leaderEpoch: 2,
          metadata: "m",
          commitTimestamp: 5n,
          expireTimestamp: -1n,
          topicId: Buffer.alloc(16),
        },
      },
    };
    assert.deepEqual(decodeRecord(encodeRecord(rec)), rec);
    const tomb = { ...rec, value: null };
    assert.deepEqual(decodeRecord(encodeRecord(tomb)), tomb);
  });

  it("member checks: none without member fields; UNKNOWN_MEMBER_ID, ILLEGAL_GENERATION otherwise", async () => {
    const h = await setup();
    const { joins } = await formGroup(h, 1);
    const m = joins[0];
    assert.ok(m);
    const codes = async (o: Partial<TxnCommitOffsetsInput>) =>
      (await h.c.commitTxnOffsets(txnInput(o))).partitions.map((p) => p.errorCode);
    // A Stable group still takes a commit without member fields (v0-2 producers).
    assert.deepEqual(await codes({}), [ErrorCode.NONE, ErrorCode.NONE]);
    assert.deepEqual(await codes({ memberId: "nobody", generationId: m.generationId }), [
      ErrorCode.UNKNOWN_MEMBER_ID,
      ErrorCode.UNKNOWN_MEMBER_ID,
    ]);
    assert.deepEqual(await codes({ memberId: m.memberId, generationId: m.generationId + 1 }), [
      ErrorCode.ILLEGAL_GENERATION,
      ErrorCode.ILLEGAL_GENERATION,
    ]);
    assert.deepEqual(await codes({ memberId: m.memberId, generationId: m.generationId }), [
      ErrorCode.NONE,
      ErrorCode.NONE,
    ]);
    assert.deepEqual(await codes({ groupId: "unknown", memberId: "x", generationId: 1 }), [
      ErrorCode.UNKNOWN_MEMBER_ID,
      ErrorCode.UNKNOWN_MEMBER_ID,
    ]);
    assert.deepEqual(await codes({ groupId: "" }), [
      ErrorCode.INVALID_GROUP_ID,
      ErrorCode.INVALID_GROUP_ID,
    ]);
    const big = {
      topic: "t",
      partition: 0,
      offset: 1n,
      leaderEpoch: -1,
      metadata: "x".repeat(5000),
    };
    assert.deepEqual(await codes({ offsets: [big] }), [ErrorCode.OFFSET_METADATA_TOO_LARGE]);
  });

  it("a failed append stores nothing and answers COORDINATOR_NOT_AVAILABLE", async () => {
    const log = new MemoryRecordLog();
    const h = await setup({}, log);
    log.failAppends = new Error("disk full");
    const r = await h.c.commitTxnOffsets(txnInput());
    assert.deepEqual(
      r.partitions.map((p) => p.errorCode),
      [ErrorCode.COORDINATOR_NOT_AVAILABLE, ErrorCode.COORDINATOR_NOT_AVAILABLE],
    );
    log.failAppends = null;
    assert.deepEqual(await fetchT(h, true), [
      [0, -1n, ErrorCode.NONE],
      [1, -1n, ErrorCode.NONE],
    ]);
  });

  it("deleting the topic or the group drops its pending offsets", async () => {
    const h = await setup();
    await h.c.commitTxnOffsets(txnInput());
    await h.c.onTopicDeleted("t");
    assert.deepEqual(await fetchT(h, true), [
      [0, -1n, ErrorCode.NONE],
      [1, -1n, ErrorCode.NONE],
    ]);
    await h.c.commitTxnOffsets(txnInput());
    const [del] = await h.c.deleteGroups(["g"]);
    assert.equal(del?.errorCode, ErrorCode.NONE);
    await h.c.completeTransaction(PID, 3, true);
    assert.deepEqual(await fetchT(h, false), [
      [0, -1n, ErrorCode.NONE],
      [1, -1n, ErrorCode.NONE],
    ]);
  });
});

describe("TxnOffsetCommit transaction check", () => {
  it("a failing check fails every partition and stores nothing", async () => {
    const h = await setup();
    const r = await h.c.commitTxnOffsets(
      txnInput({ verifyTransaction: () => ErrorCode.PRODUCER_FENCED }),
    );
    assert.deepEqual(
      r.partitions.map((p) => p.errorCode),
      [ErrorCode.PRODUCER_FENCED, ErrorCode.PRODUCER_FENCED],
    );
    assert.equal(h.log.records.length, 0);
    const ok = await h.c.commitTxnOffsets(txnInput({ verifyTransaction: () => ErrorCode.NONE }));
    assert.deepEqual(
      ok.partitions.map((p) => p.errorCode),
      [ErrorCode.NONE, ErrorCode.NONE],
    );
    assert.equal(h.log.records.length, 2);
  });
});
