export type { Clock, TimerHandle } from "@logbook/storage";
export { realClock } from "@logbook/storage";
export { applyRecord } from "./apply-record.js";
export {
  SERVER_ASSIGNORS,
  serverAssignorByName,
  serverAssignorsFromConfig,
} from "./assignors/index.js";
export {
  type ClassicGroupConfig,
  type ConsumerGroupConfig,
  type CoordinatorConfig,
  coordinatorConfig,
  DEFAULT_COORDINATOR_CONFIG,
  MIGRATION_POLICIES,
  type MigrationPolicy,
} from "./config.js";
export type * from "./consumer-api.js";
export { CONSUMER_OFFSETS_TOPIC, openConsumerOffsetsLog } from "./consumer-offsets-log.js";
export type * from "./coordinator-api.js";
export { GroupCoordinator, type GroupCoordinatorOptions } from "./group-coordinator.js";
export {
  ANSWERS,
  GROUP_STATES,
  type GroupState,
  GroupStateMachine,
  InvalidTransitionError,
  VALID_PREVIOUS,
} from "./group-state.js";
export { type GroupTimeouts, type GroupTimeoutsOf, sameTimeouts } from "./group-timeouts.js";
export { lag } from "./lag.js";
export { type LogRecord, MemoryRecordLog, type RecordLog } from "./record-log.js";
export { type CoordinatorRecord, decodeRecord, encodeRecord } from "./records.js";
export * from "./runtime/index.js";
export * from "./share/index.js";
export * from "./share-partition/index.js";
export { compileSubscriptionRegex } from "./subscription-regex.js";
