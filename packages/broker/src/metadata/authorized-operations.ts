/**
 * Authorized-operation bit fields (bit n set = AclOperation n allowed). Logbook has no
 * ACLs, so like Kafka without an authorizer it allows every operation that applies to
 * the resource, and answers with all of them when a request asks (Metadata v8+,
 * DescribeCluster) or always lists them (DescribeTopicPartitions); when a request does
 * not ask, the field is NOT_PROVIDED. Values checked against Kafka 4.4.0 by
 * integration-tests/authorized-operations.test.ts.
 */

/** The "not asked for" value of every authorized-operations field. */
export const NOT_PROVIDED = -2147483648;

const bits = (ops: number[]) => ops.reduce((mask, op) => mask | (1 << op), 0);

/** READ, WRITE, CREATE, DELETE, ALTER, DESCRIBE, DESCRIBE_CONFIGS, ALTER_CONFIGS. */
export const TOPIC_OPERATIONS = bits([3, 4, 5, 6, 7, 8, 10, 11]);

/** CREATE, ALTER, DESCRIBE, CLUSTER_ACTION, DESCRIBE_CONFIGS, ALTER_CONFIGS, IDEMPOTENT_WRITE. */
export const CLUSTER_OPERATIONS = bits([5, 7, 8, 9, 10, 11, 12]);

/** READ, DELETE, DESCRIBE, DESCRIBE_CONFIGS, ALTER_CONFIGS (groups have configs since KIP-848). */
export const GROUP_OPERATIONS = bits([3, 6, 8, 10, 11]);
