/**
 * One meaningful request per API Logbook serves, buildable at any version, for the
 * "every advertised API at its oldest and newest version" checks. They act on a topic
 * the caller created (`ctx.topic`, one partition, a few records) or on names that do
 * not exist (groups, transactional ids), so each answer says something: records,
 * offsets, configs, or the error code for an unknown group or member.
 */
import * as P from "@logbook/protocol";
import type { Side } from "./pair.js";

export interface ProbeContext {
  side: Side;
  /** An existing topic with one partition and some records. */
  topic: string;
  topicId: Buffer;
  version: number;
  /** Distinguishes names made per call (topics to create, groups). */
  tag: string;
  /** A record batch to produce. */
  batch: Buffer;
}

type Probe = (ctx: ProbeContext) => unknown;

/** A share-group member id (a Kafka Uuid in base64) that no group knows. */
const PROBE_MEMBER = "AAAAAAAAAAAAAAAAAAAAAQ";

const fetchProbe: Probe = (c) =>
  P.createFetchRequest({
    maxWaitMs: 0,
    minBytes: 0,
    maxBytes: 1 << 20,
    sessionEpoch: -1,
    topics: [
      P.createFetchRequestTopic({
        topic: c.topic,
        topicId: c.topicId,
        partitions: [
          P.createFetchRequestPartition({
            partition: 0,
            fetchOffset: 0n,
            partitionMaxBytes: 1 << 20,
          }),
        ],
      }),
    ],
  });

/** Keyed by API key. */
export const PROBES: Record<number, Probe> = {
  [P.ProduceApi.apiKey]: (c) =>
    P.createProduceRequest({
      acks: -1,
      timeoutMs: 5000,
      topicData: [
        P.createProduceRequestTopicData({
          name: c.topic,
          topicId: c.topicId,
          partitionData: [P.createProduceRequestPartitionData({ index: 0, records: c.batch })],
        }),
      ],
    }),
  [P.FetchApi.apiKey]: fetchProbe,
  [P.ListOffsetsApi.apiKey]: (c) =>
    P.createListOffsetsRequest({
      replicaId: -1,
      topics: [
        P.createListOffsetsRequestTopic({
          name: c.topic,
          partitions: [
            P.createListOffsetsRequestPartition({
              partitionIndex: 0,
              timestamp: -1n,
              maxNumOffsets: 1,
            }),
          ],
        }),
      ],
    }),
  [P.MetadataApi.apiKey]: (c) =>
    P.createMetadataRequest({
      topics: [P.createMetadataRequestTopic({ name: c.topic })],
      allowAutoTopicCreation: false,
    }),
  [P.OffsetCommitApi.apiKey]: (c) =>
    P.createOffsetCommitRequest({
      groupId: `probe-commit-${c.tag}`,
      generationIdOrMemberEpoch: -1,
      memberId: "",
      retentionTimeMs: -1n,
      topics: [
        P.createOffsetCommitRequestTopic({
          name: c.topic,
          partitions: [
            P.createOffsetCommitRequestPartition({
              partitionIndex: 0,
              committedOffset: 1n,
              committedMetadata: "m",
            }),
          ],
        }),
      ],
    }),
  [P.OffsetFetchApi.apiKey]: (c) =>
    P.createOffsetFetchRequest({
      groupId: `probe-commit-${c.tag}`,
      topics: [P.createOffsetFetchRequestTopic({ name: c.topic, partitionIndexes: [0] })],
      groups: [
        P.createOffsetFetchRequestGroup({
          groupId: `probe-commit-${c.tag}`,
          topics: [
            P.createOffsetFetchRequestTopics({
              name: c.topic,
              partitionIndexes: [0],
            }),
          ],
        }),
      ],
    }),
  [P.FindCoordinatorApi.apiKey]: (c) =>
    P.createFindCoordinatorRequest({
      key: `probe-group-${c.tag}`,
      keyType: 0,
      coordinatorKeys: [`probe-group-${c.tag}`],
    }),
  [P.JoinGroupApi.apiKey]: (c) =>
    P.createJoinGroupRequest({
      groupId: `probe-join-${c.tag}`,
      sessionTimeoutMs: 1000,
      rebalanceTimeoutMs: 1000,
      memberId: "",
      protocolType: "consumer",
      protocols: [
        P.createJoinGroupRequestProtocol({
          name: "range",
          metadata: Buffer.alloc(0),
        }),
      ],
    }),
  [P.HeartbeatApi.apiKey]: (c) =>
    P.createHeartbeatRequest({ groupId: `probe-none-${c.tag}`, generationId: 1, memberId: "m" }),
  [P.LeaveGroupApi.apiKey]: (c) =>
    P.createLeaveGroupRequest({
      groupId: `probe-none-${c.tag}`,
      memberId: "m",
      members: [P.createLeaveGroupRequestMemberIdentity({ memberId: "m" })],
    }),
  [P.SyncGroupApi.apiKey]: (c) =>
    P.createSyncGroupRequest({
      groupId: `probe-none-${c.tag}`,
      generationId: 1,
      memberId: "m",
      protocolType: "consumer",
      protocolName: "range",
    }),
  [P.DescribeGroupsApi.apiKey]: (c) =>
    P.createDescribeGroupsRequest({ groups: [`probe-commit-${c.tag}`] }),
  [P.ListGroupsApi.apiKey]: () => P.createListGroupsRequest({ statesFilter: ["Dead"] }),
  [P.ApiVersionsApi.apiKey]: () =>
    P.createApiVersionsRequest({ clientSoftwareName: "probe", clientSoftwareVersion: "1" }),
  [P.CreateTopicsApi.apiKey]: (c) =>
    P.createCreateTopicsRequest({
      timeoutMs: 30_000,
      topics: [
        P.createCreateTopicsRequestCreatableTopic({
          name: `probe-created-${c.tag}`,
          numPartitions: 2,
          replicationFactor: 1,
          configs: [
            P.createCreateTopicsRequestCreatableTopicConfig({
              name: "retention.ms",
              value: "600000",
            }),
          ],
        }),
      ],
    }),
  [P.DeleteTopicsApi.apiKey]: (c) =>
    P.createDeleteTopicsRequest({
      timeoutMs: 30_000,
      topicNames: [`probe-absent-${c.tag}`],
      topics: [P.createDeleteTopicsRequestDeleteTopicState({ name: `probe-absent-${c.tag}` })],
    }),
  [P.DeleteRecordsApi.apiKey]: (c) =>
    P.createDeleteRecordsRequest({
      timeoutMs: 5000,
      topics: [
        P.createDeleteRecordsRequestTopic({
          name: c.topic,
          partitions: [P.createDeleteRecordsRequestPartition({ partitionIndex: 0, offset: 0n })],
        }),
      ],
    }),
  [P.InitProducerIdApi.apiKey]: () =>
    P.createInitProducerIdRequest({ transactionalId: null, transactionTimeoutMs: 60_000 }),
  [P.OffsetForLeaderEpochApi.apiKey]: (c) =>
    P.createOffsetForLeaderEpochRequest({
      replicaId: -1,
      topics: [
        P.createOffsetForLeaderEpochRequestTopic({
          topic: c.topic,
          partitions: [
            P.createOffsetForLeaderEpochRequestPartition({
              partition: 0,
              currentLeaderEpoch: -1,
              leaderEpoch: 0,
            }),
          ],
        }),
      ],
    }),
  [P.AddPartitionsToTxnApi.apiKey]: (c) => {
    const topics = [P.createAddPartitionsToTxnRequestTopic({ name: c.topic, partitions: [0] })];
    // v4+ carry a list of transactions (Kafka never answers an empty one).
    return P.createAddPartitionsToTxnRequest({
      v3AndBelowTransactionalId: `probe-txn-${c.tag}`,
      v3AndBelowProducerId: 4242n,
      v3AndBelowProducerEpoch: 0,
      v3AndBelowTopics: topics,
      transactions: [
        P.createAddPartitionsToTxnRequestTransaction({
          transactionalId: `probe-txn-${c.tag}`,
          producerId: 4242n,
          producerEpoch: 0,
          verifyOnly: true,
          topics,
        }),
      ],
    });
  },
  [P.AddOffsetsToTxnApi.apiKey]: (c) =>
    P.createAddOffsetsToTxnRequest({
      transactionalId: `probe-txn-${c.tag}`,
      producerId: 4242n,
      producerEpoch: 0,
      groupId: `probe-group-${c.tag}`,
    }),
  [P.EndTxnApi.apiKey]: (c) =>
    P.createEndTxnRequest({
      transactionalId: `probe-txn-${c.tag}`,
      producerId: 4242n,
      producerEpoch: 0,
      committed: true,
    }),
  // A partition the topic does not have: a marker there changes neither broker's log.
  [P.WriteTxnMarkersApi.apiKey]: (c) =>
    P.createWriteTxnMarkersRequest({
      markers: [
        P.createWriteTxnMarkersRequestWritableTxnMarker({
          producerId: 4242n,
          producerEpoch: 0,
          transactionResult: false,
          coordinatorEpoch: 0,
          topics: [
            P.createWriteTxnMarkersRequestWritableTxnMarkerTopic({
              name: c.topic,
              partitionIndexes: [7],
            }),
          ],
        }),
      ],
    }),
  [P.TxnOffsetCommitApi.apiKey]: (c) =>
    P.createTxnOffsetCommitRequest({
      transactionalId: `probe-txn-${c.tag}`,
      groupId: `probe-group-${c.tag}`,
      producerId: 4242n,
      producerEpoch: 0,
      generationId: -1,
      memberId: "",
      topics: [
        P.createTxnOffsetCommitRequestTopic({
          name: c.topic,
          topicId: c.topicId,
          partitions: [
            P.createTxnOffsetCommitRequestPartition({
              partitionIndex: 0,
              committedOffset: 1n,
            }),
          ],
        }),
      ],
    }),
  // Validate only, so the probe changes nothing: a safe downgrade both brokers allow.
  [P.UpdateFeaturesApi.apiKey]: () =>
    P.createUpdateFeaturesRequest({
      timeoutMs: 30_000,
      validateOnly: true,
      featureUpdates: [
        P.createUpdateFeaturesRequestFeatureUpdateKey({
          feature: "transaction.version",
          maxVersionLevel: 2,
          upgradeType: 1,
        }),
      ],
    }),
  // Without an authorizer (the probes' brokers have none) both answer SECURITY_DISABLED.
  [P.DescribeAclsApi.apiKey]: () =>
    P.createDescribeAclsRequest({
      resourceTypeFilter: 1,
      patternTypeFilter: 1,
      operation: 1,
      permissionType: 1,
    }),
  [P.CreateAclsApi.apiKey]: (c) =>
    P.createCreateAclsRequest({
      creations: [
        P.createCreateAclsRequestAclCreation({
          resourceType: 2,
          resourceName: c.topic,
          principal: "User:alice",
          host: "*",
          operation: 3,
          permissionType: 3,
        }),
      ],
    }),
  [P.DeleteAclsApi.apiKey]: () =>
    P.createDeleteAclsRequest({
      filters: [
        P.createDeleteAclsRequestFilter({
          resourceTypeFilter: 1,
          patternTypeFilter: 1,
          operation: 1,
          permissionType: 1,
        }),
      ],
    }),
  [P.DescribeConfigsApi.apiKey]: (c) =>
    P.createDescribeConfigsRequest({
      resources: [
        P.createDescribeConfigsRequestResource({
          resourceType: 2,
          resourceName: c.topic,
          configurationKeys: ["cleanup.policy", "retention.ms", "max.message.bytes"],
        }),
      ],
    }),
  [P.AlterConfigsApi.apiKey]: (c) =>
    P.createAlterConfigsRequest({
      resources: [
        P.createAlterConfigsRequestResource({
          resourceType: 2,
          resourceName: c.topic,
          configs: [
            P.createAlterConfigsRequestAlterableConfig({ name: "retention.ms", value: "3600000" }),
          ],
        }),
      ],
    }),
  [P.DescribeLogDirsApi.apiKey]: (c) =>
    P.createDescribeLogDirsRequest({
      topics: [
        P.createDescribeLogDirsRequestDescribableLogDirTopic({ topic: c.topic, partitions: [0] }),
      ],
    }),
  [P.CreatePartitionsApi.apiKey]: (c) =>
    P.createCreatePartitionsRequest({
      timeoutMs: 30_000,
      validateOnly: true,
      topics: [
        P.createCreatePartitionsRequestTopic({
          name: c.topic,
          count: 3,
          assignments: null,
        }),
      ],
    }),
  [P.DeleteGroupsApi.apiKey]: (c) =>
    P.createDeleteGroupsRequest({ groupsNames: [`probe-none-${c.tag}`] }),
  [P.IncrementalAlterConfigsApi.apiKey]: (c) =>
    P.createIncrementalAlterConfigsRequest({
      resources: [
        P.createIncrementalAlterConfigsRequestResource({
          resourceType: 2,
          resourceName: c.topic,
          configs: [
            P.createIncrementalAlterConfigsRequestAlterableConfig({
              name: "segment.ms",
              configOperation: 0,
              value: "3600000",
            }),
          ],
        }),
      ],
    }),
  [P.OffsetDeleteApi.apiKey]: (c) =>
    P.createOffsetDeleteRequest({
      groupId: `probe-none-${c.tag}`,
      topics: [
        P.createOffsetDeleteRequestTopic({
          name: c.topic,
          partitions: [P.createOffsetDeleteRequestPartition({ partitionIndex: 0 })],
        }),
      ],
    }),
  [P.DescribeClusterApi.apiKey]: () => P.createDescribeClusterRequest({ endpointType: 1 }),
  [P.DescribeProducersApi.apiKey]: (c) =>
    P.createDescribeProducersRequest({
      topics: [
        P.createDescribeProducersRequestTopicRequest({ name: c.topic, partitionIndexes: [0] }),
      ],
    }),
  [P.DescribeTransactionsApi.apiKey]: (c) =>
    P.createDescribeTransactionsRequest({ transactionalIds: [`probe-txn-${c.tag}`] }),
  [P.ListTransactionsApi.apiKey]: () => P.createListTransactionsRequest({ durationFilter: -1n }),
  [P.ConsumerGroupHeartbeatApi.apiKey]: (c) =>
    P.createConsumerGroupHeartbeatRequest({
      groupId: `probe-cg-${c.tag}`,
      memberId: "probe-member",
      memberEpoch: 3,
    }),
  [P.ConsumerGroupDescribeApi.apiKey]: (c) =>
    P.createConsumerGroupDescribeRequest({ groupIds: [`probe-cg-${c.tag}`] }),
  // On the PLAINTEXT listener both brokers answer ILLEGAL_SASL_STATE.
  [P.SaslHandshakeApi.apiKey]: () => P.createSaslHandshakeRequest({ mechanism: "PLAIN" }),
  [P.SaslAuthenticateApi.apiKey]: () =>
    P.createSaslAuthenticateRequest({ authBytes: Buffer.from("\u0000probe\u0000probe") }),
  [P.DescribeClientQuotasApi.apiKey]: (c) =>
    P.createDescribeClientQuotasRequest({
      components: [
        P.createDescribeClientQuotasRequestComponentData({
          entityType: "user",
          matchType: 0,
          match: `probe-user-${c.tag}`,
        }),
      ],
      strict: false,
    }),
  // validate_only: a valid quota that changes nothing.
  [P.AlterClientQuotasApi.apiKey]: (c) =>
    P.createAlterClientQuotasRequest({
      entries: [
        P.createAlterClientQuotasRequestEntryData({
          entity: [
            P.createAlterClientQuotasRequestEntityData({
              entityType: "user",
              entityName: `probe-user-${c.tag}`,
            }),
          ],
          ops: [P.createAlterClientQuotasRequestOpData({ key: "producer_byte_rate", value: 1024 })],
        }),
      ],
      validateOnly: true,
    }),
  [P.DescribeUserScramCredentialsApi.apiKey]: (c) =>
    P.createDescribeUserScramCredentialsRequest({
      users: [P.createDescribeUserScramCredentialsRequestUserName({ name: `probe-user-${c.tag}` })],
    }),
  [P.AlterUserScramCredentialsApi.apiKey]: (c) =>
    P.createAlterUserScramCredentialsRequest({
      deletions: [
        P.createAlterUserScramCredentialsRequestScramCredentialDeletion({
          name: `probe-user-${c.tag}`,
          mechanism: 1,
        }),
      ],
      upsertions: [],
    }),
  // Groups only: Kafka also lists its internal topics and broker loggers, which Logbook has not.
  [P.ListConfigResourcesApi.apiKey]: () =>
    P.createListConfigResourcesRequest({ resourceTypes: [32] }),
  [P.DescribeTopicPartitionsApi.apiKey]: (c) =>
    P.createDescribeTopicPartitionsRequest({
      topics: [P.createDescribeTopicPartitionsRequestTopicRequest({ name: c.topic })],
      responsePartitionLimit: 100,
    }),
  [P.ShareGroupHeartbeatApi.apiKey]: (c) =>
    P.createShareGroupHeartbeatRequest({
      groupId: `probe-none-${c.tag}`,
      memberId: "probe-member",
      memberEpoch: 1,
    }),
  [P.ShareGroupDescribeApi.apiKey]: (c) =>
    P.createShareGroupDescribeRequest({ groupIds: [`probe-none-${c.tag}`] }),
  // Share groups: a member the group does not know, a group that does not exist.
  [P.ShareFetchApi.apiKey]: (c) =>
    P.createShareFetchRequest({
      groupId: `probe-share-${c.tag}`,
      memberId: PROBE_MEMBER,
      shareSessionEpoch: 0,
      maxRecords: 10,
      batchSize: 10,
      topics: [
        P.createShareFetchRequestFetchTopic({
          topicId: c.topicId,
          partitions: [P.createShareFetchRequestFetchPartition({ partitionIndex: 0 })],
        }),
      ],
    }),
  [P.ShareAcknowledgeApi.apiKey]: (c) =>
    P.createShareAcknowledgeRequest({
      groupId: `probe-share-${c.tag}`,
      memberId: PROBE_MEMBER,
      shareSessionEpoch: 1,
    }),
  [P.DescribeShareGroupOffsetsApi.apiKey]: (c) =>
    P.createDescribeShareGroupOffsetsRequest({
      groups: [
        P.createDescribeShareGroupOffsetsRequestGroup({
          groupId: `probe-share-${c.tag}`,
          topics: [
            P.createDescribeShareGroupOffsetsRequestTopic({ topicName: c.topic, partitions: [0] }),
          ],
        }),
      ],
    }),
  [P.AlterShareGroupOffsetsApi.apiKey]: (c) =>
    P.createAlterShareGroupOffsetsRequest({
      groupId: `probe-share-${c.tag}`,
      topics: [
        P.createAlterShareGroupOffsetsRequestTopic({
          topicName: c.topic,
          partitions: [
            P.createAlterShareGroupOffsetsRequestPartition({ partitionIndex: 0, startOffset: 0n }),
          ],
        }),
      ],
    }),
  [P.DeleteShareGroupOffsetsApi.apiKey]: (c) =>
    P.createDeleteShareGroupOffsetsRequest({
      groupId: `probe-share-${c.tag}`,
      topics: [P.createDeleteShareGroupOffsetsRequestTopic({ topicName: c.topic })],
    }),
};

export function codecFor(apiKey: number): P.ApiCodec<unknown, unknown> {
  const api = P.apiCodecs.find((a) => a.apiKey === apiKey);
  if (api === undefined) throw new Error(`no codec for API key ${apiKey}`);
  return api;
}
