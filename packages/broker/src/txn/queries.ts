import { CONSUMER_OFFSETS_TOPIC } from "@logbook/group-coordinator";
import { type TopicPartitionRef, tpKey } from "./contracts.js";
import type { TxnMetadata } from "./records.js";
import { TXN_STATE_NAMES, TxnState } from "./state.js";

/** One transactional id as DescribeTransactions reports it. */
export interface TxnDescription {
  transactionalId: string;
  /** undefined when the id is unknown (TRANSACTIONAL_ID_NOT_FOUND). */
  metadata: TxnMetadata | undefined;
}

export interface TxnListFilter {
  states: readonly string[];
  producerIds: readonly bigint[];
  /** Only transactions open longer than this many ms; negative = no filter (v1). */
  durationMs: number;
}

export interface TxnListing {
  transactionalId: string;
  producerId: bigint;
  state: string;
}

export interface TxnList {
  unknownStates: string[];
  transactions: TxnListing[];
}

const KNOWN_STATE_NAMES = new Set(Object.values(TXN_STATE_NAMES));

/**
 * ListTransactions' filters, as in Kafka: each given filter must match; state names are
 * Kafka's (case-sensitive) and unknown ones are reported back; Dead ids are never listed.
 */
export function listTransactions(
  txns: Iterable<TxnMetadata>,
  filter: TxnListFilter,
  now: number,
): TxnList {
  const unknownStates = filter.states.filter((s) => !KNOWN_STATE_NAMES.has(s));
  const states = new Set(filter.states);
  const pids = new Set(filter.producerIds);
  const transactions: TxnListing[] = [];
  for (const m of txns) {
    if (m.state === TxnState.DEAD) continue;
    const state = TXN_STATE_NAMES[m.state];
    if (states.size > 0 && !states.has(state)) continue;
    if (pids.size > 0 && !pids.has(m.producerId)) continue;
    // Without a running transaction there is no duration to compare.
    if (filter.durationMs >= 0 && (m.startMs < 0 || now - m.startMs <= filter.durationMs)) {
      continue;
    }
    transactions.push({ transactionalId: m.transactionalId, producerId: m.producerId, state });
  }
  return { unknownStates, transactions };
}

/** Partitions grouped by topic, topics and partitions sorted (stable output for tools). */
export function partitionsByTopic(
  partitions: Iterable<TopicPartitionRef>,
): { topic: string; partitions: number[] }[] {
  const byTopic = new Map<string, number[]>();
  for (const tp of partitions) {
    const list = byTopic.get(tp.topic) ?? [];
    list.push(tp.partition);
    byTopic.set(tp.topic, list);
  }
  return [...byTopic]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([topic, list]) => ({ topic, partitions: list.sort((x, y) => x - y) }));
}

/**
 * The `__consumer_offsets` partition holding a group's offsets. Kafka hashes the group
 * id over offsets.topic.num.partitions; this broker keeps every group in partition 0
 * (its group coordinator's single log), so that is the partition for every group.
 */
export function groupOffsetsPartition(_groupId: string): TopicPartitionRef {
  return { topic: CONSUMER_OFFSETS_TOPIC, partition: 0 };
}

/**
 * The topic partitions of a transaction as Kafka reports them (DescribeTransactions):
 * its data partitions plus, for the groups added with AddOffsetsToTxn, their
 * `__consumer_offsets` partitions (Kafka adds those to the transaction itself).
 */
export function transactionTopics(
  m: Pick<TxnMetadata, "partitions" | "groups">,
): { topic: string; partitions: number[] }[] {
  const all = new Map<string, TopicPartitionRef>();
  for (const tp of m.partitions.values()) all.set(tpKey(tp), tp);
  for (const g of m.groups) {
    const tp = groupOffsetsPartition(g);
    all.set(tpKey(tp), tp);
  }
  return partitionsByTopic(all.values());
}
