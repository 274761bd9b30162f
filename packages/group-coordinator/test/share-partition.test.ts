import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ErrorCode } from "@logbook/protocol";
import { AckType, RecordState } from "../src/share-partition/in-flight.js";
import { SharePartition } from "../src/share-partition/share-partition.js";

const LIMITS = { deliveryCountLimit: 3, lockDurationMs: 1000, maxInFlightRecords: 10 };
const accept = (first: bigint, last: bigint) => ({
  firstOffset: first,
  lastOffset: last,
  acknowledgeTypes: [AckType.ACCEPT],
});

describe("share-partition state machine", () => {
  it("hands new records out once, as one range with delivery count 1", () => {
    const sp = new SharePartition(LIMITS, 0n);
    assert.deepEqual(sp.acquire("a", 5, 0n, 3n, 0), [
      { firstOffset: 0n, lastOffset: 2n, deliveryCount: 1 },
    ]);
    assert.deepEqual(sp.acquire("b", 5, 0n, 3n, 0), []);
    assert.equal(sp.endOffset, 3n);
    assert.equal(sp.startOffset, 0n);
  });

  it("moves the SPSO over accepted records, not over a released one below them", () => {
    const sp = new SharePartition(LIMITS, 0n);
    sp.acquire("a", 5, 0n, 4n, 0);
    const release = { firstOffset: 0n, lastOffset: 0n, acknowledgeTypes: [AckType.RELEASE] };
    assert.equal(sp.acknowledge("a", [release, accept(1n, 3n)], 0), ErrorCode.NONE);
    assert.equal(sp.startOffset, 0n);
    assert.deepEqual(sp.acquire("b", 5, 0n, 4n, 0), [
      { firstOffset: 0n, lastOffset: 0n, deliveryCount: 2 },
    ]);
    assert.equal(sp.acknowledge("b", [accept(0n, 0n)], 0), ErrorCode.NONE);
    assert.equal(sp.startOffset, 4n);
  });

  it("refuses acknowledgements of records the member does not hold, changing nothing", () => {
    const sp = new SharePartition(LIMITS, 0n);
    sp.acquire("a", 2, 0n, 4n, 0);
    sp.acquire("b", 2, 0n, 4n, 0);
    assert.equal(sp.acknowledge("a", [accept(0n, 2n)], 0), ErrorCode.INVALID_RECORD_STATE);
    assert.equal(sp.record(0n)?.state, RecordState.ACQUIRED);
    assert.equal(sp.acknowledge("a", [accept(0n, 1n)], 0), ErrorCode.NONE);
    assert.equal(sp.startOffset, 2n);
  });

  it("answers INVALID_REQUEST for a per-offset type list of the wrong length or an unknown type", () => {
    const sp = new SharePartition(LIMITS, 0n);
    sp.acquire("a", 3, 0n, 3n, 0);
    const short = { firstOffset: 0n, lastOffset: 2n, acknowledgeTypes: [1, 1] };
    assert.equal(sp.acknowledge("a", [short], 0), ErrorCode.INVALID_REQUEST);
    const unknown = { firstOffset: 0n, lastOffset: 0n, acknowledgeTypes: [9] };
    assert.equal(sp.acknowledge("a", [unknown], 0), ErrorCode.INVALID_REQUEST);
    const perOffset = { firstOffset: 0n, lastOffset: 2n, acknowledgeTypes: [1, 0, 3] };
    assert.equal(sp.acknowledge("a", [perOffset], 0), ErrorCode.NONE);
    assert.equal(sp.startOffset, 3n);
  });

  it("makes records available again when the lock lapses, and refuses a late acknowledgement", () => {
    const sp = new SharePartition(LIMITS, 0n);
    sp.acquire("a", 5, 0n, 2n, 0);
    assert.equal(sp.nextLockExpiry(), 1000);
    assert.deepEqual(sp.acquire("b", 5, 0n, 2n, 999), []);
    assert.deepEqual(sp.acquire("b", 5, 0n, 2n, 1000), [
      { firstOffset: 0n, lastOffset: 1n, deliveryCount: 2 },
    ]);
    assert.equal(sp.acknowledge("a", [accept(0n, 1n)], 1000), ErrorCode.INVALID_RECORD_STATE);
  });

  it("archives a record at the delivery count limit instead of offering it again", () => {
    const sp = new SharePartition(LIMITS, 0n);
    for (let i = 1; i <= 3; i++) {
      assert.deepEqual(sp.acquire("a", 1, 0n, 1n, 0), [
        { firstOffset: 0n, lastOffset: 0n, deliveryCount: i },
      ]);
      sp.releaseMember("a");
    }
    assert.equal(sp.startOffset, 1n);
    assert.deepEqual(sp.acquire("a", 1, 0n, 1n, 0), []);
  });

  it("keeps at most maxInFlightRecords offsets in flight", () => {
    const sp = new SharePartition(LIMITS, 0n);
    assert.equal(sp.acquire("a", 100, 0n, 100n, 0)[0]?.lastOffset, 9n);
    assert.deepEqual(sp.acquire("b", 100, 0n, 100n, 0), []);
    sp.acknowledge("a", [accept(0n, 4n)], 0);
    assert.deepEqual(sp.acquire("b", 100, 0n, 100n, 0), [
      { firstOffset: 10n, lastOffset: 14n, deliveryCount: 1 },
    ]);
  });

  it("archives records deleted from the log (log start offset past the SPSO)", () => {
    const sp = new SharePartition(LIMITS, 0n);
    sp.acquire("a", 5, 0n, 5n, 0);
    sp.releaseMember("a");
    assert.deepEqual(sp.acquire("b", 2, 3n, 5n, 0), [
      { firstOffset: 3n, lastOffset: 4n, deliveryCount: 2 },
    ]);
    assert.equal(sp.startOffset, 3n);
    const empty = new SharePartition(LIMITS, 0n);
    assert.deepEqual(empty.acquire("a", 1, 7n, 9n, 0), [
      { firstOffset: 7n, lastOffset: 7n, deliveryCount: 1 },
    ]);
  });

  it("restores acquired records as available with their delivery count, keeps terminal ones", () => {
    const sp = new SharePartition(LIMITS, 0n);
    sp.acquire("a", 4, 0n, 4n, 0);
    sp.acknowledge("a", [accept(1n, 1n)], 0);
    const restored = SharePartition.restore(LIMITS, sp.snapshot());
    assert.equal(restored.startOffset, 0n);
    assert.equal(restored.endOffset, 4n);
    assert.equal(restored.record(1n)?.state, RecordState.ACKNOWLEDGED);
    assert.deepEqual(restored.acquire("b", 10, 0n, 4n, 0), [
      { firstOffset: 0n, lastOffset: 0n, deliveryCount: 2 },
      { firstOffset: 2n, lastOffset: 3n, deliveryCount: 2 },
    ]);
  });

  it("resets to a new start offset with a new state epoch", () => {
    const sp = new SharePartition(LIMITS, 0n, 1);
    sp.acquire("a", 4, 0n, 4n, 0);
    sp.resetTo(2n);
    assert.deepEqual(sp.snapshot(), { startOffset: 2n, stateEpoch: 2, batches: [] });
  });
  it("RENEW keeps a record with its member and delivery count and restarts its lock from now", () => {
    const sp = new SharePartition(LIMITS, 0n);
    sp.acquire("a", 2, 0n, 2n, 0);
    const renew = { firstOffset: 0n, lastOffset: 0n, acknowledgeTypes: [AckType.RENEW] };
    assert.equal(sp.acknowledge("a", [renew], 900), ErrorCode.NONE);
    assert.deepEqual(sp.record(0n), {
      state: RecordState.ACQUIRED,
      deliveryCount: 1,
      memberId: "a",
      lockExpiresAt: 900 + LIMITS.lockDurationMs,
    });
    // Past the first lock: offset 1 (not renewed) is free again, offset 0 is still a's.
    assert.deepEqual(sp.acquire("b", 5, 0n, 2n, 1500), [
      { firstOffset: 1n, lastOffset: 1n, deliveryCount: 2 },
    ]);
    assert.equal(sp.acknowledge("a", [accept(0n, 0n)], 1800), ErrorCode.NONE);
    assert.equal(sp.record(0n), undefined);
    assert.equal(sp.startOffset, 1n);
  });

  it("RENEW of a record whose lock lapsed, or of another member's record, is INVALID_RECORD_STATE", () => {
    const sp = new SharePartition(LIMITS, 0n);
    sp.acquire("a", 1, 0n, 1n, 0);
    const renew = { firstOffset: 0n, lastOffset: 0n, acknowledgeTypes: [AckType.RENEW] };
    assert.equal(sp.acknowledge("b", [renew], 10), ErrorCode.INVALID_RECORD_STATE);
    assert.equal(
      sp.acknowledge("a", [renew], LIMITS.lockDurationMs),
      ErrorCode.INVALID_RECORD_STATE,
    );
    assert.equal(sp.record(0n)?.state, RecordState.AVAILABLE);
  });

  it("a renewed record is persisted as acquired and comes back available, count kept, after a restart", () => {
    const sp = new SharePartition(LIMITS, 0n);
    sp.acquire("a", 1, 0n, 1n, 0);
    const before = sp.snapshot();
    const renew = { firstOffset: 0n, lastOffset: 0n, acknowledgeTypes: [AckType.RENEW] };
    assert.equal(sp.acknowledge("a", [renew], 500), ErrorCode.NONE);
    // Nothing new to persist: the lock lives in memory only.
    assert.deepEqual(sp.snapshot(), before);
    const back = SharePartition.restore(LIMITS, sp.snapshot());
    assert.deepEqual(back.acquire("b", 1, 0n, 1n, 600), [
      { firstOffset: 0n, lastOffset: 0n, deliveryCount: 2 },
    ]);
  });
});
