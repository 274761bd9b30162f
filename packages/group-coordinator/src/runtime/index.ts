export {
  CoordinatorClosedError,
  CoordinatorNotAvailableError,
  ShardLogConflictError,
} from "./coordinator-errors.js";
export {
  answer,
  type CoordinatorResult,
  type Deferred,
  settled,
} from "./coordinator-result.js";
export {
  type CoordinatorOperation,
  CoordinatorRuntime,
  type CoordinatorRuntimeOptions,
  type ShardLog,
} from "./coordinator-runtime.js";
export { type ShardCodec, sharedShardLog } from "./shared-shard-log.js";
