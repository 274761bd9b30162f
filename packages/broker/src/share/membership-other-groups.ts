import type { RequestContext } from "../handler.js";

/**
 * Whether `groupId` names a group of another type (a classic group here): Kafka keeps
 * one namespace of group ids, and a share-group request for such an id is answered
 * GROUP_ID_NOT_FOUND. While the classic coordinator loads this cannot be told: false.
 */
export async function isOtherGroupType(ctx: RequestContext, groupId: string): Promise<boolean> {
  const access = ctx.broker.groups.access();
  if (!access.ok) return false;
  const [described] = await access.coordinator.describeGroups([groupId]);
  return described?.exists === true;
}
