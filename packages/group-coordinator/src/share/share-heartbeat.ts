import { ErrorCode } from "@logbook/protocol";
import type { Logger } from "@logbook/storage";
import type { GroupTimeoutsOf } from "../group-timeouts.js";
import type { CoordinatorResult, CoordinatorRuntime } from "../runtime/index.js";
import type { ShareHeartbeatInput, ShareHeartbeatResult, ShareTopicsView } from "./share-api.js";
import type { ShareGroupConfig } from "./share-config.js";
import {
  type AssignedTopic,
  blankMember,
  ShareGroup,
  type ShareGroups,
  type ShareMember,
} from "./share-group.js";
import { membersWith, metadataHash, sameAssignment, subscribedTopics } from "./share-metadata.js";
import type { ShareRecord } from "./share-records.js";
import { assignShareGroup } from "./simple-assignor.js";

export type ShareRuntime = CoordinatorRuntime<ShareGroups, ShareRecord>;
type ShareResult<R> = CoordinatorResult<ShareRecord, R>;

const LEAVE_EPOCH = -1;

export const shareSessionKey = (group: string, member: string): string =>
  `share-session:${group}:${member}`;

/** Kafka's request checks, in Kafka's order; the INVALID_REQUEST message or null. */
function invalidRequest(input: ShareHeartbeatInput): string | null {
  const blank = (s: string | null): boolean => s !== null && s.trim() === "";
  if (blank(input.memberId)) return "MemberId can't be empty.";
  if (blank(input.groupId)) return "GroupId can't be empty.";
  if (blank(input.rackId)) return "RackId can't be empty.";
  if (input.memberEpoch === 0) {
    if (input.subscribedTopicNames === null || input.subscribedTopicNames.length === 0) {
      return "SubscribedTopicNames must be set in first request.";
    }
  } else if (input.memberEpoch < LEAVE_EPOCH) {
    return "MemberEpoch is invalid.";
  }
  return null;
}

/**
 * ShareGroupHeartbeat as coordinator operations: join (epoch 0), heartbeat, leave
 * (epoch -1) and the session expiry. Any change of membership, subscriptions or
 * subscribed topics bumps the group epoch; the next heartbeat of each member then takes
 * the assignment computed for that epoch (share groups revoke nothing first, as
 * several members may hold one partition).
 */
export class ShareHeartbeats {
  constructor(
    private readonly rt: ShareRuntime,
    private readonly config: ShareGroupConfig,
    private readonly timeouts: GroupTimeoutsOf,
    private readonly topics: ShareTopicsView,
    private readonly logger: Logger,
    /** Told once a member's removal is durable (left or expired), to release its records. */
    private readonly removed: (groupId: string, memberId: string) => void = () => {},
  ) {}

  heartbeat(input: ShareHeartbeatInput): Promise<ShareHeartbeatResult> {
    return this.rt.run((groups) => this.operation(groups, input));
  }

  /** A fresh session timer per member (after a restart every stored member gets one). */
  startSession(groupId: string, memberId: string): void {
    const { sessionTimeoutMs } = this.timeouts(groupId);
    this.rt.schedule(shareSessionKey(groupId, memberId), sessionTimeoutMs, (groups) =>
      this.expire(groups, groupId, memberId),
    );
  }

  private operation(
    groups: ShareGroups,
    input: ShareHeartbeatInput,
  ): ShareResult<ShareHeartbeatResult> {
    const invalid = invalidRequest(input);
    if (invalid !== null) return this.error(ErrorCode.INVALID_REQUEST, invalid);
    const existing = groups.get(input.groupId);
    if (input.foreignGroup) {
      return this.error(
        ErrorCode.GROUP_ID_NOT_FOUND,
        `Group ${input.groupId} is not a share group.`,
      );
    }
    if (existing === undefined && input.memberEpoch !== 0) {
      return this.error(ErrorCode.GROUP_ID_NOT_FOUND, `Share group ${input.groupId} not found.`);
    }
    const group = existing ?? new ShareGroup(input.groupId);
    if (input.memberEpoch === LEAVE_EPOCH) return this.leave(group, input.memberId);
    const member = group.members.get(input.memberId);
    if (member === undefined && group.members.size >= this.config.maxSize) {
      return this.error(
        ErrorCode.GROUP_MAX_SIZE_REACHED,
        `The share group has reached its maximum of ${this.config.maxSize} members.`,
      );
    }
    if (member === undefined && input.memberEpoch !== 0) {
      return this.error(
        ErrorCode.UNKNOWN_MEMBER_ID,
        `Member ${input.memberId} is not a member of group ${input.groupId}.`,
      );
    }
    if (member !== undefined) {
      const fenced = fencedEpoch(member, input.memberEpoch);
      if (fenced !== null) return this.error(ErrorCode.FENCED_MEMBER_EPOCH, fenced);
    }
    return this.join(group, member, input);
  }

  private join(
    group: ShareGroup,
    member: ShareMember | undefined,
    input: ShareHeartbeatInput,
  ): ShareResult<ShareHeartbeatResult> {
    const records: ShareRecord[] = [];
    const updated: ShareMember = {
      ...(member ?? blankMember(input.memberId)),
      rackId: input.rackId ?? member?.rackId ?? null,
      subscribedTopicNames: input.subscribedTopicNames ?? member?.subscribedTopicNames ?? [],
      clientId: input.clientId,
      clientHost: input.clientHost,
    };
    const subscriptionChanged =
      member === undefined ||
      member.subscribedTopicNames.join("\0") !== updated.subscribedTopicNames.join("\0");
    if (
      subscriptionChanged ||
      member.rackId !== updated.rackId ||
      member.clientId !== updated.clientId ||
      member.clientHost !== updated.clientHost
    ) {
      records.push({
        kind: "share-member",
        group: group.groupId,
        memberId: updated.memberId,
        value: {
          rackId: updated.rackId,
          clientId: updated.clientId,
          clientHost: updated.clientHost,
          subscribedTopicNames: [...updated.subscribedTopicNames],
        },
      });
    }
    const members = membersWith(group, updated);
    const topics = subscribedTopics(members.values(), this.topics);
    const hash = metadataHash(topics);
    let epoch = group.epoch;
    if (subscriptionChanged || hash !== group.metadataHash) {
      epoch += 1;
      records.push({
        kind: "share-group",
        group: group.groupId,
        value: { epoch, metadataHash: hash },
      });
    }
    let target = group.target;
    if (epoch > group.targetEpoch) {
      const previous = group.targetEpoch < 0 ? currentAssignments(members) : group.target;
      target = assignShareGroup({
        members: new Map([...members].map(([id, m]) => [id, m.subscribedTopicNames])),
        topics,
        previous,
      });
    }
    const assignment = target.get(updated.memberId) ?? [];
    const changed = !sameAssignment(updated.assignment, assignment);
    if (updated.memberEpoch !== epoch || changed) {
      records.push({
        kind: "share-assignment",
        group: group.groupId,
        memberId: updated.memberId,
        value: {
          memberEpoch: epoch,
          previousMemberEpoch: updated.memberEpoch,
          topics: assignment.map((t) => ({ ...t, partitions: [...t.partitions] })),
        },
      });
    }
    return {
      records,
      response: {
        errorCode: ErrorCode.NONE,
        errorMessage: null,
        memberId: updated.memberId,
        memberEpoch: epoch,
        heartbeatIntervalMs: this.timeouts(group.groupId).heartbeatIntervalMs,
        assignment: input.memberEpoch === 0 || changed ? assignment : null,
      },
      appended: () => {
        const live = this.rtGroup(group.groupId);
        if (live !== undefined && epoch > live.targetEpoch) {
          live.target = target;
          live.targetEpoch = epoch;
        }
        if (member === undefined) {
          this.logger.info("share group member joined", {
            group: group.groupId,
            member: updated.memberId,
            epoch,
          });
        }
        this.startSession(group.groupId, updated.memberId);
      },
    };
  }

  private leave(group: ShareGroup, memberId: string): ShareResult<ShareHeartbeatResult> {
    if (!group.members.has(memberId)) {
      return this.error(
        ErrorCode.UNKNOWN_MEMBER_ID,
        `Member ${memberId} is not a member of group ${group.groupId}.`,
      );
    }
    return {
      records: this.removal(group, memberId),
      response: {
        errorCode: ErrorCode.NONE,
        errorMessage: null,
        memberId,
        memberEpoch: LEAVE_EPOCH,
        heartbeatIntervalMs: 0,
        assignment: null,
      },
      appended: () => {
        this.rt.cancel(shareSessionKey(group.groupId, memberId));
        this.logger.info("share group member left", { group: group.groupId, member: memberId });
        this.removed(group.groupId, memberId);
      },
    };
  }

  /** The session timer fired: the member is removed as if it had left. */
  private expire(groups: ShareGroups, groupId: string, memberId: string): ShareResult<undefined> {
    const group = groups.get(groupId);
    if (group === undefined || !group.members.has(memberId))
      return { records: [], response: undefined };
    this.logger.info("share group member session expired", { group: groupId, member: memberId });
    return {
      records: this.removal(group, memberId),
      response: undefined,
      appended: () => this.removed(groupId, memberId),
    };
  }

  /** Tombstones of the member's records and the next group epoch. */
  private removal(group: ShareGroup, memberId: string): ShareRecord[] {
    const rest = new Map(group.members);
    rest.delete(memberId);
    const hash = metadataHash(subscribedTopics(rest.values(), this.topics));
    return [
      { kind: "share-assignment", group: group.groupId, memberId, value: null },
      { kind: "share-member", group: group.groupId, memberId, value: null },
      {
        kind: "share-group",
        group: group.groupId,
        value: { epoch: group.epoch + 1, metadataHash: hash },
      },
    ];
  }

  private rtGroup(groupId: string): ShareGroup | undefined {
    return this.rt.state.get(groupId);
  }

  private error(errorCode: number, message: string): ShareResult<ShareHeartbeatResult> {
    return {
      records: [],
      response: {
        errorCode,
        errorMessage: message,
        memberId: null,
        memberEpoch: 0,
        heartbeatIntervalMs: 0,
        assignment: null,
      },
    };
  }
}

/** Kafka's check: ahead of the coordinator, or behind it by more than one epoch. */
function fencedEpoch(member: ShareMember, received: number): string | null {
  if (received > member.memberEpoch) {
    return `The member epoch ${received} is ahead of the coordinator's ${member.memberEpoch}; rejoin.`;
  }
  if (received < member.memberEpoch && received !== member.previousMemberEpoch) {
    return `The member epoch ${received} is older than the coordinator's ${member.memberEpoch}; rejoin.`;
  }
  return null;
}

function currentAssignments(
  members: ReadonlyMap<string, ShareMember>,
): Map<string, readonly AssignedTopic[]> {
  return new Map([...members].map(([id, m]) => [id, m.assignment]));
}
