import {
  type GroupTimeoutsOf,
  type RecordLog,
  type ShareGroupConfig,
  ShareGroupCoordinator,
  type ShareTopicsView,
} from "@logbook/group-coordinator";
import type { ErrorCode } from "@logbook/protocol";
import type { Clock, Logger } from "@logbook/storage";
import { type CoordinatorAccess, LoadingCoordinator } from "../groups/loading-coordinator.js";
import type { TopicRegistry } from "../topics.js";
import type { ShareMembership } from "./membership-contract.js";

/** The share-group coordinator, or the error code a request gets instead of it. */
export type ShareGroupsAccess = CoordinatorAccess<ShareGroupCoordinator>;

/** Topics as share-group assignment reads them: id and partition count by name. */
function topicsView(topics: TopicRegistry): ShareTopicsView {
  return {
    topic(name) {
      const t = topics.get(name);
      return t === undefined || t.internal
        ? undefined
        : { topicId: t.id, partitions: t.partitions };
    },
  };
}

/**
 * The broker's handle on share-group membership. Like the classic groups it loads in
 * the background (from the same `__consumer_offsets` log); until then requests get
 * COORDINATOR_LOAD_IN_PROGRESS and a failed load COORDINATOR_NOT_AVAILABLE. It is the
 * ShareMembership the share-partition side (ShareFetch, ShareAcknowledge) asks.
 */
export class BrokerShareGroups implements ShareMembership {
  private constructor(private readonly loading: LoadingCoordinator<ShareGroupCoordinator>) {}

  /** Resolves once the coordinator is ready; rejects when loading failed. */
  get ready(): Promise<void> {
    return this.loading.ready;
  }

  static start(opts: {
    log: Promise<RecordLog>;
    topics: TopicRegistry;
    config: ShareGroupConfig;
    /** A share group's own session timeout and heartbeat interval (its group configs). */
    groupTimeouts?: GroupTimeoutsOf;
    clock: Clock;
    logger: Logger;
    /** Told when a member leaves or expires, so the records it holds are released. */
    onMemberRemoved?: (groupId: string, memberId: string) => void;
  }): BrokerShareGroups {
    const logger = opts.logger.child({ component: "share-groups" });
    const load = (async () =>
      ShareGroupCoordinator.open({
        log: await opts.log,
        topics: topicsView(opts.topics),
        logger,
        clock: opts.clock,
        onMemberRemoved: opts.onMemberRemoved,
        groupTimeouts: opts.groupTimeouts,
        config: {
          heartbeatIntervalMs: opts.config.heartbeatIntervalMs,
          sessionTimeoutMs: opts.config.sessionTimeoutMs,
          maxSize: opts.config.maxSize,
        },
      }))();
    return new BrokerShareGroups(new LoadingCoordinator(load, "share-group coordinator", logger));
  }

  access(): ShareGroupsAccess {
    return this.loading.access();
  }

  checkMember(groupId: string, memberId: string): ErrorCode {
    const a = this.access();
    return a.ok ? a.coordinator.checkMember(groupId, memberId) : a.errorCode;
  }

  assignment(groupId: string, memberId: string): ReadonlyMap<string, readonly number[]> | null {
    return this.loading.running?.assignment(groupId, memberId) ?? null;
  }

  isShareGroup(groupId: string): boolean {
    return this.loading.running?.isShareGroup(groupId) ?? false;
  }

  shareGroupIds(): string[] {
    return this.loading.running?.shareGroupIds() ?? [];
  }

  close(): Promise<void> {
    return this.loading.close();
  }
}
