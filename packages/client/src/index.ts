export * from "./admin/acl-bindings.js";
export * from "./admin/acls.js";
export * from "./admin/broker-configs.js";
export * from "./admin/cluster.js";
export * from "./admin/config-source.js";
export * from "./admin/describe-configs.js";
export * from "./admin/groups.js";
export * from "./admin/offsets.js";
export * from "./admin/scram-users.js";
export * from "./admin/topics.js";
export { AddressError, parseBootstrap, parseHostPort } from "./bootstrap.js";
export { Connection, type ConnectionOptions, type VersionRange } from "./connection.js";
export { type ConsumedRecord, Fetcher, type FetchPosition, IsolationLevel } from "./fetcher.js";
export { GroupMember, type GroupMemberOptions } from "./group-member.js";
export { type ClientOptions, CoordinatorType, KafkaClient } from "./kafka-client.js";
export { ConnectionError, check, KafkaError } from "./kafka-error.js";
export { murmur2, partitionForKey } from "./partitioner.js";
export {
  type PartitionWritten,
  type ProduceRecord,
  Producer,
  type ProducerOptions,
} from "./producer.js";
export { rangeAssign } from "./range-assignor.js";
export { encodeSaslName } from "./sasl/sasl-name.js";
export { ScramClient } from "./sasl/scram-client.js";
export * from "./sasl/scram-formulas.js";
export * from "./sasl/scram-mechanisms.js";
export {
  SASL_MECHANISMS,
  type SaslMechanismName,
  type SaslOptions,
  type TlsOptions,
} from "./security-options.js";
