import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ErrorCode } from "@logbook/protocol";
import { MemoryEngine, type StorageEngine, silentLogger } from "@logbook/storage";
import type { ShardLog } from "../src/runtime/index.js";
import { AckType, RecordState } from "../src/share-partition/in-flight.js";
import { ShareStateCoordinator } from "../src/share-partition/share-state-coordinator.js";
import { openShareStateLog } from "../src/share-partition/share-state-log.js";
import type { ShareStateRecord } from "../src/share-partition/share-state-records.js";
import {
  decodeShareStateRecord,
  encodeShareStateRecord,
} from "../src/share-partition/share-state-records.js";
import { FakeClock } from "./fake-clock.js";

const LIMITS = { deliveryCountLimit: 5, lockDurationMs: 30_000, maxInFlightRecords: 100 };
const KEY = { groupId: "g", topicId: Buffer.alloc(16, 7), partition: 0 };
const BOUNDS = { logStartOffset: 0n, logEndOffset: 10n, initialOffset: 0n };

/** A broker's share state over one storage; a second call on the same storage is a restart. */
async function open(storage: StorageEngine, clock = new FakeClock()) {
  const log = await openShareStateLog(storage, silentLogger);
  return ShareStateCoordinator.load({ log, clock, logger: silentLogger, limits: () => LIMITS });
}

describe("share-partition state in __share_group_state", () => {
  it("round-trips a record and its tombstone through the codec", () => {
    const snapshot = {
      startOffset: 3n,
      stateEpoch: 2,
      batches: [
        { firstOffset: 3n, lastOffset: 4n, state: RecordState.ACQUIRED, deliveryCount: 2 },
        { firstOffset: 5n, lastOffset: 5n, state: RecordState.ACKNOWLEDGED, deliveryCount: 1 },
      ],
    };
    assert.deepEqual(decodeShareStateRecord(encodeShareStateRecord({ key: KEY, snapshot })), {
      key: KEY,
      snapshot,
    });
    assert.deepEqual(decodeShareStateRecord(encodeShareStateRecord({ key: KEY, snapshot: null })), {
      key: KEY,
      snapshot: null,
    });
  });

  it("after a restart, acknowledged records are not redelivered and acquired ones come back with their delivery count", async () => {
    const store = new MemoryEngine({ clock: new FakeClock() });
    const before = await open(store);
    const first = await before.acquire(KEY, "m1", 10, BOUNDS);
    assert.deepEqual(first.ranges, [{ firstOffset: 0n, lastOffset: 9n, deliveryCount: 1 }]);
    const ack = { firstOffset: 0n, lastOffset: 3n, acknowledgeTypes: [AckType.ACCEPT] };
    assert.equal(await before.acknowledge(KEY, "m1", [ack]), ErrorCode.NONE);
    const reject = { firstOffset: 5n, lastOffset: 5n, acknowledgeTypes: [AckType.REJECT] };
    assert.equal(await before.acknowledge(KEY, "m1", [reject]), ErrorCode.NONE);
    await before.close();

    const after = await open(store);
    assert.deepEqual(after.offsets("g"), [{ key: KEY, startOffset: 4n, deliveryComplete: 1n }]);
    const again = await after.acquire(KEY, "m2", 10, BOUNDS);
    assert.deepEqual(again.ranges, [
      { firstOffset: 4n, lastOffset: 4n, deliveryCount: 2 },
      { firstOffset: 6n, lastOffset: 9n, deliveryCount: 2 },
    ]);
    await after.close();
  });

  it("renewed records outlive their first lock; after a restart they are available again with their delivery count", async () => {
    const store = new MemoryEngine({ clock: new FakeClock() });
    const clock = new FakeClock();
    const before = await open(store, clock);
    await before.acquire(KEY, "m1", 2, BOUNDS);
    await clock.advance(20_000);
    const renew = { firstOffset: 0n, lastOffset: 1n, acknowledgeTypes: [AckType.RENEW] };
    assert.equal(await before.acknowledge(KEY, "m1", [renew]), ErrorCode.NONE);
    // Past the first lock, within the renewed one: nobody else gets them.
    await clock.advance(20_000);
    assert.deepEqual(
      (await before.acquire(KEY, "m2", 2, { ...BOUNDS, logEndOffset: 2n })).ranges,
      [],
    );
    await before.close();

    const after = await open(store, clock);
    assert.deepEqual((await after.acquire(KEY, "m2", 2, BOUNDS)).ranges, [
      { firstOffset: 0n, lastOffset: 1n, deliveryCount: 2 },
    ]);
    await after.close();
  });

  it("a share-partition first used starts at the initial offset and is persisted", async () => {
    const store = new MemoryEngine({ clock: new FakeClock() });
    const c = await open(store);
    const r = await c.acquire(KEY, "m", 2, { ...BOUNDS, initialOffset: 10n });
    assert.deepEqual(r.ranges, []);
    await c.close();
    const after = await open(store);
    assert.deepEqual(after.offsets("g"), [{ key: KEY, startOffset: 10n, deliveryComplete: 0n }]);
    assert.deepEqual(after.groupIds(), ["g"]);
    await after.close();
  });

  it("alter resets the start offset with a new state epoch; delete forgets the share-partition", async () => {
    const store = new MemoryEngine({ clock: new FakeClock() });
    const c = await open(store);
    await c.acquire(KEY, "m", 5, BOUNDS);
    assert.equal(await c.alter([{ key: KEY, startOffset: 7n }]), ErrorCode.NONE);
    const r = await c.acquire(KEY, "m", 5, BOUNDS);
    assert.deepEqual(r.ranges, [{ firstOffset: 7n, lastOffset: 9n, deliveryCount: 1 }]);
    await c.close();
    const after = await open(store);
    assert.deepEqual(after.offsets("g"), [{ key: KEY, startOffset: 7n, deliveryComplete: 0n }]);
    assert.equal(await after.delete([KEY]), ErrorCode.NONE);
    assert.deepEqual(after.offsets("g"), []);
    await after.close();
    const last = await open(store);
    assert.deepEqual(last.groupIds(), []);
    await last.close();
  });

  it("a failed write answers COORDINATOR_NOT_AVAILABLE and leaves the durable state as it was", async () => {
    const storage = new MemoryEngine({ clock: new FakeClock() });
    const inner = await openShareStateLog(storage, silentLogger);
    let fail = false;
    const log: ShardLog<ShareStateRecord> = {
      append: (records) => (fail ? Promise.reject(new Error("disk full")) : inner.append(records)),
      replay: (visit) => inner.replay(visit),
    };
    const clock = new FakeClock();
    const c = await ShareStateCoordinator.load({
      log,
      clock,
      logger: silentLogger,
      limits: () => LIMITS,
    });
    assert.deepEqual((await c.acquire(KEY, "m", 2, BOUNDS)).ranges, [
      { firstOffset: 0n, lastOffset: 1n, deliveryCount: 1 },
    ]);
    fail = true;
    const refused = await c.acquire(KEY, "m", 2, BOUNDS);
    assert.deepEqual(refused, { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, ranges: [] });
    const ack = { firstOffset: 0n, lastOffset: 0n, acknowledgeTypes: [AckType.ACCEPT] };
    assert.equal(await c.acknowledge(KEY, "m", [ack]), ErrorCode.COORDINATOR_NOT_AVAILABLE);
    fail = false;
    // Rebuilt from what is durable: the two records acquired before are available again.
    assert.deepEqual((await c.acquire(KEY, "m2", 5, BOUNDS)).ranges, [
      { firstOffset: 0n, lastOffset: 1n, deliveryCount: 2 },
      { firstOffset: 2n, lastOffset: 4n, deliveryCount: 1 },
    ]);
    await c.close();
  });

  it("acknowledging a share-partition that has no state answers INVALID_RECORD_STATE", async () => {
    const c = await open(new MemoryEngine({ clock: new FakeClock() }));
    const ack = { firstOffset: 0n, lastOffset: 0n, acknowledgeTypes: [AckType.ACCEPT] };
    assert.equal(await c.acknowledge(KEY, "m", [ack]), ErrorCode.INVALID_RECORD_STATE);
    await c.close();
  });
});
