import {
  type CoordinatorConfig,
  GroupCoordinator,
  type GroupCoordinatorApi,
  type GroupLag,
  type GroupTimeoutsOf,
  MemoryRecordLog,
  openConsumerOffsetsLog,
  type RecordLog,
} from "@logbook/group-coordinator";
import type { Logger, StorageEngine } from "@logbook/storage";
import type { TopicRegistry } from "../topics.js";
import type { TxnOffsetsCompleter } from "../txn/contracts.js";
import { type CoordinatorAccess, LoadingCoordinator } from "./loading-coordinator.js";
import type { TxnOffsetCommitCheck } from "./txn-offset-check.js";

/** The coordinator, or the error code a group request gets instead of it. */
export type GroupsAccess = CoordinatorAccess<GroupCoordinatorApi>;

/**
 * The broker's handle on the group coordinator, which replays `__consumer_offsets` in
 * the background (LoadingCoordinator).
 * Offset expiry (offsets.retention.minutes) needs no timer here: the coordinator runs
 * its own sweep every offsets.retention.check.interval.ms and stops it in close().
 */
export class BrokerGroups implements TxnOffsetsCompleter {
  private readonly loading: LoadingCoordinator<GroupCoordinatorApi>;
  /** The transaction coordinator's check for TxnOffsetCommit; null until attached. */
  private txnCheck: TxnOffsetCommitCheck | null = null;
  /** Resolves once the coordinator is ready; rejects when loading failed. */
  readonly ready: Promise<void>;

  private constructor(
    load: Promise<GroupCoordinatorApi>,
    /** `__consumer_offsets` once open: the share-group coordinator replays and appends it too. */
    readonly consumerOffsetsLog: Promise<RecordLog>,
    private readonly topics: TopicRegistry,
    logger: Logger,
  ) {
    this.loading = new LoadingCoordinator(load, "group coordinator", logger);
    this.ready = this.loading.ready;
  }

  /** Starts replaying the consumer offsets log on `storage`; does not wait for it. */
  static start(
    storage: StorageEngine,
    topics: TopicRegistry,
    logger: Logger,
    config: CoordinatorConfig,
    groupTimeouts?: GroupTimeoutsOf,
  ): BrokerGroups {
    const log = logger.child({ component: "groups" });
    const records = openConsumerOffsetsLog(storage, log);
    const load = (async () =>
      GroupCoordinator.open({
        log: await records,
        logger: log,
        config,
        groupTimeouts,
        clock: storage.clock,
        topics: {
          byName: (name) => topics.get(name),
          byId: (id) => topics.getById(id),
          names: () => topics.list().map((t) => t.name),
        },
      }))();
    return new BrokerGroups(load, records, topics, log);
  }

  /**
   * Around a coordinator that `load` yields: lets tests hold or fail the load. Share
   * groups get an in-memory log of their own.
   */
  static fromLoad(
    load: Promise<GroupCoordinatorApi>,
    topics: TopicRegistry,
    logger: Logger,
  ): BrokerGroups {
    return new BrokerGroups(load, Promise.resolve(new MemoryRecordLog()), topics, logger);
  }

  /** True when the coordinator could not be loaded (FindCoordinator reports it). */
  get failed(): boolean {
    return this.loading.failed;
  }

  access(): GroupsAccess {
    return this.loading.access();
  }

  /**
   * Drops committed offsets of a deleted topic. Waits for a load in progress so a
   * deletion during start-up is not lost; a failed load has nothing to drop.
   */
  async onTopicDeleted(topic: string): Promise<void> {
    try {
      await this.ready;
    } catch {
      return;
    }
    await this.loading.running?.onTopicDeleted(topic);
  }

  /** Wires the transaction coordinator in (it calls completeTransaction back). */
  attachTransactions(check: TxnOffsetCommitCheck): void {
    this.txnCheck = check;
  }

  get transactions(): TxnOffsetCommitCheck | null {
    return this.txnCheck;
  }

  /**
   * TxnOffsetsCompleter, for the transaction coordinator at EndTxn (and its timeout
   * aborts): waits for a load in progress, since a pending offset may be in the log
   * still being replayed. Throws when the coordinator is not running, so the
   * transaction coordinator keeps the transaction decided and retries.
   */
  async completeTransaction(
    producerId: bigint,
    producerEpoch: number,
    commit: boolean,
  ): Promise<void> {
    await this.ready;
    const coordinator = this.loading.running;
    if (coordinator === null) throw new Error("group coordinator is not running");
    await coordinator.completeTransaction(producerId, producerEpoch, commit);
  }

  /** Committed offset, end offsets and lag of each partition the group committed. */
  async lag(groupId: string): Promise<GroupLag> {
    await this.ready;
    const coordinator = this.loading.running;
    if (coordinator === null) throw new Error("group coordinator is not running");
    return coordinator.lag(groupId, async (topic, partition) => {
      const log = await this.topics.partition(topic, partition);
      if (log === undefined) return null;
      return { logEndOffset: log.logEndOffset, highWatermark: log.highWatermark };
    });
  }

  /** Stops the coordinator (pending joins are answered) after any load in progress. */
  close(): Promise<void> {
    return this.loading.close();
  }
}
