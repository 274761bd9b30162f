import type { Logger } from "@logbook/storage";
import type { CoordinatorConfig } from "./config.js";
import type {
  CommitOffsetsInput,
  CommitOffsetsResult,
  DeleteOffsetsResult,
  FetchOffsetsInput,
  FetchOffsetsResult,
  TxnCommitOffsetsInput,
} from "./coordinator-api.js";
import type { GroupResult, GroupRuntime, Groups } from "./group-shard.js";
import { timerKeys } from "./group-shard.js";
import {
  fetchOffsets,
  type Plan,
  planCommit,
  planDeleteOffsets,
  planExpireOffsets,
  planTopicDeleted,
} from "./offset-operations.js";
import type { Rebalance } from "./rebalance.js";
import { answer } from "./runtime/index.js";
import { planCompleteTransaction, planTxnCommit } from "./txn-offset-operations.js";

/**
 * Committed offsets as runtime operations: OffsetCommit, TxnOffsetCommit and the end of
 * its transaction, OffsetFetch, OffsetDelete, a deleted topic's offsets, and the
 * retention sweep (a keyed timer). The planners in offset-operations.ts and
 * txn-offset-operations.ts decide; this only wires them to the runtime.
 */
export class Offsets {
  constructor(
    private readonly rt: GroupRuntime,
    private readonly rebalance: Rebalance,
    private readonly config: CoordinatorConfig,
    private readonly logger: Logger,
  ) {}

  commitOffsets(input: CommitOffsetsInput): Promise<CommitOffsetsResult> {
    return this.rt.run((groups) =>
      this.storeCommit(groups, input, planCommit(groups, this.config, this.rt.clock.now(), input)),
    );
  }

  commitTxnOffsets(input: TxnCommitOffsetsInput): Promise<CommitOffsetsResult> {
    return this.rt.run((groups) =>
      this.storeCommit(
        groups,
        input,
        planTxnCommit(groups, this.config, this.rt.clock.now(), input),
      ),
    );
  }

  /** A commit's records: a member committing is alive; a failed append fails every partition. */
  private storeCommit(
    groups: Groups,
    input: CommitOffsetsInput | TxnCommitOffsetsInput,
    plan: Plan<CommitOffsetsResult>,
  ): GroupResult<CommitOffsetsResult> {
    const group = groups.get(input.groupId);
    const m = group?.members.get(input.memberId);
    if (group !== undefined && m !== undefined && plan.records.length > 0) {
      this.rebalance.resetSession(group, m);
    }
    return {
      records: plan.records,
      response: plan.result,
      failed: (errorCode) => ({
        partitions: input.offsets.map((o) => ({
          topic: o.topic,
          partition: o.partition,
          errorCode,
        })),
      }),
    };
  }

  /** A failed append rejects: the transaction coordinator retries the marker. */
  completeTransaction(producerId: bigint, producerEpoch: number, commit: boolean): Promise<void> {
    return this.rt.run((groups) => {
      const records = planCompleteTransaction(groups, producerId, commit);
      return {
        records,
        response: undefined,
        appended: () => {
          if (records.length === 0) return;
          this.logger.debug("completed transactional offsets", {
            producerId: String(producerId),
            producerEpoch,
            commit,
            records: records.length,
          });
        },
      };
    });
  }

  fetchOffsets(input: FetchOffsetsInput): Promise<FetchOffsetsResult> {
    return this.rt.run((groups) => answer(fetchOffsets(groups, input)));
  }

  deleteOffsets(
    groupId: string,
    partitions: { topic: string; partition: number }[],
  ): Promise<DeleteOffsetsResult> {
    return this.rt.run((groups) => {
      const plan = planDeleteOffsets(groups, groupId, partitions);
      return { records: plan.records, response: plan.result };
    });
  }

  onTopicDeleted(topic: string): Promise<void> {
    return this.rt.run((groups) => {
      const records = planTopicDeleted(groups, topic);
      return {
        records,
        response: undefined,
        appended: () => {
          if (records.length === 0) return;
          this.logger.info("dropped offsets of deleted topic", { topic, records: records.length });
        },
      };
    });
  }

  /** One retention sweep (also run by the periodic timer); answers the records written. */
  expireOffsets(): Promise<number> {
    return this.rt.run((groups) => this.expire(groups));
  }

  /** Starts (or restarts) the periodic retention sweep. */
  scheduleSweep(): void {
    this.rt.schedule(
      timerKeys.offsetsRetention,
      this.config.offsetsRetentionCheckIntervalMs,
      (groups) => {
        this.scheduleSweep();
        return this.expire(groups);
      },
    );
  }

  private expire(groups: Groups): GroupResult<number> {
    const records = planExpireOffsets(groups, this.config, this.rt.clock.now());
    return {
      records,
      response: records.length,
      appended: () => {
        if (records.length > 0) this.logger.info("expired offsets", { records: records.length });
      },
    };
  }
}
