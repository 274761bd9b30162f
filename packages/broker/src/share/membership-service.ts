import {
  type GroupTimeoutsOf,
  type RecordLog,
  type ShareGroupConfig,
  ShareGroupCoordinator,
  type ShareTopicsView,
} from "@logbook/group-coordinator";
import { ErrorCode } from "@logbook/protocol";
import type { Clock, Logger } from "@logbook/storage";
import type { TopicRegistry } from "../topics.js";
import type { ShareMembership } from "./membership-contract.js";

/** The share-group coordinator, or the error code a request gets instead of it. */
export type ShareGroupsAccess =
  | { ok: true; coordinator: ShareGroupCoordinator }
  | { ok: false; errorCode: ErrorCode; message: string };

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
  private coordinator: ShareGroupCoordinator | null = null;
  private failure: Error | null = null;
  private closed = false;
  readonly ready: Promise<void>;

  private constructor(
    load: Promise<ShareGroupCoordinator>,
    private readonly logger: Logger,
  ) {
    this.ready = load.then(
      (c) => {
        this.coordinator = c;
        logger.info("share-group coordinator ready");
      },
      (e: unknown) => {
        this.failure = e instanceof Error ? e : new Error(String(e));
        logger.error("share-group coordinator failed to load", { error: this.failure.message });
        throw this.failure;
      },
    );
    this.ready.catch(() => {});
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
    return new BrokerShareGroups(load, logger);
  }

  access(): ShareGroupsAccess {
    if (this.closed) {
      return { ok: false, errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, message: "stopping" };
    }
    if (this.coordinator !== null) return { ok: true, coordinator: this.coordinator };
    if (this.failure !== null) {
      return {
        ok: false,
        errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE,
        message: "The share-group coordinator failed to load.",
      };
    }
    return {
      ok: false,
      errorCode: ErrorCode.COORDINATOR_LOAD_IN_PROGRESS,
      message: "The share-group coordinator is loading.",
    };
  }

  checkMember(groupId: string, memberId: string): ErrorCode {
    const a = this.access();
    return a.ok ? a.coordinator.checkMember(groupId, memberId) : a.errorCode;
  }

  assignment(groupId: string, memberId: string): ReadonlyMap<string, readonly number[]> | null {
    return this.coordinator?.assignment(groupId, memberId) ?? null;
  }

  isShareGroup(groupId: string): boolean {
    return this.coordinator?.isShareGroup(groupId) ?? false;
  }

  shareGroupIds(): string[] {
    return this.coordinator?.shareGroupIds() ?? [];
  }

  async close(): Promise<void> {
    this.closed = true;
    try {
      await this.ready;
    } catch {
      return;
    }
    await this.coordinator?.close();
    this.logger.debug("share-group coordinator closed");
  }
}
