/**
 * Every Kafka protocol error code, as one table keyed by the upstream name.
 *
 * Codes and names are fixed by the protocol (apache/kafka `Errors`, through code 133).
 * `retriable` is true when the Java client's exception for the code extends
 * RetriableException, which is what clients act on. Messages are our own wording.
 */

// One row per code: [code, retriable, message]. Expanded into entries below.
type ErrorRow = readonly [code: number, retriable: boolean, message: string];

const ERROR_ROWS = {
  UNKNOWN_SERVER_ERROR: [-1, false, "The server hit an unexpected error handling the request."],
  NONE: [0, false, "No error."],
  OFFSET_OUT_OF_RANGE: [1, false, "The offset is outside the range the server holds."],
  CORRUPT_MESSAGE: [2, true, "A message failed its CRC, has an invalid size, or is corrupt."],
  UNKNOWN_TOPIC_OR_PARTITION: [3, true, "This server does not host the topic-partition."],
  INVALID_FETCH_SIZE: [4, false, "The requested fetch size is invalid."],
  LEADER_NOT_AVAILABLE: [5, true, "The partition has no leader right now."],
  NOT_LEADER_OR_FOLLOWER: [6, true, "This broker is not the leader or a replica of the partition."],
  REQUEST_TIMED_OUT: [7, true, "The request timed out."],
  BROKER_NOT_AVAILABLE: [8, false, "The broker is not available."],
  REPLICA_NOT_AVAILABLE: [9, true, "The replica is not available for the partition."],
  MESSAGE_TOO_LARGE: [10, false, "A message is larger than the server accepts."],
  STALE_CONTROLLER_EPOCH: [11, false, "The controller has moved to another broker."],
  OFFSET_METADATA_TOO_LARGE: [12, false, "The offset commit metadata is too large."],
  NETWORK_EXCEPTION: [13, true, "The server disconnected before sending a response."],
  COORDINATOR_LOAD_IN_PROGRESS: [14, true, "The coordinator is still loading."],
  COORDINATOR_NOT_AVAILABLE: [15, true, "The coordinator is not available."],
  NOT_COORDINATOR: [16, true, "This broker is not the coordinator for that key."],
  INVALID_TOPIC_EXCEPTION: [17, false, "The topic is invalid for this operation."],
  RECORD_LIST_TOO_LARGE: [18, false, "A record batch is larger than the segment size."],
  NOT_ENOUGH_REPLICAS: [19, true, "Rejected: fewer in-sync replicas than required."],
  NOT_ENOUGH_REPLICAS_AFTER_APPEND: [
    20,
    true,
    "Written, but to fewer in-sync replicas than required.",
  ],
  INVALID_REQUIRED_ACKS: [21, false, "The produce request has an invalid acks value."],
  ILLEGAL_GENERATION: [22, false, "The group generation id is not valid."],
  INCONSISTENT_GROUP_PROTOCOL: [23, false, "The member's protocols do not match the group's."],
  INVALID_GROUP_ID: [24, false, "The group id is invalid."],
  UNKNOWN_MEMBER_ID: [25, false, "The coordinator does not know this member."],
  INVALID_SESSION_TIMEOUT: [26, false, "The session timeout is outside the allowed range."],
  REBALANCE_IN_PROGRESS: [27, false, "The group is rebalancing; the member must rejoin."],
  INVALID_COMMIT_OFFSET_SIZE: [28, false, "The committed offset data has an invalid size."],
  TOPIC_AUTHORIZATION_FAILED: [29, false, "Not authorized for the topic."],
  GROUP_AUTHORIZATION_FAILED: [30, false, "Not authorized for the group."],
  CLUSTER_AUTHORIZATION_FAILED: [31, false, "Not authorized for the cluster."],
  INVALID_TIMESTAMP: [32, false, "A message timestamp is outside the accepted range."],
  UNSUPPORTED_SASL_MECHANISM: [33, false, "The broker does not support this SASL mechanism."],
  ILLEGAL_SASL_STATE: [34, false, "The request is not valid in the current SASL state."],
  UNSUPPORTED_VERSION: [35, false, "This version of the API is not supported."],
  TOPIC_ALREADY_EXISTS: [36, false, "A topic with this name already exists."],
  INVALID_PARTITIONS: [37, false, "The number of partitions is invalid."],
  INVALID_REPLICATION_FACTOR: [38, false, "The replication factor is invalid."],
  INVALID_REPLICA_ASSIGNMENT: [39, false, "The replica assignment is invalid."],
  INVALID_CONFIG: [40, false, "The configuration is invalid."],
  NOT_CONTROLLER: [41, true, "This broker is not the active controller."],
  INVALID_REQUEST: [42, false, "The request is malformed or sent to an incompatible broker."],
  UNSUPPORTED_FOR_MESSAGE_FORMAT: [43, false, "The message format version does not allow this."],
  POLICY_VIOLATION: [44, false, "The request violates the configured policy."],
  OUT_OF_ORDER_SEQUENCE_NUMBER: [45, false, "The broker received an out-of-order sequence."],
  DUPLICATE_SEQUENCE_NUMBER: [46, false, "The broker received a duplicate sequence number."],
  INVALID_PRODUCER_EPOCH: [47, false, "The producer used an old epoch."],
  INVALID_TXN_STATE: [48, false, "The transactional operation is invalid in this state."],
  INVALID_PRODUCER_ID_MAPPING: [
    49,
    false,
    "The producer id is not assigned to this transactional id.",
  ],
  INVALID_TRANSACTION_TIMEOUT: [50, false, "The transaction timeout exceeds the broker maximum."],
  CONCURRENT_TRANSACTIONS: [51, true, "Another operation on this transaction is in progress."],
  TRANSACTION_COORDINATOR_FENCED: [52, false, "The transaction coordinator is no longer current."],
  TRANSACTIONAL_ID_AUTHORIZATION_FAILED: [53, false, "Not authorized for the transactional id."],
  SECURITY_DISABLED: [54, false, "Security features are disabled."],
  OPERATION_NOT_ATTEMPTED: [55, false, "Not attempted because another operation failed."],
  KAFKA_STORAGE_ERROR: [56, true, "A disk error occurred while accessing the log."],
  LOG_DIR_NOT_FOUND: [57, false, "The log directory is not configured on the broker."],
  SASL_AUTHENTICATION_FAILED: [58, false, "SASL authentication failed."],
  UNKNOWN_PRODUCER_ID: [59, false, "The broker has no state for this producer id."],
  REASSIGNMENT_IN_PROGRESS: [60, false, "A partition reassignment is in progress."],
  DELEGATION_TOKEN_AUTH_DISABLED: [61, false, "Delegation tokens are not enabled."],
  DELEGATION_TOKEN_NOT_FOUND: [62, false, "The delegation token was not found."],
  DELEGATION_TOKEN_OWNER_MISMATCH: [63, false, "The principal may not own or renew this token."],
  DELEGATION_TOKEN_REQUEST_NOT_ALLOWED: [
    64,
    false,
    "Token requests are not allowed on this channel.",
  ],
  DELEGATION_TOKEN_AUTHORIZATION_FAILED: [65, false, "Not authorized for the delegation token."],
  DELEGATION_TOKEN_EXPIRED: [66, false, "The delegation token has expired."],
  INVALID_PRINCIPAL_TYPE: [67, false, "The principal type is not supported."],
  NON_EMPTY_GROUP: [68, false, "The group is not empty."],
  GROUP_ID_NOT_FOUND: [69, false, "The group does not exist."],
  FETCH_SESSION_ID_NOT_FOUND: [70, true, "The fetch session id was not found."],
  INVALID_FETCH_SESSION_EPOCH: [71, true, "The fetch session epoch is invalid."],
  LISTENER_NOT_FOUND: [72, true, "The leader has no listener matching the request's."],
  TOPIC_DELETION_DISABLED: [73, false, "Topic deletion is disabled."],
  FENCED_LEADER_EPOCH: [74, true, "The request's leader epoch is older than the broker's."],
  UNKNOWN_LEADER_EPOCH: [75, true, "The request's leader epoch is newer than the broker's."],
  UNSUPPORTED_COMPRESSION_TYPE: [76, false, "The client cannot handle the compression type."],
  STALE_BROKER_EPOCH: [77, false, "The broker epoch has changed."],
  OFFSET_NOT_AVAILABLE: [78, true, "The leader's high watermark has not caught up yet."],
  MEMBER_ID_REQUIRED: [79, false, "The member must rejoin with the member id it was given."],
  PREFERRED_LEADER_NOT_AVAILABLE: [80, true, "The preferred leader is not available."],
  GROUP_MAX_SIZE_REACHED: [81, false, "The group has reached its maximum size."],
  FENCED_INSTANCE_ID: [82, false, "Another member registered with the same instance id."],
  ELIGIBLE_LEADERS_NOT_AVAILABLE: [83, true, "No eligible leader is available."],
  ELECTION_NOT_NEEDED: [84, true, "The partition does not need a leader election."],
  NO_REASSIGNMENT_IN_PROGRESS: [85, false, "No partition reassignment is in progress."],
  GROUP_SUBSCRIBED_TO_TOPIC: [86, false, "The group is subscribed to the topic."],
  INVALID_RECORD: [87, false, "A record failed the broker's validation."],
  UNSTABLE_OFFSET_COMMIT: [88, true, "Pending transactional offsets must settle first."],
  THROTTLING_QUOTA_EXCEEDED: [89, true, "The throttling quota has been exceeded."],
  PRODUCER_FENCED: [90, false, "A newer producer with the same transactional id exists."],
  RESOURCE_NOT_FOUND: [91, false, "The request refers to a resource that does not exist."],
  DUPLICATE_RESOURCE: [92, false, "The request refers to the same resource twice."],
  UNACCEPTABLE_CREDENTIAL: [93, false, "The credential does not meet the acceptance criteria."],
  INCONSISTENT_VOTER_SET: [94, false, "A voter request involves a replica that is not a voter."],
  INVALID_UPDATE_VERSION: [95, false, "The update version is invalid."],
  FEATURE_UPDATE_FAILED: [96, false, "The finalized features could not be updated."],
  PRINCIPAL_DESERIALIZATION_FAILURE: [97, false, "The forwarded principal could not be read."],
  SNAPSHOT_NOT_FOUND: [98, false, "The requested snapshot was not found."],
  POSITION_OUT_OF_RANGE: [99, false, "The requested snapshot position is out of range."],
  UNKNOWN_TOPIC_ID: [100, true, "This server does not host the topic id."],
  DUPLICATE_BROKER_REGISTRATION: [101, false, "The broker id is already registered."],
  BROKER_ID_NOT_REGISTERED: [102, false, "The broker id is not registered."],
  INCONSISTENT_TOPIC_ID: [103, true, "The request's topic id does not match the log's."],
  INCONSISTENT_CLUSTER_ID: [104, false, "The request's cluster id does not match the server's."],
  TRANSACTIONAL_ID_NOT_FOUND: [105, false, "The transactional id was not found."],
  FETCH_SESSION_TOPIC_ID_ERROR: [106, true, "The fetch session used topic ids inconsistently."],
  INELIGIBLE_REPLICA: [107, false, "The new ISR contains an ineligible replica."],
  NEW_LEADER_ELECTED: [108, false, "The partition was updated but the leader has changed."],
  OFFSET_MOVED_TO_TIERED_STORAGE: [109, false, "The offset has moved to tiered storage."],
  FENCED_MEMBER_EPOCH: [110, false, "The member epoch is fenced; the member must rejoin."],
  UNRELEASED_INSTANCE_ID: [111, false, "Another member still holds this instance id."],
  UNSUPPORTED_ASSIGNOR: [112, false, "The group does not support this assignor."],
  STALE_MEMBER_EPOCH: [113, false, "The member epoch is stale."],
  MISMATCHED_ENDPOINT_TYPE: [114, false, "The request reached the wrong type of endpoint."],
  UNSUPPORTED_ENDPOINT_TYPE: [115, false, "This endpoint type is not supported."],
  UNKNOWN_CONTROLLER_ID: [116, false, "The controller id is unknown."],
  UNKNOWN_SUBSCRIPTION_ID: [117, false, "The telemetry subscription id is unknown or old."],
  TELEMETRY_TOO_LARGE: [118, false, "The telemetry push is larger than the broker accepts."],
  INVALID_REGISTRATION: [119, false, "The controller considers the registration invalid."],
  TRANSACTION_ABORTABLE: [120, false, "The transaction failed; abort it to continue."],
  INVALID_RECORD_STATE: [121, false, "The record state does not allow this acknowledgement."],
  SHARE_SESSION_NOT_FOUND: [122, true, "The share session was not found."],
  INVALID_SHARE_SESSION_EPOCH: [123, true, "The share session epoch is invalid."],
  FENCED_STATE_EPOCH: [124, false, "The share-group state epoch does not match."],
  INVALID_VOTER_KEY: [125, false, "The voter key does not match the receiving replica."],
  DUPLICATE_VOTER: [126, false, "The voter is already in the voter set."],
  VOTER_NOT_FOUND: [127, false, "The voter is not in the voter set."],
  INVALID_REGULAR_EXPRESSION: [128, false, "The regular expression is invalid."],
  REBOOTSTRAP_REQUIRED: [129, false, "The client's metadata is stale; it must rebootstrap."],
  STREAMS_INVALID_TOPOLOGY: [130, false, "The streams topology is invalid."],
  STREAMS_INVALID_TOPOLOGY_EPOCH: [131, false, "The streams topology epoch is invalid."],
  STREAMS_TOPOLOGY_FENCED: [132, false, "The streams topology epoch is outdated."],
  SHARE_SESSION_LIMIT_REACHED: [133, true, "The share session limit has been reached."],
} as const satisfies Record<string, ErrorRow>;

type Rows = typeof ERROR_ROWS;

/** An upstream error name such as `"UNSUPPORTED_VERSION"`. */
export type ErrorName = keyof Rows;

/** One error: its wire code, upstream name, client retry behaviour and a short message. */
export interface KafkaErrorEntry<N extends ErrorName = ErrorName> {
  readonly code: Rows[N][0];
  readonly name: N;
  readonly retriable: Rows[N][1];
  readonly message: string;
}

type ErrorTable = { readonly [N in ErrorName]: KafkaErrorEntry<N> };
type ErrorCodeTable = { readonly [N in ErrorName]: Rows[N][0] };

const names = Object.keys(ERROR_ROWS) as ErrorName[];

function expandRows(): ErrorTable {
  const table: Record<string, KafkaErrorEntry> = {};
  for (const name of names) {
    const [code, retriable, message] = ERROR_ROWS[name];
    table[name] = Object.freeze({ code, name, retriable, message });
  }
  return Object.freeze(table) as ErrorTable;
}

/** The error table: `KafkaErrors.UNSUPPORTED_VERSION.code === 35`. */
export const KafkaErrors: ErrorTable = expandRows();

/** Numeric codes by name, usable as constants: `ErrorCode.UNSUPPORTED_VERSION` is `35`. */
export const ErrorCode: ErrorCodeTable = Object.freeze(
  Object.fromEntries(names.map((name) => [name, ERROR_ROWS[name][0]])) as ErrorCodeTable,
);

/** Any code Kafka defines. Responses carry plain INT16s; see {@link errorByCode}. */
export type ErrorCode = ErrorCodeTable[ErrorName];

const byCode = new Map<number, KafkaErrorEntry>(
  names.map((n) => [KafkaErrors[n].code, KafkaErrors[n]]),
);

/** The entry for a wire code, or undefined for a code this table does not know. */
export function errorByCode(code: number): KafkaErrorEntry | undefined {
  return byCode.get(code);
}

/**
 * A business error on its way to a request handler, which turns it into an error code
 * in the response. Not for protocol violations: those close the connection.
 */
export class KafkaProtocolError extends Error {
  override readonly name = "KafkaProtocolError";
  readonly error: KafkaErrorEntry;

  constructor(error: ErrorName | KafkaErrorEntry, detail?: string, options?: ErrorOptions) {
    const entry = typeof error === "string" ? KafkaErrors[error] : error;
    super(`${entry.name}: ${detail ?? entry.message}`, options);
    this.error = entry;
  }

  get code(): number {
    return this.error.code;
  }

  get retriable(): boolean {
    return this.error.retriable;
  }
}
