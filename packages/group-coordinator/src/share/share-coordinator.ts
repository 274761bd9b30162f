import { ErrorCode } from "@logbook/protocol";
import { type Clock, type Logger, realClock } from "@logbook/storage";
import type { DeleteGroupResult } from "../coordinator-api.js";
import { type GroupTimeoutsOf, sameTimeouts } from "../group-timeouts.js";
import type { RecordLog } from "../record-log.js";
import { CoordinatorRuntime } from "../runtime/index.js";
import { ShareAdmin } from "./share-admin.js";
import type {
  DescribedShareGroup,
  ListedShareGroup,
  ShareHeartbeatInput,
  ShareHeartbeatResult,
  ShareTopicsView,
} from "./share-api.js";
import { DEFAULT_SHARE_GROUP_CONFIG, type ShareGroupConfig } from "./share-config.js";
import { applyShareRecord, type ShareGroup, type ShareGroups } from "./share-group.js";
import { ShareHeartbeats, type ShareRuntime } from "./share-heartbeat.js";
import { shareShardLog } from "./share-shard-log.js";

export interface ShareGroupCoordinatorOptions {
  /** `__consumer_offsets`, shared with the classic coordinator. */
  log: RecordLog;
  topics: ShareTopicsView;
  logger: Logger;
  clock?: Clock;
  config?: Partial<ShareGroupConfig>;
  /** A share group's own session timeout and heartbeat interval; the config's when absent. */
  groupTimeouts?: GroupTimeoutsOf;
  /** Called once a member's leave or session expiry is durable. */
  onMemberRemoved?: (groupId: string, memberId: string) => void;
}

/**
 * Share-group membership (KIP-932): its own runtime shard over the consumer offsets
 * log, replaying share-group records only. After a restart the stored members are back
 * with their epochs and assignments and a fresh session each; a member that does not
 * heartbeat again is removed when that session expires.
 *
 * The read-only queries for the share-partition side (checkMember, assignment, ...) read
 * the state between operations, synchronously.
 */
export class ShareGroupCoordinator {
  private constructor(
    private readonly rt: ShareRuntime,
    private readonly heartbeats: ShareHeartbeats,
    private readonly admin: ShareAdmin,
    readonly config: ShareGroupConfig,
  ) {}

  static async open(options: ShareGroupCoordinatorOptions): Promise<ShareGroupCoordinator> {
    const logger = options.logger.child({ component: "share-groups" });
    const config = { ...DEFAULT_SHARE_GROUP_CONFIG, ...options.config };
    const rt: ShareRuntime = await CoordinatorRuntime.load({
      name: "__consumer_offsets-0/share",
      state: new Map<string, ShareGroup>() as ShareGroups,
      log: shareShardLog(options.log, logger),
      replay: applyShareRecord,
      clock: options.clock ?? realClock(),
      logger,
    });
    const heartbeats = new ShareHeartbeats(
      rt,
      config,
      options.groupTimeouts ?? sameTimeouts(config),
      options.topics,
      logger,
      options.onMemberRemoved,
    );
    for (const group of rt.state.values()) {
      for (const memberId of group.members.keys()) heartbeats.startSession(group.groupId, memberId);
    }
    return new ShareGroupCoordinator(rt, heartbeats, new ShareAdmin(rt), config);
  }

  /** The groups, for diagnostics and tests: read them between operations only. */
  get groups(): ReadonlyMap<string, ShareGroup> {
    return this.rt.state;
  }

  heartbeat(input: ShareHeartbeatInput): Promise<ShareHeartbeatResult> {
    return this.heartbeats.heartbeat(input);
  }

  describe(groupIds: readonly string[]): Promise<DescribedShareGroup[]> {
    return this.admin.describe(groupIds);
  }

  list(): Promise<ListedShareGroup[]> {
    return this.admin.list();
  }

  deleteGroups(groupIds: readonly string[]): Promise<DeleteGroupResult[]> {
    return this.admin.delete(groupIds);
  }

  /** NONE for a current member; GROUP_ID_NOT_FOUND or UNKNOWN_MEMBER_ID otherwise. */
  checkMember(groupId: string, memberId: string): ErrorCode {
    const group = this.rt.state.get(groupId);
    if (group === undefined) return ErrorCode.GROUP_ID_NOT_FOUND;
    return group.members.has(memberId) ? ErrorCode.NONE : ErrorCode.UNKNOWN_MEMBER_ID;
  }

  /** The member's partitions by topic name, or null when it is not a member. */
  assignment(groupId: string, memberId: string): ReadonlyMap<string, readonly number[]> | null {
    const member = this.rt.state.get(groupId)?.members.get(memberId);
    if (member === undefined) return null;
    return new Map(member.assignment.map((t) => [t.topic, t.partitions]));
  }

  isShareGroup(groupId: string): boolean {
    return this.rt.state.has(groupId);
  }

  shareGroupIds(): string[] {
    return [...this.rt.state.keys()];
  }

  /** Resolves once every queued operation (timer work included) has finished. */
  idle(): Promise<void> {
    return this.rt.idle();
  }

  close(): Promise<void> {
    return this.rt.close();
  }
}
