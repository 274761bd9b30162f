/**
 * DeleteGroups (key 42), v0-v2.
 *
 * Deletes groups that have no active members, with their committed offsets (tombstones
 * in __consumer_offsets); share groups (KIP-932) through the share-group coordinator. Per group: NONE, GROUP_ID_NOT_FOUND, NON_EMPTY_GROUP or
 * INVALID_GROUP_ID, in request order; while the coordinator replays its log every group
 * gets COORDINATOR_LOAD_IN_PROGRESS. Simplified: no ACLs.
 */
import {
  createDeleteGroupsResponse,
  createDeleteGroupsResponseDeletableGroupResult,
  DeleteGroupsApi,
} from "@logbook/protocol";
import { defineHandler } from "../handler.js";
import { deleteWithShareGroups } from "../share/membership-admin.js";

export const deleteGroupsHandler = defineHandler({
  api: DeleteGroupsApi,
  minVersion: 0,
  maxVersion: 2,
  async handle(req, ctx) {
    const access = ctx.broker.groups.access();
    const results = access.ok
      ? await deleteWithShareGroups(
          ctx.broker.shareGroups,
          req.groupsNames,
          (ids) => access.coordinator.deleteGroups(ids),
          (groupId) => ctx.broker.share.dropGroup(groupId),
        )
      : req.groupsNames.map((groupId) => ({ groupId, errorCode: access.errorCode }));
    return createDeleteGroupsResponse({
      results: results.map((r) =>
        createDeleteGroupsResponseDeletableGroupResult({
          groupId: r.groupId,
          errorCode: r.errorCode,
        }),
      ),
    });
  },
});
