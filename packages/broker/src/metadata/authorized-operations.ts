/**
 * The authorized-operations bit sets Kafka reports when no authorizer is configured
 * (every operation allowed): bit n is AclOperation code n.
 */

/** READ, WRITE, CREATE, DELETE, ALTER, DESCRIBE, DESCRIBE_CONFIGS, ALTER_CONFIGS. */
export const ALL_TOPIC_OPERATIONS = [3, 4, 5, 6, 7, 8, 10, 11].reduce((m, op) => m | (1 << op), 0);
