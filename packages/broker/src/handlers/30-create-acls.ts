/**
 * CreateAcls (key 30), v1-v3 (Kafka 4 no longer serves v0).
 *
 * Checks each binding (acl/acl-validation.ts, INVALID_REQUEST with Kafka's message) and
 * stores the valid ones in the metadata log as one batch, before answering (a request
 * with a filter-only code such as ANY in any binding fails whole, UNKNOWN_SERVER_ERROR
 * everywhere, as Kafka's); a binding
 * that exists already is a success. Needs ALTER on the cluster; SECURITY_DISABLED
 * without an authorizer. v1 added pattern types, v2 is flexible, v3 the USER resource.
 */
import {
  CreateAclsApi,
  createCreateAclsResponse,
  createCreateAclsResponseAclCreationResult,
  ErrorCode,
} from "@logbook/protocol";
import { aclApiAccess } from "../acl/acl-api.js";
import { type AclBinding, AclOperation, bindingFromWire } from "../acl/acl-types.js";
import { hasFilterOnlyCode, invalidBinding } from "../acl/acl-validation.js";
import { defineHandler } from "../handler.js";

export const createAclsHandler = defineHandler({
  api: CreateAclsApi,
  minVersion: 1,
  maxVersion: 3,
  async handle(req, ctx) {
    const access = aclApiAccess(ctx, AclOperation.ALTER);
    if (!access.ok) {
      const { errorCode, errorMessage } = access;
      return createCreateAclsResponse({
        results: req.creations.map(() =>
          createCreateAclsResponseAclCreationResult({ errorCode, errorMessage }),
        ),
      });
    }
    const bindings: AclBinding[] = req.creations.map((c) =>
      bindingFromWire({ ...c, patternType: c.resourcePatternType }),
    );
    if (bindings.some(hasFilterOnlyCode))
      return createCreateAclsResponse({
        results: bindings.map(() =>
          // Kafka fails the whole request here without a message (an unexpected error).
          createCreateAclsResponseAclCreationResult({
            errorCode: ErrorCode.UNKNOWN_SERVER_ERROR,
            errorMessage: null,
          }),
        ),
      });
    const problems = bindings.map(invalidBinding);
    await access.authorizer.create(bindings.filter((_, i) => problems[i] === null));
    return createCreateAclsResponse({
      results: problems.map((problem) =>
        createCreateAclsResponseAclCreationResult(
          problem === null ? {} : { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: problem },
        ),
      ),
    });
  },
});
