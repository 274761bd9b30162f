/**
 * Where an error response cannot be derived from the specs alone (emit-error-response.ts).
 * Keyed by API base name, then by the response field's path (`Fetch.Responses.Partitions`).
 */
export interface MirrorOverride {
  /**
   * The request array (same depth) that this response array mirrors; several when the
   * request moved its items to another array in a later version.
   */
  mirror?: string | string[];
  /** When the mirrored request array lists bare values: the response field that takes each. */
  item?: string;
  /** For a copied identity field: the request field it comes from, when the names differ. */
  from?: string;
  /** A TypeScript expression that replaces the field's schema default. */
  value?: string;
}

export const ERROR_RESPONSE_OVERRIDES: Record<string, Record<string, MirrorOverride>> = {
  // Offsets without a schema default of -1 would read as offset 0.
  Produce: {
    "Produce.Responses.PartitionResponses.BaseOffset": { value: "-1n" },
  },
  DeleteRecords: {
    "DeleteRecords.Topics.Partitions.LowWatermark": { value: "-1n" },
  },
  Fetch: {
    "Fetch.Responses.Partitions": { mirror: "Partitions" },
    "Fetch.Responses.Partitions.PartitionIndex": { from: "Partition" },
    "Fetch.Responses.Partitions.HighWatermark": { value: "-1n" },
  },
  OffsetFetch: {
    "OffsetFetch.Topics.Partitions": { mirror: "PartitionIndexes", item: "PartitionIndex" },
    "OffsetFetch.Topics.Partitions.CommittedOffset": { value: "-1n" },
    "OffsetFetch.Groups.Topics.Partitions": { mirror: "PartitionIndexes", item: "PartitionIndex" },
    "OffsetFetch.Groups.Topics.Partitions.CommittedOffset": { value: "-1n" },
  },
  FindCoordinator: {
    "FindCoordinator.Coordinators": { mirror: "CoordinatorKeys", item: "Key" },
    "FindCoordinator.NodeId": { value: "-1" },
    "FindCoordinator.Port": { value: "-1" },
    "FindCoordinator.Coordinators.NodeId": { value: "-1" },
    "FindCoordinator.Coordinators.Port": { value: "-1" },
  },
  DescribeGroups: {
    "DescribeGroups.Groups": { mirror: "Groups", item: "GroupId" },
  },
  ShareGroupDescribe: {
    "ShareGroupDescribe.Groups": { mirror: "GroupIds", item: "GroupId" },
  },
  CreateTopics: {
    // The request's wish, not a result: Kafka answers -1.
    "CreateTopics.Topics.NumPartitions": { value: "-1" },
    "CreateTopics.Topics.TopicConfigErrorCode": { value: "0" },
  },
  AddPartitionsToTxn: {
    "AddPartitionsToTxn.ResultsByTopicV3AndBelow.ResultsByPartition": {
      mirror: "Partitions",
      item: "PartitionIndex",
    },
    "AddPartitionsToTxn.ResultsByTransaction.TopicResults.ResultsByPartition": {
      mirror: "Partitions",
      item: "PartitionIndex",
    },
  },
  WriteTxnMarkers: {
    "WriteTxnMarkers.Markers": { mirror: "Markers" },
    // Each marker's result names its producer (an int64, so no identity by default).
    "WriteTxnMarkers.Markers.ProducerId": { from: "ProducerId" },
    "WriteTxnMarkers.Markers.Topics": { mirror: "Topics" },
    "WriteTxnMarkers.Markers.Topics.Partitions": {
      mirror: "PartitionIndexes",
      item: "PartitionIndex",
    },
  },
  OffsetForLeaderEpoch: {
    // The request's epoch is a question; the answer is unknown.
    "OffsetForLeaderEpoch.Topics.Partitions.LeaderEpoch": { value: "-1" },
  },
  DeleteTopics: {
    "DeleteTopics.Responses": { mirror: ["Topics", "TopicNames"], item: "Name" },
  },
  AlterUserScramCredentials: {
    // One result per user named in either list (a user in both is answered twice).
    "AlterUserScramCredentials.Results": { mirror: ["Deletions", "Upsertions"] },
    "AlterUserScramCredentials.Results.User": { from: "Name" },
  },
  AlterClientQuotas: {
    // One result per entry.
    "AlterClientQuotas.Entries": { mirror: "Entries" },
  },
  DescribeUserScramCredentials: {
    "DescribeUserScramCredentials.Results": { mirror: "Users" },
    "DescribeUserScramCredentials.Results.User": { from: "Name" },
  },
  // One result per creation / filter, in request order, as Kafka answers a failed request.
  CreateAcls: {
    "CreateAcls.Results": { mirror: "Creations" },
  },
  DeleteAcls: {
    "DeleteAcls.FilterResults": { mirror: "Filters" },
  },
  DeleteGroups: {
    "DeleteGroups.Results": { mirror: "GroupsNames", item: "GroupId" },
  },
  DescribeProducers: {
    "DescribeProducers.Topics.Partitions": { mirror: "PartitionIndexes", item: "PartitionIndex" },
  },
  ConsumerGroupDescribe: {
    "ConsumerGroupDescribe.Groups": { mirror: "GroupIds", item: "GroupId" },
  },
  DescribeTransactions: {
    "DescribeTransactions.TransactionStates": {
      mirror: "TransactionalIds",
      item: "TransactionalId",
    },
  },
};
