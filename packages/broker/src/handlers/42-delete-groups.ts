/**
 * DeleteGroups (key 42), v0-v2.
 *
 * Deletes groups that have no active members, with their committed offsets (tombstones
 * in __consumer_offsets); share groups (KIP-932) through the share-group coordinator. Per group: NONE, GROUP_ID_NOT_FOUND, NON_EMPTY_GROUP or
 * INVALID_GROUP_ID, in request order; while the coordinator replays its log every group
 * gets COORDINATOR_LOAD_IN_PROGRESS. ACLs: DELETE on each group, else
 * GROUP_AUTHORIZATION_FAILED for it.
 */
import {
  createDeleteGroupsResponse,
  createDeleteGroupsResponseDeletableGroupResult,
  DeleteGroupsApi,
  ErrorCode,
} from "@logbook/protocol";
import { groupAllowed, Op } from "../acl/check.js";
import { defineHandler } from "../handler.js";
import { deleteWithShareGroups } from "../share/membership-admin.js";

export const deleteGroupsHandler = defineHandler({
  api: DeleteGroupsApi,
  minVersion: 0,
  maxVersion: 2,
  async handle(req, ctx) {
    const access = ctx.broker.groups.access();
    const permitted = req.groupsNames.filter((g) => groupAllowed(ctx, Op.DELETE, g));
    const results = access.ok
      ? await deleteWithShareGroups(
          ctx.broker.shareGroups,
          permitted,
          (ids) => access.coordinator.deleteGroups(ids),
          (groupId) => ctx.broker.share.dropGroup(groupId),
        )
      : permitted.map((groupId) => ({ groupId, errorCode: access.errorCode }));
    // Refused groups keep their place in the request's order.
    const byGroup = new Map(results.map((r) => [r.groupId, r.errorCode]));
    return createDeleteGroupsResponse({
      results: req.groupsNames
        .map((groupId) => ({
          groupId,
          errorCode: byGroup.get(groupId) ?? ErrorCode.GROUP_AUTHORIZATION_FAILED,
        }))
        .map((r) =>
          createDeleteGroupsResponseDeletableGroupResult({
            groupId: r.groupId,
            errorCode: r.errorCode,
          }),
        ),
    });
  },
});
