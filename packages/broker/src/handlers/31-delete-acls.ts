/**
 * DeleteAcls (key 31), v1-v3 (Kafka 4 no longer serves v0).
 *
 * Removes every binding each filter matches (acl/acl-filter.ts: ANY and MATCH pattern
 * types, null strings match all), as one batch in the metadata log, and lists per filter
 * the bindings it removed. A filter with an UNKNOWN code is INVALID_REQUEST. Needs ALTER
 * on the cluster; SECURITY_DISABLED without an authorizer. v1 added pattern types, v2 is
 * flexible, v3 the USER resource.
 */
import {
  createDeleteAclsResponse,
  createDeleteAclsResponseFilterResult,
  createDeleteAclsResponseMatchingAcl,
  DeleteAclsApi,
  ErrorCode,
} from "@logbook/protocol";
import { aclApiAccess } from "../acl/acl-api.js";
import { unknownFilterField } from "../acl/acl-filter.js";
import { type AclFilter, AclOperation, bindingToWire } from "../acl/acl-types.js";
import { defineHandler } from "../handler.js";

export const deleteAclsHandler = defineHandler({
  api: DeleteAclsApi,
  minVersion: 1,
  maxVersion: 3,
  async handle(req, ctx) {
    const access = aclApiAccess(ctx, AclOperation.ALTER);
    if (!access.ok) {
      const { errorCode, errorMessage } = access;
      return createDeleteAclsResponse({
        filterResults: req.filters.map(() =>
          createDeleteAclsResponseFilterResult({ errorCode, errorMessage }),
        ),
      });
    }
    const filters: AclFilter[] = req.filters.map((f) => ({
      resourceType: f.resourceTypeFilter,
      resourceName: f.resourceNameFilter,
      patternType: f.patternTypeFilter,
      principal: f.principalFilter,
      host: f.hostFilter,
      operation: f.operation,
      permission: f.permissionType,
    }));
    const unknown = filters.map(unknownFilterField);
    const removed = await access.authorizer.delete(filters.filter((_, i) => unknown[i] === null));
    let next = 0;
    return createDeleteAclsResponse({
      filterResults: unknown.map((field) => {
        if (field !== null)
          return createDeleteAclsResponseFilterResult({
            errorCode: ErrorCode.INVALID_REQUEST,
            errorMessage: `The filter has an UNKNOWN ${field}`,
          });
        // As Kafka: no message (null, not "") where nothing failed.
        return createDeleteAclsResponseFilterResult({
          errorMessage: null,
          matchingAcls: (removed[next++] ?? []).map((b) =>
            createDeleteAclsResponseMatchingAcl({ errorMessage: null, ...bindingToWire(b) }),
          ),
        });
      }),
    });
  },
});
