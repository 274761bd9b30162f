import type { DeleteGroupResult } from "@logbook/group-coordinator";
import { ErrorCode } from "@logbook/protocol";
import type { BrokerShareGroups } from "./membership-service.js";

/** Kafka's protocol type and group type of a share group in ListGroups. */
const SHARE = "share";

export interface ListedShareGroupRow {
  groupId: string;
  protocolType: string;
  groupState: string;
  groupType: string;
}

/**
 * The share groups ListGroups adds to the classic ones, under its filters (both
 * case-insensitive, empty = all). Nothing while the share-group coordinator loads:
 * the error code says so.
 */
export async function listShareGroups(
  shareGroups: BrokerShareGroups,
  filters: { states: readonly string[]; types: readonly string[] },
): Promise<{ errorCode: number; groups: ListedShareGroupRow[] }> {
  const wanted = (filter: readonly string[], value: string): boolean =>
    filter.length === 0 || filter.some((f) => f.toLowerCase() === value.toLowerCase());
  if (!wanted(filters.types, SHARE)) return { errorCode: ErrorCode.NONE, groups: [] };
  const access = shareGroups.access();
  if (!access.ok) return { errorCode: access.errorCode, groups: [] };
  const groups = await access.coordinator.list();
  return {
    errorCode: ErrorCode.NONE,
    groups: groups
      .filter((g) => wanted(filters.states, g.groupState))
      .map((g) => ({
        groupId: g.groupId,
        protocolType: SHARE,
        groupState: g.groupState,
        groupType: SHARE,
      })),
  };
}

/**
 * DeleteGroups of the ids that are share groups (empty ones only, as Kafka); the rest
 * is left to the classic coordinator. A deleted share group's share-partition state
 * goes with it (`dropState`), as Kafka deletes it from __share_group_state, so a group
 * made again under that id starts afresh. Results keep the request's order.
 */
export async function deleteWithShareGroups(
  shareGroups: BrokerShareGroups,
  groupIds: readonly string[],
  deleteOthers: (ids: string[]) => Promise<DeleteGroupResult[]>,
  dropState: (groupId: string) => Promise<ErrorCode>,
): Promise<DeleteGroupResult[]> {
  const share = groupIds.filter((id) => shareGroups.isShareGroup(id));
  const access = shareGroups.access();
  const deleted = share.length > 0 && access.ok ? await access.coordinator.deleteGroups(share) : [];
  const shareResults = await Promise.all(
    deleted.map(async (r) =>
      r.errorCode === ErrorCode.NONE ? { ...r, errorCode: await dropState(r.groupId) } : r,
    ),
  );
  const others = await deleteOthers(groupIds.filter((id) => !shareGroups.isShareGroup(id)));
  const byId = new Map([...others, ...shareResults].map((r) => [r.groupId, r]));
  return groupIds.map(
    (groupId) => byId.get(groupId) ?? { groupId, errorCode: ErrorCode.GROUP_ID_NOT_FOUND },
  );
}
