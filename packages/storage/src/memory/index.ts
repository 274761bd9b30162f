export {
  MemoryEngine,
  type MemoryEngineOptions,
  MemoryStore,
  memoryEngineFactory,
} from "./memory-engine.js";
export { MemoryPartitionLog } from "./memory-partition-log.js";
