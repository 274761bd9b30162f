import {
  createShareAcknowledgeRequest,
  createShareAcknowledgeRequestAcknowledgePartition,
  createShareAcknowledgeRequestAcknowledgeTopic,
  createShareFetchRequest,
  createShareFetchRequestFetchPartition,
  createShareFetchRequestFetchTopic,
  ErrorCode,
  type ShareAcknowledgeRequest,
  type ShareFetchRequest,
  type ShareFetchResponse,
  type ShareFetchResponsePartitionData,
} from "@logbook/protocol";
import { silentLogger } from "@logbook/storage";
import type { ShareMembership } from "../../src/share/membership-contract.js";
import type { SharePartitionSettings } from "../../src/share/partition-settings.js";
import { sharePartitionSettings } from "../../src/share/partition-settings.js";
import { SharePartitionService } from "../../src/share/share-partition-service.js";
import { type DataTestBroker, dataTestBroker } from "./data-broker.js";

/** Share-group membership as a test sets it: members per group, every partition assigned. */
export class FakeShareMembership implements ShareMembership {
  readonly members = new Map<string, Set<string>>();

  join(groupId: string, memberId: string): void {
    const set = this.members.get(groupId) ?? new Set();
    set.add(memberId);
    this.members.set(groupId, set);
  }

  leave(groupId: string, memberId: string): void {
    this.members.get(groupId)?.delete(memberId);
  }

  checkMember(groupId: string, memberId: string): ErrorCode {
    if (!this.members.has(groupId)) return ErrorCode.GROUP_ID_NOT_FOUND;
    return this.members.get(groupId)?.has(memberId) === true
      ? ErrorCode.NONE
      : ErrorCode.UNKNOWN_MEMBER_ID;
  }

  assignment(): ReadonlyMap<string, readonly number[]> | null {
    return null;
  }

  isShareGroup(groupId: string): boolean {
    return this.members.has(groupId);
  }

  shareGroupIds(): string[] {
    return [...this.members.keys()];
  }
}

export interface ShareTestBroker extends DataTestBroker {
  membership: FakeShareMembership;
  share: SharePartitionService;
}

/** A handler-test broker whose share-partition state is loaded, with fake membership. */
export async function shareTestBroker(
  settings: Partial<SharePartitionSettings> = {},
  location = "memory:",
  /** Settings of particular groups (their group configs), over `settings`. */
  perGroup: Readonly<Record<string, Partial<SharePartitionSettings>>> = {},
): Promise<ShareTestBroker> {
  const membership = new FakeShareMembership();
  let share: SharePartitionService | undefined;
  const b = await dataTestBroker(location, undefined, {
    share: (storage) => {
      const base = sharePartitionSettings(settings);
      share = new SharePartitionService(storage, silentLogger, base, (group) => ({
        ...base,
        ...perGroup[group],
      }));
      share.attachMembership(membership);
      return share;
    },
  });
  if (share === undefined) throw new Error("share service not built");
  await share.load();
  return { ...b, membership, share };
}

export interface AckSpec {
  first: bigint;
  last: bigint;
  types: number[];
}

/** A ShareFetch of whole topics' partitions, with optional piggy-backed acknowledgements. */
export function shareFetch(
  groupId: string,
  memberId: string,
  epoch: number,
  parts: { topicId: Buffer; partition: number; acks?: AckSpec[] }[],
  init: Partial<ShareFetchRequest> = {},
): ShareFetchRequest {
  return createShareFetchRequest({
    groupId,
    memberId,
    shareSessionEpoch: epoch,
    maxWaitMs: 0,
    minBytes: 1,
    maxRecords: 500,
    batchSize: 500,
    topics: parts.map((p) =>
      createShareFetchRequestFetchTopic({
        topicId: p.topicId,
        partitions: [
          createShareFetchRequestFetchPartition({
            partitionIndex: p.partition,
            acknowledgementBatches: (p.acks ?? []).map((a) => ({
              firstOffset: a.first,
              lastOffset: a.last,
              acknowledgeTypes: a.types,
            })),
          }),
        ],
      }),
    ),
    ...init,
  });
}

export function shareAck(
  groupId: string,
  memberId: string,
  epoch: number,
  parts: { topicId: Buffer; partition: number; acks: AckSpec[] }[],
): ShareAcknowledgeRequest {
  return createShareAcknowledgeRequest({
    groupId,
    memberId,
    shareSessionEpoch: epoch,
    topics: parts.map((p) =>
      createShareAcknowledgeRequestAcknowledgeTopic({
        topicId: p.topicId,
        partitions: [
          createShareAcknowledgeRequestAcknowledgePartition({
            partitionIndex: p.partition,
            acknowledgementBatches: p.acks.map((a) => ({
              firstOffset: a.first,
              lastOffset: a.last,
              acknowledgeTypes: a.types,
            })),
          }),
        ],
      }),
    ),
  });
}

/** The only partition of a ShareFetch response, or undefined. */
export function onlyPartition(
  res: ShareFetchResponse,
): ShareFetchResponsePartitionData | undefined {
  return res.responses[0]?.partitions[0];
}

/** Acquired ranges as [first, last, deliveryCount] triples. */
export function acquired(
  p: ShareFetchResponsePartitionData | undefined,
): [bigint, bigint, number][] {
  return (p?.acquiredRecords ?? []).map((r) => [r.firstOffset, r.lastOffset, r.deliveryCount]);
}
