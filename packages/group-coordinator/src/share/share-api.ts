import type { AssignedTopic, ShareGroupState } from "./share-group.js";
import type { ShareTopic } from "./simple-assignor.js";

/** The topics share-group assignment reads (the broker's topic registry). */
export interface ShareTopicsView {
  /** An existing topic's id and partition count, or undefined. */
  topic(name: string): ShareTopic | undefined;
}

export interface ShareHeartbeatInput {
  groupId: string;
  memberId: string;
  /** 0 joins, -1 leaves, otherwise the epoch the member holds. */
  memberEpoch: number;
  rackId: string | null;
  /** Null keeps the member's subscription. */
  subscribedTopicNames: string[] | null;
  clientId: string;
  clientHost: string;
  /** The id belongs to a group of another type (classic, consumer): GROUP_ID_NOT_FOUND. */
  foreignGroup: boolean;
}

export interface ShareHeartbeatResult {
  errorCode: number;
  errorMessage: string | null;
  memberId: string | null;
  memberEpoch: number;
  heartbeatIntervalMs: number;
  /** Sent when the member joined or its partitions changed; null otherwise. */
  assignment: readonly AssignedTopic[] | null;
}

export interface DescribedShareMember {
  memberId: string;
  rackId: string | null;
  memberEpoch: number;
  clientId: string;
  clientHost: string;
  subscribedTopicNames: readonly string[];
  assignment: readonly AssignedTopic[];
}

export interface DescribedShareGroup {
  groupId: string;
  errorCode: number;
  errorMessage: string | null;
  /** "" when the group does not exist (as Kafka answers). */
  groupState: ShareGroupState | "";
  groupEpoch: number;
  assignmentEpoch: number;
  assignorName: string;
  members: DescribedShareMember[];
}

export interface ListedShareGroup {
  groupId: string;
  groupState: ShareGroupState;
}
