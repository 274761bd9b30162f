export type { Clock, TimerHandle } from "./clock.js";
export { realClock } from "./clock.js";
export {
  type CoordinatorConfig,
  coordinatorConfig,
  DEFAULT_COORDINATOR_CONFIG,
} from "./config.js";
export type * from "./coordinator-api.js";
export { type LogRecord, MemoryRecordLog, type RecordLog } from "./record-log.js";
