/**
 * ACL administration: CreateAcls, DescribeAcls, DeleteAcls, sent to any broker as
 * Kafka's admin client does (a KRaft broker forwards to the controller).
 */
import {
  CreateAclsApi,
  createCreateAclsRequest,
  createDeleteAclsRequest,
  createDescribeAclsRequest,
  DeleteAclsApi,
  DescribeAclsApi,
} from "@logbook/protocol";
import type { KafkaClient } from "../kafka-client.js";
import { check, KafkaError } from "../kafka-error.js";
import type { AclBinding, AclFilter } from "./acl-bindings.js";

/** What became of one binding: Kafka's error name or "OK", and the broker's message. */
export interface AclOutcome {
  readonly binding: AclBinding;
  readonly status: string;
  readonly message: string | null;
}

function outcome(binding: AclBinding, errorCode: number, message: string | null): AclOutcome {
  if (errorCode === 0) return { binding, status: "OK", message: null };
  return { binding, status: new KafkaError(errorCode, message).errorName, message };
}

export async function createAcls(
  client: KafkaClient,
  bindings: readonly AclBinding[],
): Promise<AclOutcome[]> {
  const { body } = await client.any.send(CreateAclsApi, () =>
    createCreateAclsRequest({
      creations: bindings.map((b) => ({
        resourceType: b.resourceType,
        resourceName: b.resourceName,
        resourcePatternType: b.patternType,
        principal: b.principal,
        host: b.host,
        operation: b.operation,
        permissionType: b.permission,
      })),
    }),
  );
  return bindings.map((b, i) => {
    const r = body.results[i];
    return r === undefined
      ? outcome(b, -1, "the broker gave no result")
      : outcome(b, r.errorCode, r.errorMessage);
  });
}

function filterFields(f: AclFilter) {
  return {
    resourceTypeFilter: f.resourceType,
    resourceNameFilter: f.resourceName,
    patternTypeFilter: f.patternType,
    principalFilter: f.principal,
    hostFilter: f.host,
    operation: f.operation,
    permissionType: f.permission,
  };
}

/** The bindings that match `filter`, in the broker's order. */
export async function describeAcls(client: KafkaClient, filter: AclFilter): Promise<AclBinding[]> {
  const { body } = await client.any.send(DescribeAclsApi, () =>
    createDescribeAclsRequest(filterFields(filter)),
  );
  check(body.errorCode, body.errorMessage, "DescribeAcls");
  return body.resources.flatMap((r) =>
    r.acls.map((a) => ({
      resourceType: r.resourceType,
      resourceName: r.resourceName,
      patternType: r.patternType,
      principal: a.principal,
      host: a.host,
      operation: a.operation,
      permission: a.permissionType,
    })),
  );
}

/** Deletes the bindings that match `filter`; what was matched, each with its outcome. */
export async function deleteAcls(client: KafkaClient, filter: AclFilter): Promise<AclOutcome[]> {
  const { body } = await client.any.send(DeleteAclsApi, () =>
    createDeleteAclsRequest({ filters: [filterFields(filter)] }),
  );
  const result = body.filterResults[0];
  if (result === undefined) throw new KafkaError(-1, "the broker gave no result", "DeleteAcls");
  check(result.errorCode, result.errorMessage, "DeleteAcls");
  return result.matchingAcls.map((a) =>
    outcome(
      {
        resourceType: a.resourceType,
        resourceName: a.resourceName,
        patternType: a.patternType,
        principal: a.principal,
        host: a.host,
        operation: a.operation,
        permission: a.permissionType,
      },
      a.errorCode,
      a.errorMessage,
    ),
  );
}
