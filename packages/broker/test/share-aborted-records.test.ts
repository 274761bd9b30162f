import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { buildBatch, buildEndTxnMarkerBatch } from "@logbook/protocol";
import { abortedBatchOffsets, overlapOf, withoutOffsets } from "../src/share/aborted-records.js";
import { records } from "./helpers/data-broker.js";

function batchAt(baseOffset: bigint, n: number, producerId: bigint, txn: boolean) {
  return buildBatch(records(n), {
    baseOffset,
    isTransactional: txn,
    producerId,
    producerEpoch: 0,
    baseSequence: 0,
  });
}

describe("aborted records of share-partitions (read_committed)", () => {
  it("finds the data batches of aborted transactions, not committed, plain or control ones", async () => {
    const blob = Buffer.concat([
      await batchAt(0n, 2, 7n, true), // 0-1 aborted (pid 7, first 0, marker 4)
      await batchAt(2n, 1, 8n, true), // 2 committed
      await batchAt(3n, 1, -1n, false), // 3 not transactional
      await batchAt(5n, 2, 7n, true), // 5-6 pid 7 again, after its marker: a new transaction
    ]);
    const aborted = [{ producerId: 7n, firstOffset: 0, lastOffset: 4, lastStableOffset: 0 }];
    assert.deepEqual(abortedBatchOffsets(blob, aborted), [{ firstOffset: 0n, lastOffset: 1n }]);
    assert.deepEqual(abortedBatchOffsets(blob, []), []);
  });

  it("never counts a control batch, even of an aborted producer", async () => {
    const marker = await buildEndTxnMarkerBatch({
      commit: false,
      producerId: 7n,
      producerEpoch: 0,
      coordinatorEpoch: 0,
      timestamp: 0n,
      baseOffset: 1n,
    });
    const aborted = [{ producerId: 7n, firstOffset: 0, lastOffset: 2, lastStableOffset: 0 }];
    assert.deepEqual(abortedBatchOffsets(marker, aborted), []);
  });

  it("cuts removed offsets out of acquired ranges, keeping delivery counts", () => {
    const ranges = [
      { firstOffset: 0n, lastOffset: 9n, deliveryCount: 1 },
      { firstOffset: 10n, lastOffset: 12n, deliveryCount: 2 },
    ];
    const removed = [
      { firstOffset: 2n, lastOffset: 3n },
      { firstOffset: 9n, lastOffset: 10n },
      { firstOffset: 20n, lastOffset: 21n },
    ];
    assert.deepEqual(withoutOffsets(ranges, removed), [
      { firstOffset: 0n, lastOffset: 1n, deliveryCount: 1 },
      { firstOffset: 4n, lastOffset: 8n, deliveryCount: 1 },
      { firstOffset: 11n, lastOffset: 12n, deliveryCount: 2 },
    ]);
    assert.deepEqual(overlapOf(ranges, removed), [
      { firstOffset: 2n, lastOffset: 3n },
      { firstOffset: 9n, lastOffset: 9n },
      { firstOffset: 10n, lastOffset: 10n },
    ]);
  });
});
