/**
 * The one written list of differences between Apache Kafka's answers and Logbook's
 * that the differential tests accept. Each entry: the API (name as in the codec, or
 * "*"), a path pattern over the normalized path (`[]` for any array element, `*` for
 * one path segment, `**` for any run of them) and why the difference is not a bug.
 * docs/kafka-differences.md explains the same list for users. Keep it short: a new
 * entry needs a reason a user would accept.
 */

export interface AllowedDifference {
  api: string;
  path: string;
  /** Only for array elements with one of these keys (a config name, a topic name). */
  keys?: readonly string[];
  reason: string;
  /** A Logbook bug found by these tests and not fixed yet (reported, listed as open). */
  openBug?: true;
}

export const ALLOWED_DIFFERENCES: readonly AllowedDifference[] = [
  {
    api: "*",
    path: "**.port",
    reason:
      "Each broker listens on its own random port; the rest of the address (host 127.0.0.1, node id) is configured the same.",
  },
  {
    api: "*",
    path: "**.errorMessage",
    reason:
      "Error messages are free text meant for people; the error code is what clients act on and is compared.",
  },
  {
    api: "ShareFetch",
    path: "**.acknowledgeErrorMessage",
    reason:
      "Error messages are free text meant for people; the acknowledgement's error code is what clients act on and is compared.",
  },
  {
    api: "*",
    path: "**.topicId",
    reason: "Topic ids are random UUIDs chosen by each broker when the topic is created.",
  },
  {
    api: "ApiVersions",
    path: "apiKeys**",
    reason:
      "The version ranges are compared on their own, against the written table in version-ranges.ts (each narrower range with its reason).",
  },
  {
    api: "ApiVersions",
    path: "finalizedFeatures**",
    keys: ["streams.version"],
    reason:
      "Logbook finalizes a feature only at the level it implements (packages/broker/src/features.ts): no streams groups (streams.version).",
  },
  {
    api: "ApiVersions",
    path: "supportedFeatures[].maxVersion",
    keys: ["streams.version", "kraft.version"],
    reason:
      "Logbook supports a feature up to the level it implements (see finalizedFeatures); kraft.version versions a KRaft controller quorum, which a single Logbook node does not have.",
  },
  {
    api: "ApiVersions",
    path: "finalizedFeaturesEpoch",
    reason:
      "Kafka's epoch is the offset of the last feature record in its KRaft metadata log; Logbook's counts its own feature changes. Clients only compare an epoch with the same broker's earlier ones.",
  },
  {
    api: "DescribeTransactions",
    path: "transactionStates[].topics[].partitions[]",
    keys: ["__consumer_offsets"],
    reason:
      "A group's offsets partition: Kafka's __consumer_offsets has 50 partitions (the group's is chosen by a hash of its id); Logbook keeps every group's offsets in one log, reported as partition 0.",
  },
  {
    api: "DescribeTransactions",
    path: "transactionStates[].transactionStartTimeMs",
    reason: "The time the transaction started, by each broker's clock.",
  },
  {
    api: "DescribeLogDirs",
    path: "results[].*Bytes",
    reason:
      "Each broker has its own data directory; its path and the file system's total and free bytes are the machine's.",
  },
  {
    api: "DescribeLogDirs",
    path: "results[].logDir",
    reason: "Each broker has its own data directory.",
  },
  {
    api: "*",
    path: "**.topics[]",
    keys: ["__consumer_offsets", "__transaction_state"],
    reason:
      "Kafka lists its internal topics (50 partitions each, marked is_internal, which clients filter out of topic lists); Logbook keeps group offsets and transaction state in logs of its own that are not topics clients can read, so listing all topics does not show them.",
  },
  {
    api: "*",
    path: "**.configs[]",
    keys: [
      "message.format.version",
      "message.downconversion.enable",
      "message.timestamp.difference.max.ms",
      "errors.deadletterqueue.group.enable",
      "max.decompressed.message.bytes",
      "remote.copy.lag.bytes",
      "remote.copy.lag.ms",
    ],
    reason:
      "Topic configs Kafka 4 removed (message.format.version, message.downconversion.enable, message.timestamp.difference.max.ms) are still accepted and described by Logbook for Kafka 3 tooling; configs Kafka 4.x added for features Logbook does not have (share-group dead-letter queues, tiered storage) are not described.",
  },
  {
    api: "*",
    path: "**.configs[].configSource",
    keys: ["min.insync.replicas"],
    reason:
      "A formatted KRaft cluster stores min.insync.replicas as a cluster-wide dynamic default (source DYNAMIC_DEFAULT_BROKER_CONFIG); Logbook has one node and no such record, so it reports the static default (DEFAULT_CONFIG) with the same value.",
  },
  {
    api: "DescribeConfigs",
    path: "results[].configs[].synonyms**",
    keys: ["min.insync.replicas"],
    reason:
      "A formatted KRaft cluster stores min.insync.replicas as a cluster-wide dynamic default (source DYNAMIC_DEFAULT_BROKER_CONFIG); Logbook has one node and no such record, so it reports the static default (DEFAULT_CONFIG) with the same value.",
  },
];

/**
 * Differences in one specific exchange that Logbook keeps on purpose; the test that
 * makes the exchange asserts exactly these paths differ (and nothing else).
 */
export interface ExpectedDivergence {
  api: string;
  /** The exchange, in words. */
  when: string;
  /** Normalized paths that may differ (a version lacking a field shows fewer). */
  paths: readonly string[];
  reason: string;
  /** A Logbook bug found by these tests and not fixed yet (reported, listed as open). */
  openBug?: true;
}

export const EXPECTED_DIVERGENCES = {
  autoCreateFirstAnswer: {
    api: "Metadata",
    when: "the first Metadata request naming an unknown topic, with auto-creation on",
    paths: ["topics[].errorCode", "topics[].partitions[]"],
    reason:
      "Kafka answers UNKNOWN_TOPIC_OR_PARTITION while its controller creates the topic and the next request finds it; Logbook creates it at once and answers with it, so clients need no retry. The answers agree from the second request on.",
  },
  unknownAlterOperation: {
    api: "IncrementalAlterConfigs",
    when: "a config operation code outside 0-3 (SET, DELETE, APPEND, SUBTRACT)",
    paths: ["responses[].errorCode"],
    reason:
      "Kafka fails the resource with UNKNOWN_SERVER_ERROR (its parser throws on the unknown code); Logbook answers INVALID_REQUEST, which says the request is at fault and is not retried.",
  },
  markerTimestamps: {
    api: "Fetch",
    when: "Fetch of a partition holding transaction markers",
    paths: ["responses[].partitions[].records"],
    reason:
      "A transaction marker (control batch) carries the time its broker wrote it; everything else in the fetched batches, and the offsets, LSO and aborted transactions around them, is compared.",
  },
  produceV0toV2: {
    api: "Produce",
    when: "Produce v0-v2 (advertised by both for librdkafka up to 2.11, which enables compression only when Produce v0 is advertised)",
    paths: ["(outcome)"],
    reason:
      "Kafka 4 closes the connection; Logbook answers UNSUPPORTED_VERSION for each partition, which tells the client why instead of sending it into a reconnect loop.",
  },
  brokerLoggerListed: {
    api: "ListConfigResources",
    when: "ListConfigResources v1 of every resource type",
    paths: ["configResources[]"],
    reason:
      "Kafka also lists its broker as a BROKER_LOGGER resource (log levels changed at run time), which Logbook does not serve, and its internal topics (see above); the configured groups, the topics and the broker are listed alike.",
  },
} as const satisfies Record<string, ExpectedDivergence>;

/** `**.` = any leading run of segments (or none), `**` = anything, `*` = one segment. */
function globToRegExp(glob: string): RegExp {
  const re = glob
    .split(/(\*\*\.|\*\*|\*)/)
    .map((t) => {
      if (t === "**.") return "(?:.*\\.)?";
      if (t === "**") return ".*";
      if (t === "*") return "[^.]*";
      return t.replace(/[.[\]()+?^$|\\{}]/g, "\\$&");
    })
    .join("");
  return new RegExp(`^${re}$`);
}

const compiled = ALLOWED_DIFFERENCES.map((a) => ({ ...a, re: globToRegExp(a.path) }));

/** The element keys named in a raw path: `a[name="x"].b[partitionIndex=0]` → ["x", "0"]. */
function keysIn(rawPath: string): string[] {
  return [...rawPath.matchAll(/\[[^=\]]+=("(?:[^"\\]|\\.)*"|[^\]]*)\]/g)].map((m) => {
    const v = m[1] as string;
    return v.startsWith('"') ? (JSON.parse(v) as string) : v;
  });
}

/** The entry that allows a difference at `rawPath` of `api`'s response, if any. */
export function allowedDifference(api: string, rawPath: string): AllowedDifference | undefined {
  const normalized = rawPath.replace(/\[[^\]]*\]/g, "[]");
  return compiled.find(
    (a) =>
      (a.api === "*" || a.api === api) &&
      a.re.test(normalized) &&
      (a.keys === undefined || keysIn(rawPath).some((k) => a.keys?.includes(k))),
  );
}
