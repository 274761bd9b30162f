export {
  type AckBatch,
  AckType,
  type AcquiredRange,
  type InFlightRecord,
  RecordState,
  type StateBatch,
} from "./in-flight.js";
export {
  SharePartition,
  type SharePartitionLimits,
  type SharePartitionSnapshot,
} from "./share-partition.js";
export {
  type AcquireResult,
  type LogBounds,
  type ShareOffset,
  type ShareOffsetSummary,
  ShareStateCoordinator,
  type ShareStateOptions,
  type ShareStateShard,
} from "./share-state-coordinator.js";
export { openShareStateLog, SHARE_GROUP_STATE_TOPIC } from "./share-state-log.js";
export {
  decodeShareStateRecord,
  encodeShareStateRecord,
  type SharePartitionKey,
  type ShareStateRecord,
  sharePartitionId,
} from "./share-state-records.js";
