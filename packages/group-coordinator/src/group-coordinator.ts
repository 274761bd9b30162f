import type { Logger } from "@logbook/storage";
import { type Clock, realClock } from "@logbook/storage";
import { GroupAdmin } from "./admin.js";
import { applyRecord } from "./apply-record.js";
import { type CoordinatorConfig, coordinatorConfig } from "./config.js";
import type * as consumerApi from "./consumer-api.js";
import { ConsumerMembership } from "./consumer-membership.js";
import type * as api from "./coordinator-api.js";
import type { ClassicGroup } from "./group.js";
import { type GroupRuntime, groupShardLog } from "./group-shard.js";
import { type GroupTimeoutsOf, sameTimeouts } from "./group-timeouts.js";
import { lag } from "./lag.js";
import { Membership } from "./membership.js";
import { Offsets } from "./offsets.js";
import { Rebalance } from "./rebalance.js";
import type { RecordLog } from "./record-log.js";
import { CoordinatorRuntime } from "./runtime/index.js";

export interface GroupCoordinatorOptions {
  log: RecordLog;
  logger: Logger;
  clock?: Clock;
  config?: Partial<CoordinatorConfig>;
  /** The topics KIP-848 subscriptions resolve against; none when absent. */
  topics?: consumerApi.ConsumerTopicView;
  /** A consumer group's own session timeout and heartbeat interval; the config's when absent. */
  groupTimeouts?: GroupTimeoutsOf;
}

const NO_TOPICS: consumerApi.ConsumerTopicView = {
  byName: () => undefined,
  byId: () => undefined,
  names: () => [],
};

/**
 * The classic group coordinator: one runtime shard over `__consumer_offsets` (records
 * appended, then replayed through `applyRecord`, the start-up path, then answered),
 * with membership, offsets and administration as operations on it.
 */
export class GroupCoordinator implements api.GroupCoordinatorApi {
  private constructor(
    private readonly rt: GroupRuntime,
    private readonly membership: Membership,
    private readonly offsets: Offsets,
    private readonly admin: GroupAdmin,
    private readonly consumer: ConsumerMembership,
    readonly config: CoordinatorConfig,
  ) {}

  /**
   * Replays the log, brings back each group's stored members (Stable, with fresh
   * session timers) and starts the retention sweep.
   */
  static async open(options: GroupCoordinatorOptions): Promise<GroupCoordinator> {
    const logger = options.logger.child({ component: "group-coordinator" });
    const config = coordinatorConfig(options.config);
    const rt: GroupRuntime = await CoordinatorRuntime.load({
      name: "__consumer_offsets-0",
      state: new Map<string, ClassicGroup>(),
      log: groupShardLog(options.log, logger),
      replay: applyRecord,
      clock: options.clock ?? realClock(),
      logger,
    });
    const rebalance = new Rebalance(rt, config, logger);
    const offsets = new Offsets(rt, rebalance, config, logger);
    const timeouts =
      options.groupTimeouts ??
      sameTimeouts({
        sessionTimeoutMs: config.consumerSessionTimeoutMs,
        heartbeatIntervalMs: config.consumerHeartbeatIntervalMs,
      });
    const consumer = new ConsumerMembership(
      rt,
      config,
      timeouts,
      options.topics ?? NO_TOPICS,
      logger,
      (group) => rebalance.endLiveSide(group),
      (groupId, rebalanceNow) => {
        const group = rt.state.get(groupId);
        if (group !== undefined) rebalance.resumeDowngraded(group, rebalanceNow);
      },
    );
    const c = new GroupCoordinator(
      rt,
      new Membership(rt, rebalance, config, logger, consumer),
      offsets,
      new GroupAdmin(rt),
      consumer,
      config,
    );
    for (const group of rt.state.values()) rebalance.resumeGroup(group);
    consumer.resume(rt.state);
    offsets.scheduleSweep();
    return c;
  }

  /** The shard's groups, for diagnostics and tests: read them between operations only. */
  get groups(): ReadonlyMap<string, ClassicGroup> {
    return this.rt.state;
  }

  /** Resolves once every queued operation (including timer work) has finished. */
  idle(): Promise<void> {
    return this.rt.idle();
  }

  join(input: api.JoinGroupInput): Promise<api.JoinGroupResult> {
    return this.membership.join(input);
  }

  sync(input: api.SyncGroupInput): Promise<api.SyncGroupResult> {
    return this.membership.sync(input);
  }

  heartbeat(input: api.HeartbeatInput): Promise<api.HeartbeatResult> {
    return this.membership.heartbeat(input);
  }

  leave(input: api.LeaveGroupInput): Promise<api.LeaveGroupResult> {
    return this.membership.leave(input);
  }

  consumerHeartbeat(
    input: consumerApi.ConsumerHeartbeatInput,
  ): Promise<consumerApi.ConsumerHeartbeatResult> {
    return this.consumer.heartbeat(input);
  }

  consumerGroupDescribe(groupIds: string[]): Promise<consumerApi.DescribedConsumerGroup[]> {
    return this.consumer.describe(groupIds);
  }

  commitOffsets(input: api.CommitOffsetsInput): Promise<api.CommitOffsetsResult> {
    return this.offsets.commitOffsets(input);
  }

  commitTxnOffsets(input: api.TxnCommitOffsetsInput): Promise<api.CommitOffsetsResult> {
    return this.offsets.commitTxnOffsets(input);
  }

  completeTransaction(producerId: bigint, producerEpoch: number, commit: boolean): Promise<void> {
    return this.offsets.completeTransaction(producerId, producerEpoch, commit);
  }

  fetchOffsets(input: api.FetchOffsetsInput): Promise<api.FetchOffsetsResult> {
    return this.offsets.fetchOffsets(input);
  }

  deleteOffsets(
    groupId: string,
    partitions: { topic: string; partition: number }[],
  ): Promise<api.DeleteOffsetsResult> {
    return this.offsets.deleteOffsets(groupId, partitions);
  }

  onTopicDeleted(topic: string): Promise<void> {
    return this.offsets.onTopicDeleted(topic);
  }

  /** One retention sweep (also run by the periodic timer). */
  expireOffsets(): Promise<number> {
    return this.offsets.expireOffsets();
  }

  listGroups(input: api.ListGroupsInput): Promise<api.ListGroupsResult> {
    return this.admin.listGroups(input);
  }

  describeGroups(groupIds: string[]): Promise<api.DescribedGroup[]> {
    return this.admin.describeGroups(groupIds);
  }

  deleteGroups(groupIds: string[]): Promise<api.DeleteGroupResult[]> {
    return this.admin.deleteGroups(groupIds);
  }

  lag(groupId: string, endOffsets: api.EndOffsets): Promise<api.GroupLag> {
    return lag(this, groupId, endOffsets);
  }

  /** Stops the timers and answers every waiting join and sync with NOT_COORDINATOR. */
  close(): Promise<void> {
    return this.rt.close((groups) => this.membership.answerAllWaiting(groups));
  }
}
