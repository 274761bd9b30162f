import { realClock } from "../src/env/clock.js";
import { MemoryEngine, MemoryStore } from "../src/memory/index.js";
import { runEngineConformance } from "./engine-conformance.js";

runEngineConformance("memory", async () => {
  const store = new MemoryStore();
  return {
    engine: new MemoryEngine({ store, clock: realClock() }),
    reopen: async () => new MemoryEngine({ store, clock: realClock() }),
    cleanup: async () => {},
  };
});
