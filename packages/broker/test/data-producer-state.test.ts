import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { buildEndTxnMarkerBatch, ErrorCode } from "@logbook/protocol";
import { logConfig, openStorageEngine, silentLogger } from "@logbook/storage";
import { PRODUCER_ID_BLOCK_SIZE, ProducerIdAllocator } from "../src/data/producer-ids.js";
import {
  type BatchMetadata,
  lastSequence,
  PartitionProducerState,
} from "../src/data/producer-state.js";
import { rebuildProducerState } from "../src/data/producer-state-rebuild.js";
import { idempotentBatch, tempEngine } from "./helpers/data-broker.js";

const DONE = Promise.resolve();

function batch(firstSeq: number, count: number, firstOffset: number): BatchMetadata {
  return {
    firstSeq,
    lastSeq: firstSeq + count - 1,
    firstOffset,
    maxTimestamp: -1,
    lastOffset: firstOffset + count - 1,
    written: DONE,
  };
}

/** Appends batches of `count` records with consecutive sequences; returns their metadata. */
function appendMany(
  state: PartitionProducerState,
  pid: bigint,
  epoch: number,
  n: number,
  count = 2,
): BatchMetadata[] {
  const out: BatchMetadata[] = [];
  for (let i = 0; i < n; i++) {
    const b = batch(i * count, count, 100 + i * count);
    assert.equal(state.check(pid, epoch, b.firstSeq, b.lastSeq).kind, "append");
    state.record(pid, epoch, b, 0);
    out.push(b);
  }
  return out;
}

describe("PartitionProducerState", () => {
  it("answers a retry of each of the last five batches with that batch", () => {
    const state = new PartitionProducerState();
    const batches = appendMany(state, 7n, 0, 6);
    for (const b of batches.slice(1)) {
      const v = state.check(7n, 0, b.firstSeq, b.lastSeq);
      assert.equal(v.kind, "duplicate");
      assert.equal(v.kind === "duplicate" && v.batch.firstOffset, b.firstOffset);
    }
    // The sixth-newest is forgotten: its retry is now out of order.
    const oldest = batches[0] as BatchMetadata;
    const v = state.check(7n, 0, oldest.firstSeq, oldest.lastSeq);
    assert.equal(v.kind === "error" && v.errorCode, ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
  });

  it("refuses a sequence gap and a partial overlap with OUT_OF_ORDER_SEQUENCE_NUMBER", () => {
    const state = new PartitionProducerState();
    appendMany(state, 1n, 0, 2); // sequences 0-3
    const gap = state.check(1n, 0, 5, 5);
    assert.equal(gap.kind === "error" && gap.errorCode, ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    const overlap = state.check(1n, 0, 1, 2);
    assert.equal(
      overlap.kind === "error" && overlap.errorCode,
      ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
    );
    assert.equal(state.check(1n, 0, 4, 9).kind, "append");
  });

  it("refuses an older epoch, and requires sequence 0 from a newer one", () => {
    const state = new PartitionProducerState();
    appendMany(state, 1n, 3, 1);
    const old = state.check(1n, 2, 2, 2);
    assert.equal(old.kind === "error" && old.errorCode, ErrorCode.INVALID_PRODUCER_EPOCH);
    const notZero = state.check(1n, 4, 2, 2);
    assert.equal(
      notZero.kind === "error" && notZero.errorCode,
      ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
    );
    assert.equal(state.check(1n, 4, 0, 0).kind, "append");
    state.record(1n, 4, batch(0, 1, 500), 0);
    assert.equal(state.epochOf(1n), 4);
    // The bump forgot the old epoch's batches: their retry is a stale epoch now.
    const retry = state.check(1n, 3, 0, 1);
    assert.equal(retry.kind === "error" && retry.errorCode, ErrorCode.INVALID_PRODUCER_EPOCH);
  });

  it("accepts any sequence from an unknown producer (Kafka 2.x+ after retention)", () => {
    const state = new PartitionProducerState();
    assert.equal(state.check(9n, 0, 42, 44).kind, "append");
  });

  it("wraps sequences from 2^31-1 to 0", () => {
    assert.equal(lastSequence(0x7ffffffe, 3), 1);
    const state = new PartitionProducerState();
    state.record(
      2n,
      0,
      {
        firstSeq: 0x7ffffffe,
        lastSeq: 0x7fffffff,
        maxTimestamp: -1,
        firstOffset: 0,
        lastOffset: 1,
        written: DONE,
      },
      0,
    );
    assert.equal(state.check(2n, 0, 0, 0).kind, "append");
  });

  it("forgets a batch whose append failed, so its retry is appended again", () => {
    const state = new PartitionProducerState();
    const [first] = appendMany(state, 1n, 0, 1);
    state.forget(1n, first as BatchMetadata);
    assert.equal(state.check(1n, 0, 0, 1).kind, "append");
  });
});

describe("rebuildProducerState", () => {
  it("restores sequences and epochs from the log after a restart", async () => {
    const tmp = await tempEngine();
    try {
      const tp = { topic: "t", partition: 0 };
      let engine = await openStorageEngine(tmp.url, {
        logger: silentLogger,
        maintenanceIntervalMs: 0,
      });
      let log = await engine.open(tp, logConfig());
      await log.append(await idempotentBatch(5n, 0, 0, 3)); // offsets 0-2, seq 0-2
      await log.append(await idempotentBatch(6n, 1, 0, 1)); // offset 3
      await log.append(await idempotentBatch(5n, 0, 3, 2)); // offsets 4-5, seq 3-4
      await log.append(
        await buildEndTxnMarkerBatch({
          commit: true,
          producerId: 6n,
          producerEpoch: 2,
          coordinatorEpoch: 0,
          timestamp: 1n,
        }),
      ); // marker moves producer 6 to epoch 2
      await engine.close();

      engine = await openStorageEngine(tmp.url, { logger: silentLogger, maintenanceIntervalMs: 0 });
      log = await engine.open(tp, logConfig());
      const state = await rebuildProducerState(log);
      const dup = state.check(5n, 0, 0, 2);
      assert.equal(dup.kind, "duplicate");
      assert.equal(dup.kind === "duplicate" && dup.batch.firstOffset, 0);
      const dup2 = state.check(5n, 0, 3, 4);
      assert.equal(dup2.kind === "duplicate" && dup2.batch.firstOffset, 4);
      assert.equal(state.check(5n, 0, 5, 5).kind, "append");
      const gap = state.check(5n, 0, 7, 7);
      assert.equal(gap.kind === "error" && gap.errorCode, ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
      assert.equal(state.epochOf(6n), 2);
      await engine.close();
    } finally {
      await tmp.remove();
    }
  });
});

describe("ProducerIdAllocator", () => {
  it("never hands out an id twice, across restarts", async () => {
    const tmp = await tempEngine();
    try {
      let engine = await openStorageEngine(tmp.url, {
        logger: silentLogger,
        maintenanceIntervalMs: 0,
      });
      let ids = await ProducerIdAllocator.open(engine);
      const first = await Promise.all([ids.allocate(), ids.allocate(), ids.allocate()]);
      assert.deepEqual(new Set(first).size, 3);
      await engine.close();

      engine = await openStorageEngine(tmp.url, { logger: silentLogger, maintenanceIntervalMs: 0 });
      ids = await ProducerIdAllocator.open(engine);
      const after = await ids.allocate();
      assert.ok(after >= BigInt(PRODUCER_ID_BLOCK_SIZE), `id ${after} is from a new block`);
      assert.ok(!first.includes(after));
      await engine.close();
    } finally {
      await tmp.remove();
    }
  });

  it("bumps the epoch of a known id and gives a fresh id to an unknown one", async () => {
    const engine = await openStorageEngine("memory:", { logger: silentLogger });
    const ids = await ProducerIdAllocator.open(engine);
    const id = await ids.allocate();
    assert.deepEqual(await ids.bump(id, 0), { ok: true, producerId: id, producerEpoch: 1 });
    assert.deepEqual(await ids.bump(id, 0), { ok: true, producerId: id, producerEpoch: 2 });
    const unknown = await ids.bump(123456n, 4);
    assert.equal(unknown.ok && unknown.producerEpoch, 0);
    assert.notEqual(unknown.ok && unknown.producerId, 123456n);
    const overflow = await ids.bump(id, 32766);
    assert.equal(overflow.ok && overflow.producerEpoch, 0);
    assert.notEqual(overflow.ok && overflow.producerId, id);
    await engine.close();
  });
});
