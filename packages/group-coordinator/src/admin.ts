import { ErrorCode } from "@logbook/protocol";
import type {
  DeleteGroupResult,
  DescribedGroup,
  ListedGroup,
  ListGroupsInput,
  ListGroupsResult,
} from "./coordinator-api.js";
import type { GroupRuntime, Groups } from "./group-shard.js";
import { EMPTY } from "./member-answers.js";
import { planDeleteGroups } from "./offset-operations.js";
import { answer } from "./runtime/index.js";

/** ListGroups, DescribeGroups and DeleteGroups as runtime operations. */
export class GroupAdmin {
  constructor(private readonly rt: GroupRuntime) {}

  listGroups(input: ListGroupsInput): Promise<ListGroupsResult> {
    return this.rt.run((groups) => answer(listGroups(groups, input)));
  }

  describeGroups(groupIds: string[]): Promise<DescribedGroup[]> {
    return this.rt.run((groups) => answer(groupIds.map((id) => describe(groups, id))));
  }

  deleteGroups(groupIds: string[]): Promise<DeleteGroupResult[]> {
    return this.rt.run((groups) => {
      const plan = planDeleteGroups(groups, groupIds);
      return {
        records: plan.records,
        response: plan.result,
        failed: (errorCode) =>
          plan.result.map((r) => (r.errorCode === ErrorCode.NONE ? { ...r, errorCode } : r)),
      };
    });
  }
}

function listGroups(groups: Groups, input: ListGroupsInput): ListGroupsResult {
  const states = (input.states ?? []).map((s) => s.toLowerCase());
  const types = (input.types ?? []).map((t) => t.toLowerCase());
  const listed: ListedGroup[] = [...groups.values()].map((g) =>
    g.consumer !== null
      ? {
          groupId: g.groupId,
          protocolType: "consumer",
          groupState: g.consumer.state,
          groupType: "consumer",
        }
      : {
          groupId: g.groupId,
          protocolType: g.members.values().next().value?.protocolType ?? g.protocolType ?? "",
          groupState: g.state,
          groupType: "classic",
        },
  );
  return {
    errorCode: ErrorCode.NONE,
    groups: listed.filter(
      (g) =>
        (states.length === 0 || states.includes(g.groupState.toLowerCase())) &&
        (types.length === 0 || types.includes(g.groupType)),
    ),
  };
}

function describe(groups: Groups, groupId: string): DescribedGroup {
  const group = groups.get(groupId);
  // Kafka describes only classic groups here: a consumer group reads as unknown (Dead).
  if (group === undefined || group.consumer !== null) {
    return {
      groupId,
      errorCode: groupId === "" ? ErrorCode.INVALID_GROUP_ID : ErrorCode.NONE,
      exists: false,
      groupState: "Dead",
      protocolType: "",
      protocolData: "",
      members: [],
    };
  }
  const settled = group.state === "Stable" || group.state === "CompletingRebalance";
  return {
    groupId,
    errorCode: ErrorCode.NONE,
    exists: true,
    groupState: group.state,
    protocolType: group.members.values().next().value?.protocolType ?? group.protocolType ?? "",
    protocolData: settled ? (group.protocolName ?? "") : "",
    members: [...group.members.values()].map((m) => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      clientId: m.clientId,
      clientHost: m.clientHost,
      memberMetadata: settled ? group.metadataFor(m, group.protocolName) : EMPTY,
      // While a rebalance gathers members, the last assignment still shows (as Kafka).
      memberAssignment:
        group.state === "Stable" || group.state === "PreparingRebalance" ? m.assignment : EMPTY,
    })),
  };
}
