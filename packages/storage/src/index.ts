export {
  type BrokerEndpoint,
  type ClusterMembership,
  type ClusterTimeouts,
  DEFAULT_CLUSTER_TIMEOUTS,
  DuplicateBrokerError,
  type LiveBroker,
} from "./cluster-membership.js";
export { DEFAULT_LOG_CONFIG, type LogConfig, logConfig } from "./config.js";
export { DataDirLockedError } from "./disk/dir-lock.js";
export { DiskEngine } from "./disk/disk-engine.js";
export type { EngineFactory, EngineOptions, StorageEngine, TopicPartitionId } from "./engine.js";
export { ENGINES, openStorageEngine } from "./engines.js";
export { type Clock, realClock, repeatEvery, type TimerHandle } from "./env/clock.js";
export type { Fs, FsFile, FsStats, OpenFlags } from "./env/fs.js";
export { ManualClock } from "./env/manual-clock.js";
export { MemoryFs } from "./env/memory-fs.js";
export { monotonicMs } from "./env/monotonic-ms.js";
export { realFs } from "./env/real-fs.js";
export { type WriteFaultCode, WriteFaults } from "./env/write-faults.js";
export { InternalLog, type KeyValueRecord } from "./internal-log.js";
export {
  createLogger,
  type LogFields,
  type Logger,
  type LogLevel,
  memoryLogger,
  silentLogger,
} from "./logger.js";
export { MemoryEngine } from "./memory/index.js";
export {
  type AbortedTxn,
  AppendError,
  type AppendErrorReason,
  type AppendOptions,
  type AppendResult,
  conflictError,
  type PartitionLog,
  type ReadResult,
  type SizedRead,
  type TimestampLookup,
} from "./partition-log.js";
export { ReadBufferPool, readBuffers } from "./read-buffers.js";
export { orUnavailable, StorageUnavailableError } from "./storage-unavailable.js";
