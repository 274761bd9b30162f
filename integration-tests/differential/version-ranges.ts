/**
 * Every API where Logbook serves fewer versions than Apache Kafka 4.4.0, with the
 * reason. versions.test.ts fails when the live ranges and this table disagree, so a
 * range that grows (or shrinks) must be written down here. "none" = not served.
 *
 * Logbook's codec is generated from Kafka's message definitions of the 3.x line
 * (../shared/kafka-message-specs); versions Kafka added after them are not in it yet.
 */

export interface NarrowerRange {
  api: string;
  logbook: string;
  kafka: string;
  reason: string;
}

const NEWER_SCHEMA =
  "not in the Kafka 3.x message definitions Logbook's codec is generated from, so not implemented yet";
const NO_SECURITY =
  "Logbook serves no delegation tokens yet (TLS, SASL PLAIN/SCRAM, ACLs and client quotas it serves).";
const KRAFT_ONLY =
  "Controller, KRaft quorum and broker-to-broker API: a single Logbook node has no controller quorum and no other brokers.";
const NO_KIP848 =
  "KIP-848 consumer groups (and the share and streams groups built like them) are not implemented; clients use the classic group protocol, which Logbook serves.";

export const NARROWER_RANGES: Record<number, NarrowerRange> = {
  1: {
    api: "Fetch",
    logbook: "4-17",
    kafka: "4-18",
    reason: `v18 (KIP-1166 high watermark) is ${NEWER_SCHEMA}.`,
  },
  2: {
    api: "ListOffsets",
    logbook: "0-10",
    kafka: "1-11",
    reason: `v11 (earliest pending upload offset, KIP-1023, tiered storage) is ${NEWER_SCHEMA}.`,
  },
  3: {
    api: "Metadata",
    logbook: "0-12",
    kafka: "0-13",
    reason: `v13 (top-level error code) is ${NEWER_SCHEMA}.`,
  },
  8: {
    api: "OffsetCommit",
    logbook: "0-9",
    kafka: "2-10",
    reason: `v10 (topic ids instead of names, KIP-848) is ${NEWER_SCHEMA}.`,
  },
  9: {
    api: "OffsetFetch",
    logbook: "0-9",
    kafka: "1-10",
    reason: `v10 (topic ids instead of names, KIP-848) is ${NEWER_SCHEMA}.`,
  },
  15: {
    api: "DescribeGroups",
    logbook: "0-5",
    kafka: "0-6",
    reason: `v6 (GROUP_ID_NOT_FOUND, KIP-1043) is ${NEWER_SCHEMA}.`,
  },
  34: {
    api: "AlterReplicaLogDirs",
    logbook: "none",
    kafka: "1-2",
    reason: "Logbook has one data directory, so there is nowhere to move a replica to.",
  },
  35: {
    api: "DescribeLogDirs",
    logbook: "0-4",
    kafka: "1-5",
    reason: `v5 (more per-directory fields) is ${NEWER_SCHEMA}.`,
  },
  38: { api: "CreateDelegationToken", logbook: "none", kafka: "1-3", reason: NO_SECURITY },
  39: { api: "RenewDelegationToken", logbook: "none", kafka: "1-2", reason: NO_SECURITY },
  40: { api: "ExpireDelegationToken", logbook: "none", kafka: "1-2", reason: NO_SECURITY },
  41: { api: "DescribeDelegationToken", logbook: "none", kafka: "1-3", reason: NO_SECURITY },
  42: {
    api: "DeleteGroups",
    logbook: "0-2",
    kafka: "0-3",
    reason: `v3 (an error message per group) is ${NEWER_SCHEMA}.`,
  },
  43: {
    api: "ElectLeaders",
    logbook: "none",
    kafka: "0-2",
    reason: "One node leads every partition; there is no other leader to elect.",
  },
  45: {
    api: "AlterPartitionReassignments",
    logbook: "none",
    kafka: "0-1",
    reason: "One node holds every replica; there is nowhere to reassign to.",
  },
  46: {
    api: "ListPartitionReassignments",
    logbook: "none",
    kafka: "0-0",
    reason: "One node holds every replica; no reassignment is ever in progress.",
  },
  55: { api: "DescribeQuorum", logbook: "none", kafka: "0-2", reason: KRAFT_ONLY },
  60: {
    api: "DescribeCluster",
    logbook: "0-1",
    kafka: "0-2",
    reason: `v2 (include fenced brokers, KIP-1073) is ${NEWER_SCHEMA}; a single node is never fenced.`,
  },
  64: { api: "UnregisterBroker", logbook: "none", kafka: "0-0", reason: KRAFT_ONLY },
  66: {
    api: "ListTransactions",
    logbook: "0-1",
    kafka: "0-2",
    reason: `v2 (transactional id pattern filter, KIP-1152) is ${NEWER_SCHEMA}.`,
  },
  80: { api: "AddRaftVoter", logbook: "none", kafka: "0-1", reason: KRAFT_ONLY },
  81: { api: "RemoveRaftVoter", logbook: "none", kafka: "0-0", reason: KRAFT_ONLY },
  83: { api: "InitializeShareGroupState", logbook: "none", kafka: "0-0", reason: NO_KIP848 },
  84: { api: "ReadShareGroupState", logbook: "none", kafka: "0-0", reason: NO_KIP848 },
  85: { api: "WriteShareGroupState", logbook: "none", kafka: "0-1", reason: NO_KIP848 },
  86: { api: "DeleteShareGroupState", logbook: "none", kafka: "0-0", reason: NO_KIP848 },
  87: { api: "ReadShareGroupStateSummary", logbook: "none", kafka: "0-1", reason: NO_KIP848 },
  88: { api: "StreamsGroupHeartbeat", logbook: "none", kafka: "0-1", reason: NO_KIP848 },
  89: { api: "StreamsGroupDescribe", logbook: "none", kafka: "0-1", reason: NO_KIP848 },
  93: {
    api: "StreamsGroupTopologyDescriptionUpdate",
    logbook: "none",
    kafka: "0-0",
    reason: NO_KIP848,
  },
  94: { api: "UnregisterController", logbook: "none", kafka: "0-0", reason: KRAFT_ONLY },
};
