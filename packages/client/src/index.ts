export * from "./admin/cluster.js";
export * from "./admin/config-source.js";
export * from "./admin/offsets.js";
export * from "./admin/topics.js";
export { AddressError, parseBootstrap, parseHostPort } from "./bootstrap.js";
export { Connection, type ConnectionOptions, type VersionRange } from "./connection.js";
export { type ClientOptions, CoordinatorType, KafkaClient } from "./kafka-client.js";
export { ConnectionError, check, KafkaError } from "./kafka-error.js";
