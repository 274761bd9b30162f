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
