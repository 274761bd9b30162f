import { CONSUMER_OFFSETS_TOPIC } from "@logbook/group-coordinator";
import type { ClusterMembership, Logger } from "@logbook/storage";
import type { DataPlane } from "../data/index.js";
import type { BrokerGroups } from "../groups/index.js";
import { TRANSACTION_STATE_PARTITION, type TransactionCoordinator } from "../txn/coordinator.js";
import type { ClusterView } from "./cluster-view.js";

/**
 * Acts on leadership moving between brokers that share one database, each time the
 * live set changes: the group coordinator runs on the leader of `__consumer_offsets`/0
 * only (taking over loads the state from the log first), the transaction coordinator on
 * the leader of `__transaction_state`/0 (the same broker; taking over completes the
 * transactions its predecessor decided), and the producer state of
 * partitions this broker no longer leads is dropped, so that should they come back it
 * is rebuilt from the log with what the other leader appended. Returns the unsubscribe.
 */
export function followLeadership(deps: {
  membership: ClusterMembership | undefined;
  view: ClusterView;
  groups: BrokerGroups;
  txn: Pick<TransactionCoordinator, "coordinating" | "takeOver" | "stepDown">;
  dataPlane: Pick<DataPlane, "forget">;
  logger: Logger;
}): () => void {
  const { membership, view, groups, txn, dataPlane, logger } = deps;
  if (membership === undefined) return () => {};
  // The state loaded at start-up is the database's: it coordinates until told otherwise.
  const apply = () => {
    const leads = view.leads(CONSUMER_OFFSETS_TOPIC, 0);
    if (leads && !groups.coordinating) {
      logger.info("coordinating consumer groups here now; loading their state");
      groups.takeOver();
    } else if (!leads && groups.coordinating) {
      logger.info("another broker coordinates consumer groups now");
      groups.stepDown().catch((e: unknown) =>
        logger.warn("stopping the group coordinator failed", {
          error: e instanceof Error ? e.message : String(e),
        }),
      );
    }
    const txnState = TRANSACTION_STATE_PARTITION;
    const leadsTxn = view.leads(txnState.topic, txnState.partition);
    if (leadsTxn && !txn.coordinating) {
      logger.info("coordinating transactions here now; completing those decided before");
      txn.takeOver().catch((e: unknown) =>
        logger.warn("taking over the transaction coordinator failed", {
          error: e instanceof Error ? e.message : String(e),
        }),
      );
    } else if (!leadsTxn && txn.coordinating) {
      logger.info("another broker coordinates transactions now");
      txn.stepDown();
    }
    dataPlane.forget((topic, partition) => !view.leads(topic, partition));
  };
  apply();
  return membership.onChange(apply);
}
