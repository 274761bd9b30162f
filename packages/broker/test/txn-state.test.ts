/**
 * The transaction state table (every allowed transition, and the refused ones) and the
 * `__transaction_state` record encoding, groups included, and records written before
 * LastProducerEpoch existed.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { decodeTxnRecord, encodeTxnRecord, type TxnMetadata } from "../src/txn/records.js";
import {
  assertTransition,
  canTransition,
  InvalidTxnTransition,
  TXN_STATE_NAMES,
  TxnState,
  type TxnStateId,
} from "../src/txn/state.js";

const S = TxnState;
const ALLOWED: [TxnStateId, TxnStateId][] = [
  [S.EMPTY, S.EMPTY],
  [S.COMPLETE_COMMIT, S.EMPTY],
  [S.COMPLETE_ABORT, S.EMPTY],
  [S.EMPTY, S.ONGOING],
  [S.ONGOING, S.ONGOING],
  [S.COMPLETE_COMMIT, S.ONGOING],
  [S.COMPLETE_ABORT, S.ONGOING],
  [S.ONGOING, S.PREPARE_COMMIT],
  [S.ONGOING, S.PREPARE_ABORT],
  [S.PREPARE_EPOCH_FENCE, S.PREPARE_ABORT],
  // Transactions v2: an abort with nothing open bumps the epoch.
  [S.EMPTY, S.PREPARE_ABORT],
  [S.COMPLETE_COMMIT, S.PREPARE_ABORT],
  [S.COMPLETE_ABORT, S.PREPARE_ABORT],
  [S.PREPARE_COMMIT, S.COMPLETE_COMMIT],
  [S.PREPARE_ABORT, S.COMPLETE_ABORT],
  [S.EMPTY, S.DEAD],
  [S.COMPLETE_COMMIT, S.DEAD],
  [S.COMPLETE_ABORT, S.DEAD],
  [S.ONGOING, S.PREPARE_EPOCH_FENCE],
];

test("exactly the listed transitions are allowed", () => {
  const ids = Object.values(TxnState);
  const allowed = new Set(ALLOWED.map(([a, b]) => `${a}>${b}`));
  let refused = 0;
  for (const from of ids) {
    for (const to of ids) {
      const ok = allowed.has(`${from}>${to}`);
      assert.equal(
        canTransition(from, to),
        ok,
        `${TXN_STATE_NAMES[from]} -> ${TXN_STATE_NAMES[to]}`,
      );
      if (ok) assert.doesNotThrow(() => assertTransition(from, to));
      else {
        assert.throws(() => assertTransition(from, to), InvalidTxnTransition);
        refused++;
      }
    }
  }
  assert.equal(refused, 64 - ALLOWED.length);
});

test("the refused transitions a buggy caller would try", () => {
  assert.throws(() => assertTransition(S.EMPTY, S.PREPARE_COMMIT), /Empty -> PrepareCommit/);
  assert.throws(() => assertTransition(S.PREPARE_COMMIT, S.COMPLETE_ABORT), InvalidTxnTransition);
  assert.throws(() => assertTransition(S.PREPARE_ABORT, S.ONGOING), InvalidTxnTransition);
  assert.throws(() => assertTransition(S.DEAD, S.EMPTY), InvalidTxnTransition);
});

test("a record round-trips, partitions and groups kept apart", () => {
  const m: TxnMetadata = {
    transactionalId: "tx-1",
    producerId: 77n,
    previousProducerId: 5n,
    nextProducerId: -1n,
    producerEpoch: 3,
    lastProducerEpoch: 2,
    timeoutMs: 30_000,
    state: S.ONGOING,
    partitions: new Map([
      ["a/0", { topic: "a", partition: 0 }],
      ["a/2", { topic: "a", partition: 2 }],
      ["b/1", { topic: "b", partition: 1 }],
    ]),
    groups: new Set(["g1", "group:with:colons"]),
    lastUpdateMs: 1234,
    startMs: 1200,
  };
  const decoded = decodeTxnRecord(encodeTxnRecord(m));
  assert.equal(decoded.kind, "txn");
  if (decoded.kind !== "txn") return;
  assert.deepEqual(decoded.metadata, m);
});

test("a tombstone decodes as a removed id; an unknown version is skipped", () => {
  const rec = encodeTxnRecord({
    transactionalId: "gone",
    producerId: 1n,
    previousProducerId: -1n,
    nextProducerId: -1n,
    producerEpoch: 0,
    lastProducerEpoch: -1,
    timeoutMs: 1000,
    state: S.EMPTY,
    partitions: new Map(),
    groups: new Set(),
    lastUpdateMs: 0,
    startMs: -1,
  });
  assert.deepEqual(decodeTxnRecord({ key: rec.key, value: null }), {
    kind: "txn",
    transactionalId: "gone",
    metadata: null,
  });
  const future = Buffer.from(rec.key);
  future.writeInt16BE(9, 0);
  assert.deepEqual(decodeTxnRecord({ key: future, value: rec.value }), { kind: "unknown" });
});

test("a record written before LastProducerEpoch existed still decodes (no retry to recognise)", () => {
  // Captured from the encoder before the tagged field was added: producer 42, epoch 5,
  // Empty, timeout 60000, partition t/1, updated at 1000, no start, no tagged fields.
  const oldValue = Buffer.from(
    "0000000000000000002affffffffffffffffffffffffffffffff00050000ea600002027402000000010000000000000003e8ffffffffffffffff000000",
    "hex",
  );
  const { key } = encodeTxnRecord({
    transactionalId: "old",
    producerId: 0n,
    previousProducerId: -1n,
    nextProducerId: -1n,
    producerEpoch: 0,
    lastProducerEpoch: -1,
    timeoutMs: 0,
    state: S.EMPTY,
    partitions: new Map(),
    groups: new Set(),
    lastUpdateMs: 0,
    startMs: -1,
  });
  const decoded = decodeTxnRecord({ key, value: oldValue });
  assert.equal(decoded.kind, "txn");
  if (decoded.kind !== "txn") return;
  assert.deepEqual(decoded.metadata, {
    transactionalId: "old",
    producerId: 42n,
    previousProducerId: -1n,
    nextProducerId: -1n,
    producerEpoch: 5,
    lastProducerEpoch: -1,
    timeoutMs: 60_000,
    state: S.EMPTY,
    partitions: new Map([["t/1", { topic: "t", partition: 1 }]]),
    groups: new Set(),
    lastUpdateMs: 1000,
    startMs: -1,
  });
  // Without a last epoch the record is byte for byte what the old encoder wrote.
  if (decoded.metadata === null) return;
  assert.deepEqual(encodeTxnRecord(decoded.metadata).value, oldValue);
});
