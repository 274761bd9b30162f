import {
  createTransactionLogKey,
  createTransactionLogValue,
  createTransactionLogValuePartitionsSchema,
  decodeTransactionLogKey,
  decodeTransactionLogValue,
  encodeTransactionLogKey,
  encodeTransactionLogValue,
  Reader,
  sizeTransactionLogKey,
  sizeTransactionLogValue,
  Writer,
} from "@logbook/protocol";
import type { KeyValueRecord } from "@logbook/storage";
import { type TopicPartitionRef, tpKey } from "./contracts.js";
import { isTxnStateId, type TxnStateId } from "./state.js";

/** The coordinator's view of one transactional id, as the latest record says. */
export interface TxnMetadata {
  readonly transactionalId: string;
  readonly producerId: bigint;
  /** The id before an epoch exhaustion moved the producer to a new one; -1 when none. */
  readonly previousProducerId: bigint;
  /**
   * The id a transactions v2 EndTxn at the last epoch moves the producer to once the
   * transaction completes (its markers still carry the old id); -1 when none.
   */
  readonly nextProducerId: bigint;
  readonly producerEpoch: number;
  /**
   * The epoch before the last InitProducerId bump that named the producer's id and
   * epoch (KIP-360), so a retry of that bump gets the same answer; -1 when none.
   * Kafka's lastProducerEpoch, but persisted, so a retry is still recognised after a
   * restart.
   */
  readonly lastProducerEpoch: number;
  readonly timeoutMs: number;
  readonly state: TxnStateId;
  /** Data partitions of the transaction, keyed by tpKey. */
  readonly partitions: ReadonlyMap<string, TopicPartitionRef>;
  /** Groups whose TxnOffsetCommit offsets belong to the transaction (AddOffsetsToTxn). */
  readonly groups: ReadonlySet<string>;
  readonly lastUpdateMs: number;
  /** When the transaction's first partition or group was added; -1 when none is open. */
  readonly startMs: number;
}

/**
 * Groups ride in the partition list of TransactionLogValue (Kafka stores the group's
 * __consumer_offsets partition there instead, which needs the group id to be hashed;
 * we need the id itself for TxnOffsetCommit checks after a restart). ':' cannot occur
 * in a topic name, so these entries never collide with a real topic.
 */
const GROUP_PREFIX = "__consumer_offsets:";
const VERSION = 0;

function versioned(size: number, write: (w: Writer) => void): Buffer {
  const w = Writer.alloc(2 + size);
  w.int16(VERSION);
  write(w);
  return w.result();
}

/** The record key of a transactional id (its tombstone has this key and no value). */
export function encodeTxnKey(transactionalId: string): Buffer {
  const k = createTransactionLogKey({ transactionalId });
  return versioned(sizeTransactionLogKey(k, VERSION), (w) =>
    encodeTransactionLogKey(w, k, VERSION),
  );
}

export function encodeTxnRecord(m: TxnMetadata): KeyValueRecord {
  const byTopic = new Map<string, number[]>();
  for (const tp of m.partitions.values()) {
    const list = byTopic.get(tp.topic) ?? [];
    list.push(tp.partition);
    byTopic.set(tp.topic, list);
  }
  const entries = [...byTopic].map(([topic, partitionIds]) =>
    createTransactionLogValuePartitionsSchema({ topic, partitionIds }),
  );
  for (const g of m.groups) {
    entries.push(
      createTransactionLogValuePartitionsSchema({ topic: GROUP_PREFIX + g, partitionIds: [] }),
    );
  }
  const v = createTransactionLogValue({
    producerId: m.producerId,
    previousProducerId: m.previousProducerId,
    nextProducerId: m.nextProducerId,
    producerEpoch: m.producerEpoch,
    lastProducerEpoch: m.lastProducerEpoch,
    transactionTimeoutMs: m.timeoutMs,
    transactionStatus: m.state,
    transactionPartitions: entries,
    transactionLastUpdateTimestampMs: BigInt(m.lastUpdateMs),
    transactionStartTimestampMs: BigInt(m.startMs),
  });
  return {
    key: encodeTxnKey(m.transactionalId),
    value: versioned(sizeTransactionLogValue(v, VERSION), (w) =>
      encodeTransactionLogValue(w, v, VERSION),
    ),
  };
}

export type DecodedTxnRecord =
  | { kind: "txn"; transactionalId: string; metadata: TxnMetadata | null }
  | { kind: "unknown" };

/** Decodes one record of `__transaction_state`; a tombstone yields metadata null. */
export function decodeTxnRecord(record: KeyValueRecord): DecodedTxnRecord {
  const kr = new Reader(record.key);
  if (kr.int16() !== VERSION) return { kind: "unknown" };
  const { transactionalId } = decodeTransactionLogKey(kr, VERSION);
  if (record.value === null) return { kind: "txn", transactionalId, metadata: null };
  const vr = new Reader(record.value);
  if (vr.int16() !== VERSION) return { kind: "unknown" };
  const v = decodeTransactionLogValue(vr, VERSION);
  if (!isTxnStateId(v.transactionStatus)) return { kind: "unknown" };
  const partitions = new Map<string, TopicPartitionRef>();
  const groups = new Set<string>();
  for (const e of v.transactionPartitions ?? []) {
    if (e.topic.startsWith(GROUP_PREFIX)) {
      groups.add(e.topic.slice(GROUP_PREFIX.length));
      continue;
    }
    for (const partition of e.partitionIds) {
      const tp = { topic: e.topic, partition };
      partitions.set(tpKey(tp), tp);
    }
  }
  return {
    kind: "txn",
    transactionalId,
    metadata: {
      transactionalId,
      producerId: v.producerId,
      previousProducerId: v.previousProducerId,
      nextProducerId: v.nextProducerId,
      producerEpoch: v.producerEpoch,
      // Records written before the field existed decode as -1: no retry to recognise.
      lastProducerEpoch: v.lastProducerEpoch,
      timeoutMs: v.transactionTimeoutMs,
      state: v.transactionStatus,
      partitions,
      groups,
      lastUpdateMs: Number(v.transactionLastUpdateTimestampMs),
      startMs: Number(v.transactionStartTimestampMs),
    },
  };
}
