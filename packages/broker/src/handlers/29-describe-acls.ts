/**
 * DescribeAcls (key 29), v1-v3 (Kafka 4 no longer serves v0).
 *
 * The bindings a filter matches, grouped by resource pattern (sorted, where Kafka's order
 * is its hash set's). Needs DESCRIBE on the cluster; SECURITY_DISABLED without an
 * authorizer; a filter with an UNKNOWN code is INVALID_REQUEST. v1 added pattern types,
 * v2 is flexible, v3 added the USER resource type.
 */
import {
  createDescribeAclsResponse,
  createDescribeAclsResponseAclDescription,
  createDescribeAclsResponseResource,
  DescribeAclsApi,
  type DescribeAclsResponseResource,
  ErrorCode,
} from "@logbook/protocol";
import { aclApiAccess } from "../acl/acl-api.js";
import { unknownFilterField } from "../acl/acl-filter.js";
import { type AclFilter, AclOperation } from "../acl/acl-types.js";
import { defineHandler } from "../handler.js";

export const describeAclsHandler = defineHandler({
  api: DescribeAclsApi,
  minVersion: 1,
  maxVersion: 3,
  handle(req, ctx) {
    const access = aclApiAccess(ctx, AclOperation.DESCRIBE);
    if (!access.ok) return createDescribeAclsResponse(access);
    const filter: AclFilter = {
      resourceType: req.resourceTypeFilter,
      resourceName: req.resourceNameFilter,
      patternType: req.patternTypeFilter,
      principal: req.principalFilter,
      host: req.hostFilter,
      operation: req.operation,
      permission: req.permissionType,
    };
    if (unknownFilterField(filter) !== null)
      return createDescribeAclsResponse({
        errorCode: ErrorCode.INVALID_REQUEST,
        errorMessage: "The filter contains UNKNOWN elements",
      });
    const resources = new Map<string, DescribeAclsResponseResource>();
    for (const b of access.authorizer.describe(filter)) {
      const key = JSON.stringify([b.resourceType, b.patternType, b.resourceName]);
      let r = resources.get(key);
      if (r === undefined) {
        r = createDescribeAclsResponseResource({
          resourceType: b.resourceType,
          resourceName: b.resourceName,
          patternType: b.patternType,
        });
        resources.set(key, r);
      }
      r.acls.push(
        createDescribeAclsResponseAclDescription({
          principal: b.principal,
          host: b.host,
          operation: b.operation,
          permissionType: b.permission,
        }),
      );
    }
    const sorted = [...resources.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return createDescribeAclsResponse({ resources: sorted.map(([, r]) => r) });
  },
});
