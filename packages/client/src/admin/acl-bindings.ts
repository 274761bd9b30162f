/**
 * The codes of ACL bindings as Kafka's org.apache.kafka.common.acl and resource packages
 * number them (the wire codes of CreateAcls/DescribeAcls/DeleteAcls), and their names:
 * shared by the broker's authorizer and the client's `acl` commands.
 */

/** Kafka's ResourceType codes. ANY only appears in filters; UNKNOWN never matches. */
export const AclResourceType = {
  UNKNOWN: 0,
  ANY: 1,
  TOPIC: 2,
  GROUP: 3,
  CLUSTER: 4,
  TRANSACTIONAL_ID: 5,
  DELEGATION_TOKEN: 6,
  USER: 7,
} as const;

/** Kafka's PatternType codes. ANY and MATCH only appear in filters. */
export const PatternType = {
  UNKNOWN: 0,
  ANY: 1,
  MATCH: 2,
  LITERAL: 3,
  PREFIXED: 4,
} as const;

/** Kafka's AclOperation codes. ANY only appears in filters. */
export const AclOperation = {
  UNKNOWN: 0,
  ANY: 1,
  ALL: 2,
  READ: 3,
  WRITE: 4,
  CREATE: 5,
  DELETE: 6,
  ALTER: 7,
  DESCRIBE: 8,
  CLUSTER_ACTION: 9,
  DESCRIBE_CONFIGS: 10,
  ALTER_CONFIGS: 11,
  IDEMPOTENT_WRITE: 12,
  CREATE_TOKENS: 13,
  DESCRIBE_TOKENS: 14,
} as const;

/** Kafka's AclPermissionType codes. ANY only appears in filters. */
export const AclPermission = { UNKNOWN: 0, ANY: 1, DENY: 2, ALLOW: 3 } as const;

/** The literal resource name that stands for every name (Kafka's ResourcePattern.WILDCARD_RESOURCE). */
export const WILDCARD_RESOURCE = "*";
/** The host that stands for every host. */
export const WILDCARD_HOST = "*";
/** The principal that stands for every user (User:*). */
export const WILDCARD_PRINCIPAL = "User:*";
/** The only name a CLUSTER resource has. */
export const CLUSTER_NAME = "kafka-cluster";

export interface AclBinding {
  readonly resourceType: number;
  readonly resourceName: string;
  /** LITERAL or PREFIXED. */
  readonly patternType: number;
  /** type:name, e.g. User:alice. */
  readonly principal: string;
  readonly host: string;
  readonly operation: number;
  /** ALLOW or DENY. */
  readonly permission: number;
}

/** A filter of DescribeAcls/DeleteAcls: null strings match anything. */
export interface AclFilter {
  readonly resourceType: number;
  readonly resourceName: string | null;
  readonly patternType: number;
  readonly principal: string | null;
  readonly host: string | null;
  readonly operation: number;
  readonly permission: number;
}

const NAMES = <T extends Record<string, number>>(codes: T): Map<number, string> =>
  new Map(Object.entries(codes).map(([name, code]) => [code, name]));
const RESOURCE_NAMES = NAMES(AclResourceType);
const OPERATION_NAMES = NAMES(AclOperation);
const PERMISSION_NAMES = NAMES(AclPermission);
const PATTERN_NAMES = NAMES(PatternType);

export const resourceTypeName = (code: number): string => RESOURCE_NAMES.get(code) ?? "UNKNOWN";
export const operationName = (code: number): string => OPERATION_NAMES.get(code) ?? "UNKNOWN";
export const permissionName = (code: number): string => PERMISSION_NAMES.get(code) ?? "UNKNOWN";
export const patternTypeName = (code: number): string => PATTERN_NAMES.get(code) ?? "UNKNOWN";
