import { openShareStateLog, ShareStateCoordinator } from "@logbook/group-coordinator";
import { ErrorCode } from "@logbook/protocol";
import type { Logger, StorageEngine } from "@logbook/storage";
import type { ShareMembership } from "./membership-contract.js";
import {
  DEFAULT_SHARE_PARTITION_SETTINGS,
  type SharePartitionSettings,
} from "./partition-settings.js";
import { ShareSessionCache } from "./share-sessions.js";

/**
 * Stands in until share-group membership is attached: nobody is a member, so share
 * requests are answered UNKNOWN_MEMBER_ID and no group is a share group.
 */
const NO_SHARE_MEMBERSHIP: ShareMembership = {
  checkMember: () => ErrorCode.UNKNOWN_MEMBER_ID,
  assignment: () => null,
  isShareGroup: () => false,
  shareGroupIds: () => [],
};

/**
 * What the share-partition handlers (ShareFetch, ShareAcknowledge, the share offsets
 * admin APIs) use: share sessions, the share-partition state over __share_group_state
 * (loaded at start-up, before the broker listens) and share-group membership, which is
 * attached by its owner.
 */
export class SharePartitionService {
  readonly sessions: ShareSessionCache;
  private loaded: ShareStateCoordinator | null = null;
  private members: ShareMembership = NO_SHARE_MEMBERSHIP;

  constructor(
    private readonly storage: StorageEngine,
    private readonly logger: Logger,
    readonly settings: SharePartitionSettings = DEFAULT_SHARE_PARTITION_SETTINGS,
    /** A group's own settings (its share.* group configs); the broker's when absent. */
    private readonly perGroup: (groupId: string) => SharePartitionSettings = () => settings,
  ) {
    this.sessions = new ShareSessionCache(settings.maxShareSessions);
  }

  /** Replays __share_group_state. */
  async load(): Promise<void> {
    const log = await openShareStateLog(this.storage, this.logger);
    this.loaded = await ShareStateCoordinator.load({
      log,
      clock: this.storage.clock,
      logger: this.logger.child({ component: "share-state" }),
      limits: (groupId) => this.perGroup(groupId),
    });
  }

  /** The settings share-partitions of `groupId` follow now. */
  settingsOf(groupId: string): SharePartitionSettings {
    return this.perGroup(groupId);
  }

  attachMembership(membership: ShareMembership): void {
    this.members = membership;
  }

  get membership(): ShareMembership {
    return this.members;
  }

  /** The share-partition state, or null before `load` (answered COORDINATOR_NOT_AVAILABLE). */
  get state(): ShareStateCoordinator | null {
    return this.loaded;
  }

  /**
   * For share-group membership to call when a member leaves or is fenced: its share
   * session closes and every record it holds is available again at once (rather than
   * when its locks lapse), as Kafka releases a departed member's records.
   */
  async memberLeft(groupId: string, memberId: string): Promise<void> {
    this.sessions.drop(groupId, memberId);
    const state = this.loaded;
    if (state !== null) await state.releaseMember(state.keysOf(groupId), memberId);
  }

  /** A deleted share group: its share-partition state goes (its sessions went with its members). */
  async dropGroup(groupId: string): Promise<ErrorCode> {
    const state = this.loaded;
    if (state === null) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    return state.delete(state.keysOf(groupId));
  }

  async close(): Promise<void> {
    await this.loaded?.close();
  }
}
