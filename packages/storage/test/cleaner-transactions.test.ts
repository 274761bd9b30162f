import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  buildBatch,
  buildEndTxnMarkerBatch,
  ControlRecordType,
  encodeControlKey,
  RecordBatchHeader,
  validateBatch,
} from "@logbook/protocol";
import {
  AbortedTransactions,
  buildOffsetMap,
  cleanBatch,
  cleanSegmentBatches,
  OffsetMap,
  TransactionTracker,
} from "../src/cleaner/index.js";

const PID = 42n;
const MARKER_TIME = 5_000;

function txnData(baseOffset: number, keys: string[], producerId = PID): Promise<Buffer> {
  return buildBatch(
    keys.map((k) => ({ timestamp: 4_000n, key: Buffer.from(k), value: Buffer.from(`${k}!`) })),
    {
      baseOffset: BigInt(baseOffset),
      producerId,
      producerEpoch: 0,
      baseSequence: 0,
      isTransactional: true,
    },
  );
}

function marker(baseOffset: number, commit: boolean, producerId = PID): Promise<Buffer> {
  return buildEndTxnMarkerBatch({
    commit,
    producerId,
    producerEpoch: 0,
    coordinatorEpoch: 1,
    timestamp: BigInt(MARKER_TIME),
    baseOffset: BigInt(baseOffset),
  });
}

function coveringMap(end: number, entries: Record<string, number> = {}): OffsetMap {
  const map = new OffsetMap(16);
  for (const [k, o] of Object.entries(entries)) map.put(Buffer.from(k), o);
  map.advanceTo(end);
  return map;
}

async function collect(source: AsyncIterable<Buffer>): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for await (const b of source) out.push(b);
  return out;
}

const before = { deleteHorizonMs: MARKER_TIME };
const after = { deleteHorizonMs: MARKER_TIME + 1 };

describe("transaction markers", () => {
  it("are kept before the delete horizon and dropped after it", async () => {
    const m = await marker(3, true);
    const map = coveringMap(10);
    assert.equal(await cleanBatch(m, map, before), m);
    assert.equal(await cleanBatch(m, map, after), null);
  });

  it("are kept past the horizon while a tracker sees data of their transaction", async () => {
    const data = await txnData(0, ["a", "b"]);
    const m = await marker(2, true);
    const tracker = new TransactionTracker();
    const map = coveringMap(3, { a: 0, b: 1 });
    const opts = { ...after, transactions: tracker };
    assert.equal(await cleanBatch(data, map, opts), data);
    assert.equal(tracker.hasRetainedData(PID), true);
    assert.equal(await cleanBatch(m, map, opts), m, "its data is still there");
    assert.equal(tracker.hasRetainedData(PID), false, "the marker ends the transaction");
  });

  it("go once their transaction's data was compacted away", async () => {
    const data = await txnData(0, ["a"]);
    const m = await marker(1, true);
    const tracker = new TransactionTracker();
    // a was written again at offset 5: the transactional a@0 is superseded.
    const map = coveringMap(6, { a: 5 });
    const opts = { ...after, transactions: tracker };
    assert.equal(await cleanBatch(data, map, opts), null);
    assert.equal(await cleanBatch(m, map, opts), null);
  });

  it("an abort marker goes with its aborted data, across segments of one pass", async () => {
    const other = await txnData(0, ["x"], 7n);
    const segment1 = [await txnData(1, ["a", "b"]), other];
    const segment2 = [await marker(3, false), await marker(4, true, 7n)];
    const aborted = new AbortedTransactions([{ producerId: PID, firstOffset: 1, lastOffset: 3 }]);
    const build = await buildOffsetMap([...segment1, ...segment2], { maxEntries: 16, aborted });
    const opts = { ...after, aborted, transactions: new TransactionTracker() };
    const out1 = await collect(cleanSegmentBatches(segment1, build.map, opts));
    const out2 = await collect(cleanSegmentBatches(segment2, build.map, opts));
    assert.deepEqual(out1, [other], "aborted data dropped, producer 7's data kept");
    assert.equal(out2.length, 1, "producer 7's commit marker stays: its data is still there");
    assert.equal(RecordBatchHeader.at(out2[0] as Buffer).producerId, 7n);
  });

  it("beyond the map are kept and still end the tracked transaction", async () => {
    const tracker = new TransactionTracker();
    tracker.dataRetained(PID);
    const m = await marker(50, true);
    assert.equal(await cleanBatch(m, coveringMap(10), { ...after, transactions: tracker }), m);
    assert.equal(tracker.hasRetainedData(PID), false);
  });

  it("leave an empty control batch when the caller retains producer state", async () => {
    const m = await marker(8, false);
    const out = await cleanBatch(m, coveringMap(10), {
      ...after,
      retainEmptyBatch: (h) => h.producerId === PID,
    });
    assert.ok(out !== null);
    assert.equal(validateBatch(out).ok, true);
    const h = RecordBatchHeader.at(out);
    assert.equal(h.recordsCount, 0);
    assert.equal(h.isControl, true);
    assert.equal(h.isTransactional, true);
    assert.equal(h.baseOffset, 8n);
    assert.equal(h.producerId, PID);
  });

  it("other control records (KRaft) are never removed", async () => {
    const leaderChange = await buildBatch(
      [
        {
          timestamp: 1n,
          key: encodeControlKey({ version: 0, type: ControlRecordType.leaderChange }),
          value: Buffer.from([0, 0]),
        },
      ],
      { baseOffset: 2n, isControl: true, isTransactional: true, producerId: PID },
    );
    const map = coveringMap(10);
    assert.equal(await cleanBatch(leaderChange, map, { deleteHorizonMs: 1e15 }), leaderChange);
  });
});
