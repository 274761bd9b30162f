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
import { ErrorCode } from "@logbook/protocol";
import type { Logger, StorageEngine } from "@logbook/storage";
import type { TopicRegistry } from "../topics.js";
import type { TxnOffsetsCompleter } from "../txn/contracts.js";
import { type CoordinatorAccess, LoadingCoordinator } from "./loading-coordinator.js";
import type { TxnOffsetCommitCheck } from "./txn-offset-check.js";

/** The coordinator, or the error code a group request gets instead of it. */
export type GroupsAccess = CoordinatorAccess<GroupCoordinatorApi>;

/**
 * The broker's handle on the group coordinator, which replays `__consumer_offsets` in
 * the background (LoadingCoordinator). Brokers sharing one database coordinate groups
 * one at a time (the leader of `__consumer_offsets`/0): `stepDown` stops answering
 * (NOT_COORDINATOR), `takeOver` loads the state anew from the log before answering,
 * as does a coordinator whose append found another broker's records first.
 * Offset expiry (offsets.retention.minutes) needs no timer here: the coordinator runs
 * its own sweep every offsets.retention.check.interval.ms and stops it in close().
 */
export class BrokerGroups implements TxnOffsetsCompleter {
  private loading: LoadingCoordinator<GroupCoordinatorApi>;
  /** The transaction coordinator's check for TxnOffsetCommit; null until attached. */
  private txnCheck: TxnOffsetCommitCheck | null = null;
  /** Another broker coordinates groups now (brokers sharing one database). */
  private steppedDown = false;
  /** A reload is under way (one at a time). */
  private reloading = false;

  private constructor(
    private readonly load: () => Promise<GroupCoordinatorApi>,
    /** `__consumer_offsets` once open: the share-group coordinator replays and appends it too. */
    readonly consumerOffsetsLog: Promise<RecordLog>,
    private readonly topics: TopicRegistry,
    private readonly logger: Logger,
  ) {
    this.loading = new LoadingCoordinator(load(), "group coordinator", logger);
  }

  /** Resolves once the coordinator is ready; rejects when loading failed. */
  get ready(): Promise<void> {
    return this.loading.ready;
  }

  /** Loads the state anew from the log (leadership came here, or another broker wrote). */
  takeOver(): void {
    if (this.reloading) return;
    this.reloading = true;
    this.steppedDown = false;
    const old = this.loading;
    const next = old.close().then(() => this.load());
    this.loading = new LoadingCoordinator(next, "group coordinator", this.logger);
    this.loading.ready
      .catch(() => {})
      .finally(() => {
        this.reloading = false;
      });
  }

  /** False once stepped down (another broker coordinates groups), until taking over. */
  get coordinating(): boolean {
    return !this.steppedDown;
  }

  /** Stops coordinating: another broker leads `__consumer_offsets`/0. */
  async stepDown(): Promise<void> {
    this.steppedDown = true;
    await this.loading.close();
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
    let self: BrokerGroups | null = null;
    const records = openConsumerOffsetsLog(storage, log, () => {
      log.warn("another broker wrote __consumer_offsets; reloading the group state");
      if (self !== null && !self.steppedDown) self.takeOver();
    });
    const load = async () =>
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
      });
    self = new BrokerGroups(load, records, topics, log);
    return self;
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
    return new BrokerGroups(() => load, Promise.resolve(new MemoryRecordLog()), topics, logger);
  }

  /** True when the coordinator could not be loaded (FindCoordinator reports it). */
  get failed(): boolean {
    return this.loading.failed;
  }

  access(): GroupsAccess {
    if (this.steppedDown) {
      return {
        ok: false,
        errorCode: ErrorCode.NOT_COORDINATOR,
        message: "another broker coordinates groups",
      };
    }
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
