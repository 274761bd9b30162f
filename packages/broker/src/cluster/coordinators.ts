import { TRANSACTION_STATE_PARTITION } from "../txn/coordinator.js";
import { groupOffsetsPartition } from "../txn/queries.js";
import type { ClusterView } from "./cluster-view.js";

/**
 * The node coordinating a group or a transactional id: the leader of the internal
 * partition holding its state, as in Kafka (a group's `__consumer_offsets` partition, an
 * id's `__transaction_state` partition), so coordinators spread and move with leadership.
 */
export function coordinatorOf(
  view: ClusterView,
  kind: "group" | "transaction",
  key: string,
): number {
  // Every transactional id lives in the one __transaction_state partition today.
  const tp = kind === "group" ? groupOffsetsPartition(key) : TRANSACTION_STATE_PARTITION;
  return view.leaderOf(tp.topic, tp.partition);
}
