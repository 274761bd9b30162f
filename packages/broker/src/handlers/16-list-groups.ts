/**
 * ListGroups (key 16), v0-v5.
 *
 * Every group with its protocol type; v4+ also its state and an optional states filter
 * (KIP-518, case-insensitive, empty = all); v5+ its type and a types filter (KIP-848).
 * Every group here is a classic group, so a types filter without "classic" lists
 * nothing. While the coordinator replays its log the answer is
 * COORDINATOR_LOAD_IN_PROGRESS with no groups.
 */
import {
  createListGroupsResponse,
  createListGroupsResponseListedGroup,
  ListGroupsApi,
} from "@logbook/protocol";
import { defineHandler } from "../handler.js";

export const listGroupsHandler = defineHandler({
  api: ListGroupsApi,
  minVersion: 0,
  maxVersion: 5,
  async handle(req, ctx) {
    const { version } = ctx;
    const access = ctx.broker.groups.access();
    if (!access.ok) return createListGroupsResponse({ errorCode: access.errorCode, groups: [] });
    const r = await access.coordinator.listGroups({
      states: version >= 4 ? req.statesFilter : [],
      types: version >= 5 ? req.typesFilter : [],
    });
    return createListGroupsResponse({
      errorCode: r.errorCode,
      groups: r.groups.map((g) =>
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
