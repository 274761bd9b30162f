import { ErrorCode } from "@logbook/protocol";
import type { DeleteGroupResult } from "../coordinator-api.js";
import type { DescribedShareGroup, ListedShareGroup } from "./share-api.js";
import type { ShareGroups } from "./share-group.js";
import type { ShareRuntime } from "./share-heartbeat.js";
import { SIMPLE_ASSIGNOR_NAME } from "./simple-assignor.js";

/** ShareGroupDescribe, the share groups of ListGroups, DeleteGroups of share groups. */
export class ShareAdmin {
  constructor(private readonly rt: ShareRuntime) {}

  describe(groupIds: readonly string[]): Promise<DescribedShareGroup[]> {
    return this.rt.run((groups) => ({
      records: [],
      response: groupIds.map((id) => describeOne(groups, id)),
    }));
  }

  list(): Promise<ListedShareGroup[]> {
    return this.rt.run((groups) => ({
      records: [],
      response: [...groups.values()].map((g) => ({ groupId: g.groupId, groupState: g.state })),
    }));
  }

  /**
   * Deletes empty share groups (a tombstone of the group record); NON_EMPTY_GROUP while
   * members remain, GROUP_ID_NOT_FOUND for ids that are not share groups.
   */
  delete(groupIds: readonly string[]): Promise<DeleteGroupResult[]> {
    return this.rt.run((groups) => {
      const results: DeleteGroupResult[] = [];
      const gone = new Set<string>();
      for (const groupId of groupIds) {
        const group = groups.get(groupId);
        if (group === undefined || gone.has(groupId)) {
          results.push({ groupId, errorCode: ErrorCode.GROUP_ID_NOT_FOUND });
        } else if (group.members.size > 0) {
          results.push({ groupId, errorCode: ErrorCode.NON_EMPTY_GROUP });
        } else {
          gone.add(groupId);
          results.push({ groupId, errorCode: ErrorCode.NONE });
        }
      }
      return {
        records: [...gone].map((group) => ({ kind: "share-group" as const, group, value: null })),
        response: results,
      };
    });
  }
}

function describeOne(groups: ShareGroups, groupId: string): DescribedShareGroup {
  const group = groups.get(groupId);
  if (group === undefined) {
    return {
      groupId,
      errorCode: ErrorCode.GROUP_ID_NOT_FOUND,
      errorMessage: `Group ${groupId} not found.`,
      groupState: "",
      groupEpoch: 0,
      assignmentEpoch: 0,
      assignorName: "",
      members: [],
    };
  }
  return {
    groupId,
    errorCode: ErrorCode.NONE,
    errorMessage: null,
    groupState: group.state,
    groupEpoch: group.epoch,
    assignmentEpoch: group.targetEpoch >= 0 ? group.targetEpoch : group.epoch,
    assignorName: SIMPLE_ASSIGNOR_NAME,
    members: [...group.members.values()].map((m) => ({
      memberId: m.memberId,
      rackId: m.rackId,
      memberEpoch: m.memberEpoch,
      clientId: m.clientId,
      clientHost: m.clientHost,
      subscribedTopicNames: m.subscribedTopicNames,
      assignment: m.assignment,
    })),
  };
}
