/**
 * ListGroups (key 16), v0-v5.
 *
 * Every group with its protocol type; v4+ also its state and an optional states filter
 * (KIP-518, case-insensitive, empty = all); v5+ its type and a types filter (KIP-848):
 * "classic" groups, and "share" groups (KIP-932) from the share-group coordinator.
 * While either coordinator replays its log the answer is COORDINATOR_LOAD_IN_PROGRESS
 * (with no groups while the classic one does).
 * ACLs: DESCRIBE on the cluster lists every group; else only the groups the principal
 * may DESCRIBE.
 */
import {
  createListGroupsResponse,
  createListGroupsResponseListedGroup,
  ListGroupsApi,
} from "@logbook/protocol";
import { AclResourceType } from "../acl/acl-types.js";
import { allowed, clusterAllowed, Op } from "../acl/check.js";
import { defineHandler } from "../handler.js";
import { listShareGroups } from "../share/membership-admin.js";

export const listGroupsHandler = defineHandler({
  api: ListGroupsApi,
  minVersion: 0,
  maxVersion: 5,
  async handle(req, ctx) {
    const { version } = ctx;
    const access = ctx.broker.groups.access();
    if (!access.ok) return createListGroupsResponse({ errorCode: access.errorCode, groups: [] });
    const filters = {
      states: version >= 4 ? req.statesFilter : [],
      types: version >= 5 ? req.typesFilter : [],
    };
    const r = await access.coordinator.listGroups(filters);
    const share = await listShareGroups(ctx.broker.shareGroups, filters);
    // Without DESCRIBE on the cluster, only the groups the principal may DESCRIBE.
    const everyGroup = clusterAllowed(ctx, Op.DESCRIBE, true);
    const visible = [...r.groups, ...share.groups].filter(
      (g) => everyGroup || allowed(ctx, Op.DESCRIBE, AclResourceType.GROUP, g.groupId, true),
    );
    return createListGroupsResponse({
      errorCode: r.errorCode !== 0 ? r.errorCode : share.errorCode,
      groups: visible.map((g) =>
        createListGroupsResponseListedGroup({
          groupId: g.groupId,
          protocolType: g.protocolType,
          groupState: g.groupState,
          groupType: g.groupType,
        }),
      ),
    });
  },
});
