/**
 * The flags of `logbook acl` as bindings (create) or a filter (list, delete): resources
 * from --topic/--group/--transactional-id/--cluster with --pattern, principals from
 * --allow/--deny (or --principal for a filter), operations by Kafka's names.
 */
import {
  type AclBinding,
  type AclFilter,
  AclOperation,
  AclPermission,
  AclResourceType,
  CLUSTER_NAME,
  PatternType,
  WILDCARD_HOST,
} from "@logbook/client";
import { UsageError } from "./usage-error.js";

export interface AclResourceFlags {
  topic: string[];
  group: string[];
  transactionalId: string[];
  cluster?: boolean;
  pattern?: string;
  host?: string;
  operation: string[];
}

interface Resource {
  readonly resourceType: number;
  readonly resourceName: string;
}

function resources(f: AclResourceFlags): Resource[] {
  return [
    ...f.topic.map((resourceName) => ({ resourceType: AclResourceType.TOPIC, resourceName })),
    ...f.group.map((resourceName) => ({ resourceType: AclResourceType.GROUP, resourceName })),
    ...f.transactionalId.map((resourceName) => ({
      resourceType: AclResourceType.TRANSACTIONAL_ID,
      resourceName,
    })),
    ...(f.cluster === true
      ? [{ resourceType: AclResourceType.CLUSTER, resourceName: CLUSTER_NAME }]
      : []),
  ];
}

/** "describe-configs", "DescribeConfigs" or "DESCRIBE_CONFIGS" -> Kafka's code. */
function code(
  flag: string,
  codes: Record<string, number>,
  text: string,
  allowed: string[],
): number {
  const key = text
    .replace(/([a-z])([A-Z])/g, "$1_$2")
    .replaceAll("-", "_")
    .toUpperCase();
  const c = codes[key];
  if (c === undefined || !allowed.includes(key))
    throw new UsageError(`${flag} must be one of ${allowed.join(", ")}, got "${text}"`);
  return c;
}

const OPERATIONS = Object.keys(AclOperation).filter((k) => k !== "UNKNOWN" && k !== "ANY");

function operations(f: AclResourceFlags): number[] {
  return f.operation.map((o) => code("--operation", AclOperation, o, OPERATIONS));
}

function principal(flag: string, p: string): string {
  if (!/^[^:]+:.+$/.test(p))
    throw new UsageError(`${flag} takes type:name, e.g. User:alice, got "${p}"`);
  return p;
}

/** The bindings `acl create` asks for: every principal x operation x resource. */
export function bindingsOf(
  f: AclResourceFlags & { allow: string[]; deny: string[] },
): AclBinding[] {
  const rs = resources(f);
  if (rs.length === 0)
    throw new UsageError("name a resource: --topic, --group, --transactional-id or --cluster");
  const ops = operations(f);
  if (ops.length === 0) throw new UsageError("name at least one --operation");
  const principals = [
    ...f.allow.map((p) => ({
      principal: principal("--allow", p),
      permission: AclPermission.ALLOW,
    })),
    ...f.deny.map((p) => ({ principal: principal("--deny", p), permission: AclPermission.DENY })),
  ];
  if (principals.length === 0) throw new UsageError("name a principal: --allow or --deny");
  const patternType = code("--pattern", PatternType, f.pattern ?? "literal", [
    "LITERAL",
    "PREFIXED",
  ]);
  const host = f.host ?? WILDCARD_HOST;
  return principals.flatMap((p) =>
    rs.flatMap((r) => ops.map((operation) => ({ ...r, patternType, host, operation, ...p }))),
  );
}

/** The filter `acl list` and `acl delete` send: what is not named matches anything. */
export function filterOf(
  f: AclResourceFlags & { principal?: string; permission?: string },
): AclFilter {
  const rs = resources(f);
  if (rs.length > 1) throw new UsageError("name at most one resource to filter by");
  const ops = operations(f);
  if (ops.length > 1) throw new UsageError("name at most one --operation to filter by");
  const r = rs[0];
  return {
    resourceType: r?.resourceType ?? AclResourceType.ANY,
    resourceName: r?.resourceName ?? null,
    patternType: code("--pattern", PatternType, f.pattern ?? "any", [
      "ANY",
      "MATCH",
      "LITERAL",
      "PREFIXED",
    ]),
    principal: f.principal === undefined ? null : principal("--principal", f.principal),
    host: f.host ?? null,
    operation: ops[0] ?? AclOperation.ANY,
    permission:
      f.permission === undefined
        ? AclPermission.ANY
        : code("--permission", AclPermission, f.permission, ["ALLOW", "DENY"]),
  };
}

/** A filter that names nothing: what `acl delete` refuses, so a slip cannot drop every ACL. */
export function filterNamesNothing(f: AclFilter): boolean {
  return (
    f.resourceType === AclResourceType.ANY &&
    f.principal === null &&
    f.host === null &&
    f.operation === AclOperation.ANY &&
    f.permission === AclPermission.ANY
  );
}
